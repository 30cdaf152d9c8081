"""A PostgreSQL connection of its own, beside Django's (bulk work while Django's records progress)."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def own_connection(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A new psycopg connection to Django's default database, with the same parameters."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=autocommit)
