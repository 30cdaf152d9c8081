"""The header's counter of unread notifications, on every page (the admin's too)."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Notificacao


def notificacoes(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notificacoes_nao_lidas": Notificacao.objects.filter(usuario_id=user.pk, lida=False).count()}
