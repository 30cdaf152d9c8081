"""API permissions: analysts read; staff write, from the allowed networks when ADMIN_ALLOWED_IPS is set."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .ipfilter import from_admin_network


class IsStaffFromAllowedNetwork(BasePermission):
    message = "Staff only, from an allowed network."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and from_admin_network(request))


class ReadOrStaffWrite(BasePermission):
    """Any authenticated user reads; writes are for staff from an allowed network."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return IsStaffFromAllowedNetwork().has_permission(request, view)
