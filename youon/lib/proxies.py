"""The client's real address and scheme behind reverse proxies, decided in one place.

TRUSTED_PROXIES names the proxies in front of gunicorn: networks (CIDRs or single addresses), or a count
of hops. Only a request whose connecting peer is trusted has its X-Forwarded-For and X-Forwarded-Proto
read; everything else sees the connecting address and the scheme gunicorn saw. The admin allow-list, the
API throttles, the login lockout and the request logs all take the address from `client_address`.

The parsing half imports no Django settings: `settings.py` and `gunicorn.conf.py` use it at startup.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from rest_framework.request import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str], setting: str) -> list[Network]:
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{setting}: {entry.strip()!r} is not an IP address or network") from exc
    return networks


def address_in(address: str, networks: tuple[Network, ...] | list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _address(hop: str) -> str | None:
    """An X-Forwarded-For entry as a plain address (ports and IPv6 brackets dropped), None if it is none."""
    hop = hop.strip()
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


@dataclass(frozen=True)
class TrustedProxies:
    """Either `hops` proxies in front (every peer is taken for the nearest one), or the `networks` the
    proxies connect from; neither: no proxy."""

    hops: int = 0
    networks: tuple[Network, ...] = ()

    @property
    def trusts_any(self) -> bool:
        return self.hops > 0 or bool(self.networks)

    def trusts(self, peer: str) -> bool:
        return self.hops > 0 or address_in(peer, self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address, from the connecting `peer` and the X-Forwarded-For header it sent."""
        if not self.trusts(peer):
            return peer
        hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
        if self.hops:
            # The nearest proxy is the peer; the others each appended the address they were reached from.
            hops = hops[-self.hops :]
        nearest = peer
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                # A trusted proxy appends real addresses: what is not one was never checked by it.
                return nearest
            nearest = address
            if not self.hops and not address_in(address, self.networks):
                return address
        return nearest

    def gunicorn_allow_list(self) -> str:
        """gunicorn's --forwarded-allow-ips: the single addresses among the networks (gunicorn takes no
        CIDR and no count; the Django middleware decides for those), never `*`."""
        return ",".join(
            str(network.network_address) for network in self.networks if network.prefixlen == network.max_prefixlen
        )


def parse_trusted_proxies(raw: str) -> TrustedProxies:
    """TRUSTED_PROXIES: empty (no proxy), a count of hops (`1`), or comma-separated networks."""
    raw = raw.strip()
    if not raw:
        return TrustedProxies()
    if raw.lstrip("-").isdigit():
        if int(raw) < 0:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {raw!r} is not a count of proxies (0 or more)")
        return TrustedProxies(hops=int(raw))
    return TrustedProxies(networks=tuple(parse_networks(raw.split(","), "TRUSTED_PROXIES")))


def client_address(request: HttpRequest | Request) -> str:
    """The address of the client behind the trusted proxies (the connecting address when there are none)."""
    from django.conf import settings

    meta = request.META
    return settings.TRUSTED_PROXIES.client(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))


class ProxyHeadersMiddleware:
    """Drop X-Forwarded-Proto unless a trusted proxy sent it: SECURE_PROXY_SSL_HEADER then reads only
    what a proxy set, and a plain-HTTP client cannot skip the HTTPS redirect. Goes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if not settings.TRUSTED_PROXIES.trusts(request.META.get("REMOTE_ADDR", "")):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class ClientAddressFilter(logging.Filter):
    """Adds `client` to log records: the client's address for records about a request, else `-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.client = client_address(request) if request is not None and hasattr(request, "META") else "-"
        return True
