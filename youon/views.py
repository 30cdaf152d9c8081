"""The site's own pages, the API's answer to an unknown address, and its JWT login."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView

from ingestion.models import ImportStatus
from leads.models import ResumoDistribuidoraAno, StatusImportacao

from . import formatos
from .lib.lockout import lockout_message, lockout_wait


@login_required
def inicio(request: HttpRequest) -> HttpResponse:
    """Where a user lands: what the platform holds and a way into every section."""
    totais = ResumoDistribuidoraAno.objects.aggregate(
        n_ucs=Sum("n_ucs"), energia=Sum("energia_anual_kwh"), n_distribuidoras=Count("distribuidora", distinct=True)
    )
    ultima = ImportStatus.objects.filter(status=StatusImportacao.COMPLETED).aggregate(em=Max("finalizado_em"))["em"]
    numeros = {
        "n_ucs": formatos.numero(totais["n_ucs"] or 0),
        "energia": formatos.energia(totais["energia"] or 0),
        "n_distribuidoras": formatos.numero(totais["n_distribuidoras"] or 0),
        "ultima_importacao": timezone.localtime(ultima).strftime("%d/%m/%Y %H:%M") if ultima else None,
    }
    return render(request, "inicio.html", {"numeros": numeros})


@csrf_exempt  # it writes nothing; a PUT or DELETE to an unknown address gets the 404, not an HTML CSRF page
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ address no route serves: JSON, also with DEBUG on (no HTML debug page for a client)."""
    return JsonResponse({"detail": f"endereço desconhecido na API: {request.path}"}, status=404)


class LockedOut(Throttled):
    """A 429 with Retry-After whose message already says how long (DRF's would add it again)."""

    def __init__(self, *, wait: float | None, detail: str) -> None:
        super().__init__(wait=None, detail=detail)
        self.wait = None if wait is None else math.ceil(wait)  # Retry-After, from the exception handler


class TokenObtainView(TokenObtainPairView):
    """simplejwt's login, answering a lockout with 429 and the reason instead of "wrong password".

    django-axes counts the failure through `authenticate(request=...)`, but flags DRF's request, which
    its middleware never sees: the flag is read here.
    """

    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                wait = lockout_wait(request._request)
                seconds = wait.total_seconds() if wait is not None else None
                raise LockedOut(wait=seconds, detail=lockout_message(wait)) from None
            raise
