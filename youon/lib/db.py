"""A PostgreSQL connection of its own, beside Django's (bulk work while Django's records progress)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection, transaction
from psycopg import sql


def own_connection(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A new psycopg connection to Django's default database, with the same parameters."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=autocommit)


def copy_upsert(
    *, table: tuple[str, str], key: Sequence[str], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY rows into a temporary table, then insert new keys and update rows that changed, in one statement.

    `table` is (schema, name). Runs on Django's connection, in its transaction; returns rows inserted or
    changed (a re-run with the same rows returns 0).
    """
    target = sql.Identifier(*table)
    staging = sql.Identifier(f"staging_{table[1]}")
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    others = [sql.Identifier(c) for c in columns if c not in key]
    statement = sql.SQL(
        "INSERT INTO {target} ({cols}) SELECT {cols} FROM {staging} "
        "ON CONFLICT ({key}) DO UPDATE SET {assign} WHERE ({current}) IS DISTINCT FROM ({incoming})"
    ).format(
        target=target,
        cols=cols,
        staging=staging,
        key=sql.SQL(", ").join(map(sql.Identifier, key)),
        assign=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=c) for c in others),
        current=sql.SQL(", ").join(sql.SQL("{t}.{c}").format(t=target, c=c) for c in others),
        incoming=sql.SQL(", ").join(sql.SQL("EXCLUDED.{c}").format(c=c) for c in others),
    )
    with connection.cursor() as cursor:
        pg = cursor.cursor
        pg.execute(
            sql.SQL("DROP TABLE IF EXISTS {staging}").format(staging=staging)
        )  # an earlier run, same transaction
        pg.execute(
            sql.SQL("CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT {cols} FROM {target} WITH NO DATA").format(
                staging=staging, cols=cols, target=target
            )
        )
        with pg.copy(sql.SQL("COPY {staging} ({cols}) FROM STDIN").format(staging=staging, cols=cols)) as copy:
            for row in rows:
                copy.write_row(row)
        pg.execute(statement)
        return pg.rowcount


@contextmanager
def serial_plans() -> Iterator[None]:
    """Plan the enclosed queries without parallel workers, in a transaction of their own.

    For a page of a list (a LIMIT of tens of rows down an index): the planner's row estimate through a
    multi-column join to a partitioned table is low, so it expects to walk much of the index and starts a
    Gather Merge; launching the workers costs more (about 8 ms here) than the whole serial walk (1 ms).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
