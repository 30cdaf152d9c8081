"""Keep the admin behind a network allow-list (the product's "admin behind VPN/IP" rule)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from .proxies import address_in, client_address, parse_networks

if TYPE_CHECKING:
    from rest_framework.request import Request


def from_admin_network(request: HttpRequest | Request) -> bool:
    """Whether the client (behind the trusted proxies) is inside ADMIN_ALLOWED_IPS; True when it is empty."""
    networks = parse_networks(settings.ADMIN_ALLOWED_IPS, "ADMIN_ALLOWED_IPS")
    return not networks or address_in(client_address(request), networks)


class AdminIPFilterMiddleware:
    """Answer 403 on admin (and staff-only) paths to clients outside ADMIN_ALLOWED_IPS.

    The client is the one behind the trusted proxies (TRUSTED_PROXIES), never what a client's own
    X-Forwarded-For says.
    """

    protected_prefixes = ("/admin/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        parse_networks(settings.ADMIN_ALLOWED_IPS, "ADMIN_ALLOWED_IPS")  # a wrong entry stops the start

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.protected_prefixes) and not from_admin_network(request):
            return HttpResponseForbidden("The admin is not reachable from this network.")
        return self.get_response(request)
