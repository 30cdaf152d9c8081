"""Keep the admin behind a network allow-list (the product's "admin behind VPN/IP" rule)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> list[Network]:
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"ADMIN_ALLOWED_IPS: {entry!r} is not an IP address or network") from exc
    return networks


def address_allowed(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class AdminIPFilterMiddleware:
    """Answer 403 on admin (and staff-only) paths to clients outside ADMIN_ALLOWED_IPS.

    The client address is REMOTE_ADDR: behind a reverse proxy, the proxy must set it (gunicorn's
    --forwarded-allow-ips), never a client-supplied header.
    """

    protected_prefixes = ("/admin/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = parse_networks(settings.ADMIN_ALLOWED_IPS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks and request.path.startswith(self.protected_prefixes):
            if not address_allowed(request.META.get("REMOTE_ADDR", ""), self.networks):
                return HttpResponseForbidden("The admin is not reachable from this network.")
        return self.get_response(request)
