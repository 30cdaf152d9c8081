"""The API's throttles, keyed on the client behind the trusted proxies.

DRF's own classes key an anonymous client on its whole X-Forwarded-For header, which the client
writes: every new value was a new client. The counters live in the default cache (Redis), shared by
every gunicorn worker.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .proxies import client_address


class AnonThrottle(AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request)


class UserThrottle(UserRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request)
