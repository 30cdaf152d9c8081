from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.functional import cached_property


class EnumField(models.CharField):  # type: ignore[type-arg]
    """A column of one of the intel_lead PostgreSQL ENUM types (created in migration 0001_schema).

    The database rejects any other value, whatever writes it; Django sees text with choices.
    """

    def __init__(self, *args: Any, enum_type: str, **kwargs: Any) -> None:
        self.enum_type = enum_type
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_type"] = self.enum_type
        return name, path, args, kwargs

    def db_type(self, connection: Any) -> str:
        return f"intel_lead.{self.enum_type}"

    @cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(str(code) for code, _ in self.flatchoices)

    def get_prep_value(self, value: Any) -> Any:
        """A value outside the type is refused when the query is built (a ValueError, which the admin
        turns into its "invalid filter" page and forms into a field error), not by the database
        mid-request."""
        value = super().get_prep_value(value)
        if value is not None and self.choices and value not in self._codes:
            raise ValueError(f"{value!r} não é um valor de {self.name}")
        return value


class FixedCharField(models.CharField):  # type: ignore[type-arg]
    """A `char(n)` column: codes of a fixed width (CNPJ, CEP, CNAE), stored as the sources print them."""

    def db_type(self, connection: Any) -> str:
        return f"char({self.max_length})"
