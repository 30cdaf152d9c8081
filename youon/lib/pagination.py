"""Cursor pagination without COUNT(*), with strict page sizes (a bad value is a 400, not a silent clamp)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class StrictCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 1000
    page_size_query_param = "page_size"
    ordering = "uc_id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": f"{raw!r} is not an integer"}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": f"must be between 1 and {self.max_page_size}"})
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        # The view may derive a default order from other parameters (a list of one offer: by its score).
        derive = getattr(view, "_ordering", None)
        ordering = derive() if derive is not None else request.query_params.get("ordering", "uc_id")
        return (ordering,) if ordering.lstrip("-") == "uc_id" else (ordering, "uc_id")


class AggregateCursorPagination(StrictCursorPagination):
    """Cursor pagination of a summary: by its unique text key, or by a figure (`ordering`, checked by the
    view) and then the key."""

    ordering = "chave"

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = request.query_params.get("ordering")
        return (ordering, "chave") if ordering else ("chave",)
