"""Cursor pagination without COUNT(*), with strict page sizes (a bad value is a 400, not a silent clamp)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

CURSOR_INVALID = "cursor inválido: use o endereço next ou previous de uma resposta"


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

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: CURSOR_INVALID}) from None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        # A cursor's position is compared with the order's first column: a value that column cannot hold
        # (an edited cursor) is refused here, before the query, instead of failing inside it.
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            if "\x00" in str(cursor.position):  # inside base64, out of RejectNulMiddleware's sight
                raise ValidationError({self.cursor_query_param: CURSOR_INVALID})
            field = self.get_ordering(request, queryset, view)[0].lstrip("-")
            try:
                queryset.filter(**{field: cursor.position})
            except (ValueError, TypeError, OverflowError, DjangoValidationError):
                raise ValidationError({self.cursor_query_param: CURSOR_INVALID}) from None
        return super().paginate_queryset(queryset, request, view)

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
