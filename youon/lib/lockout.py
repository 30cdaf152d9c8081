"""What a client locked out of logging in is told (django-axes counts the failures).

The site's and the admin's login pages answer with a page, the API with JSON: 429, a `detail` in
Portuguese and Retry-After while a cool-off applies.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_wait(request: HttpRequest | None = None) -> timedelta | None:
    """How long a lockout lasts from the last failure; None: until staff unlock it."""
    return get_cool_off(request)


def lockout_message(wait: timedelta | None) -> str:
    reason = "Acesso bloqueado: muitas tentativas de entrar com senha errada nesta conta ou a partir deste endereço."
    if wait is None:
        return f"{reason} Peça à equipe que desbloqueie o acesso."
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    unit = "minuto" if minutes == 1 else "minutos"
    return f"{reason} Tente novamente em {minutes} {unit} ou peça à equipe que desbloqueie o acesso."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a login refused by a lockout."""
    wait = lockout_wait(request)
    message = lockout_message(wait)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        # The page's heading already says "Acesso bloqueado": the text goes on from the reason.
        text = message.removeprefix("Acesso bloqueado: ")
        response = render(request, "registration/bloqueado.html", {"mensagem": text[:1].upper() + text[1:]}, status=429)
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response
