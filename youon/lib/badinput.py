"""Requests the database could never store: refused at the door with a 400 naming the parameter."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class RejectNulMiddleware:
    """A NUL character in the path or a query parameter is a 400 (PostgreSQL text cannot hold one, so
    any query with it would fail mid-request): JSON under /api/, plain text elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = ["path"] if "\x00" in request.path else []
        bad += sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            message = "contém o caractere NUL (\\x00)"
            if request.path.startswith("/api/"):
                return JsonResponse({name.replace("\x00", "\\x00"): [message] for name in bad}, status=400)
            return HttpResponseBadRequest(f"{', '.join(bad)}: {message}".replace("\x00", "\\x00"))
        return self.get_response(request)
