"""The site's own pages: the home page and the API's answer to an unknown address."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from ingestion.models import ImportStatus
from leads.models import ResumoDistribuidoraAno, StatusImportacao

from . import formatos


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


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ address no route serves: JSON, also with DEBUG on (no HTML debug page for a client)."""
    return JsonResponse({"detail": f"endereço desconhecido na API: {request.path}"}, status=404)
