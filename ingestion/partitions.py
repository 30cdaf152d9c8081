"""Partition exchange of a BDGD unit layer (no Django): build a layer's tables aside, then swap them in.

`lead_bruto` and the three monthly tables are partitioned by layer (ano, distribuidora_id, camada|origem;
leads/migrations/sql/0008_partitions.sql). An import writes a new set of tables that nothing reads yet,
builds their indexes after loading, adds their constraints (each validated once, set-based), analyses
them, and `swap` replaces the layer's current tables with them in one short transaction: readers see the
old layer or the new one. A layer's tables are named `<table>_<dist>_<ano>_<camada>[_i<import id>]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

SCHEMA = "intel_lead"
UNITS = "lead_bruto"
MONTHLY = ("lead_energia_mensal", "lead_demanda_mensal", "lead_qualidade_mensal")
_PARENT_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON ONLY intel_lead\.\S+ ")


@dataclass(frozen=True)
class Layer:
    """One published layer of one distributor and year, and the tag of the import building its tables."""

    distribuidora: int
    ano: int
    camada: str
    tag: str

    @property
    def prefix(self) -> str:
        return f"{self.distribuidora}_{self.ano}_{self.camada.lower()}"

    def new(self, parent: str) -> str:
        """Name of the table this import builds for `parent`."""
        return f"{parent}_{self.prefix}_i{self.tag}"

    def staging(self, name: str) -> str:
        """Name of an unlogged working table of this import (dropped at the end, or by the next import)."""
        return f"carga_{self.prefix}_i{self.tag}_{name}"

    @property
    def bound(self) -> str:
        """The layer's range: from its (ano, distribuidora, camada) to the next layer's, in the enum's order."""
        following = {"UCAT": "'UCMT'", "UCMT": "'UCBT'", "UCBT": "MAXVALUE"}[self.camada]
        start, end = f"{self.ano}, {self.distribuidora}", f"'{self.camada}'"
        return f"FOR VALUES FROM ({start}, {end}) TO ({start}, {following})"

    def check(self, parent: str) -> str:
        """A CHECK equal to the partition bound: with it, ATTACH does not scan the table again."""
        return (
            f"ano = {self.ano} AND distribuidora_id = {self.distribuidora} AND {layer_column(parent)} = '{self.camada}'"
        )


def layer_column(parent: str) -> str:
    """The column naming the layer in `parent`'s partition key (the monthly tables call it origem)."""
    return "camada" if parent == UNITS else "origem"


# The advisory lock one import (or removal) of a layer holds: distributor, "import", year, layer.
LOCK_KEY = "intel_lead.hash_id(%s, 'import', %s, %s)"


def lock_params(layer: Layer) -> list[object]:
    return [layer.distribuidora, layer.ano, layer.camada]


def q(name: str) -> str:
    return f'{SCHEMA}."{name}"'


def current(cur: psycopg.Cursor[Any], layer: Layer, parent: str) -> str | None:
    """The table attached as `parent`'s partition for the layer, if any."""
    cur.execute(
        """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = %s::regclass AND (c.relname = %s OR c.relname LIKE %s)""",
        [q(parent), f"{parent}_{layer.prefix}", f"{parent}_{layer.prefix}\\_i%"],
    )
    row = cur.fetchone()
    return row[0] if row else None


def leftovers(cur: psycopg.Cursor[Any], layer: Layer) -> list[str]:
    """Tables of earlier imports of the layer that never got attached (a killed or failed import)."""
    names = [f"{p}_{layer.prefix}\\_i%" for p in (UNITS, *MONTHLY)] + [f"carga\\_{layer.prefix}\\_i%"]
    cur.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE ANY (%s)
             AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)""",
        [SCHEMA, names],
    )
    return [name for (name,) in cur.fetchall()]


def drop(cur: psycopg.Cursor[Any], names: Iterable[str]) -> None:
    names = list(names)
    if names:
        cur.execute(f"DROP TABLE IF EXISTS {', '.join(q(n) for n in names)} CASCADE")


def create(parent: str, layer: Layer) -> str:
    """The layer's new table for `parent`: shaped like it (columns, defaults, CHECKs) and with the partition
    CHECK, without indexes or keys yet. The CHECK is tested as rows are written, which costs less than
    validating it with a scan of the loaded table (a second for 12 million monthly rows)."""
    name = layer.new(parent)
    return (
        f"CREATE TABLE {q(name)} (LIKE {q(parent)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE, "
        f"CONSTRAINT {name}_camada CHECK ({layer.check(parent)}))"
    )


def parent_indexes(cur: psycopg.Cursor[Any], parent: str, name: str) -> list[str]:
    """CREATE INDEX statements on `name` matching each index of `parent`, so ATTACH adopts them as they are.

    Each index is named here: two connections building them at once would otherwise race for the same
    generated name."""
    cur.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass ORDER BY indexrelid",
        [q(parent)],
    )
    return [
        _PARENT_INDEX.sub(f'CREATE \\1INDEX "{name}_x{i}" ON {q(name)} ', d) for i, (d,) in enumerate(cur.fetchall())
    ]


def parent_foreign_keys(cur: psycopg.Cursor[Any], parent: str) -> list[str]:
    """`ADD FOREIGN KEY ...` clauses equal to `parent`'s own (ATTACH then adopts them without checking again)."""
    cur.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' AND conparentid = 0 ORDER BY conname",
        [q(parent)],
    )
    return [f"ADD {d}" for (d,) in cur.fetchall()]


def key_units(cur: psycopg.Cursor[Any], layer: Layer) -> list[str]:
    """Add the primary key of a loaded unit table; returns the CREATE INDEX statements of its other indexes.

    Those take a SHARE lock each, so two connections can build them at the same time once the table and its
    key are committed (`finish_units` then adds the constraints).
    """
    name = layer.new(UNITS)
    cur.execute(f"ALTER TABLE {q(name)} ADD PRIMARY KEY (uc_id)")
    return parent_indexes(cur, UNITS, name)


def finish_units(cur: psycopg.Cursor[Any], layer: Layer) -> None:
    """The domain foreign keys of a unit table whose indexes are built (each validated set-based); ANALYZE."""
    name = layer.new(UNITS)
    cur.execute(f"ALTER TABLE {q(name)} {', '.join(parent_foreign_keys(cur, UNITS))}")
    cur.execute(f"ANALYZE {q(name)}")


def finish_monthly(cur: psycopg.Cursor[Any], layer: Layer, parent: str) -> None:
    """Primary key (uc_id, mes) of a loaded monthly table; ANALYZE."""
    name = layer.new(parent)
    cur.execute(f"ALTER TABLE {q(name)} ADD PRIMARY KEY (uc_id, mes)")
    cur.execute(f"ANALYZE {q(name)}")


def link_monthly(cur: psycopg.Cursor[Any], layer: Layer, parent: str) -> None:
    """The monthly table's foreign key to its own layer's units, validated in one set-based pass."""
    cur.execute(
        f"ALTER TABLE {q(layer.new(parent))} ADD FOREIGN KEY (uc_id) "
        f"REFERENCES {q(layer.new(UNITS))} (uc_id) ON DELETE CASCADE"
    )


@dataclass
class SwapResult:
    previous: int  # units of the layer before
    removed: int  # units that left the layer (their registry rows and logs went with them)


def swap(cur: psycopg.Cursor[Any], layer: Layer) -> SwapResult:
    """Replace the layer's tables with the ones this import built; the caller commits.

    Registers the new units and unregisters the ones that left before taking the parents' locks, so
    the exclusive part (detach and drop the old tables, attach the new ones) lasts milliseconds.
    """
    new_units = layer.new(UNITS)
    old_units = current(cur, layer, UNITS)
    previous = removed = 0
    if old_units is not None:
        cur.execute(f"SELECT count(*) FROM {q(old_units)}")
        (previous,) = cur.fetchone() or (0,)
        cur.execute(
            f"""DELETE FROM {q("lead_unidade")} r USING (
                    SELECT uc_id FROM {q(old_units)} EXCEPT ALL SELECT uc_id FROM {q(new_units)}) gone
                WHERE r.uc_id = gone.uc_id"""
        )
        removed = cur.rowcount
    # Only the units the layer did not have (none on a re-import of the same file), in key order: a plain
    # INSERT, as a unit's id names its layer (ON CONFLICT's speculative insertion cost 2.3 s a million rows).
    cur.execute(
        f"""INSERT INTO {q("lead_unidade")} (uc_id, distribuidora_id, ano, camada)
            SELECT n.uc_id, n.distribuidora_id, n.ano, n.camada FROM {q(new_units)} n
            WHERE NOT EXISTS (SELECT 1 FROM {q("lead_unidade")} r WHERE r.uc_id = n.uc_id
                              AND r.distribuidora_id = %s AND r.ano = %s AND r.camada = %s)
            ORDER BY n.uc_id""",
        [layer.distribuidora, layer.ano, layer.camada],
    )
    # Rows of this layer written by hand into the DEFAULT partitions would make ATTACH fail.
    for parent in (*MONTHLY, UNITS):
        cur.execute(
            f"DELETE FROM {q(parent + '_default')} "
            f"WHERE ano = %s AND distribuidora_id = %s AND {layer_column(parent)} = %s",
            [layer.ano, layer.distribuidora, layer.camada],
        )
    drop(cur, [t for t in (current(cur, layer, p) for p in (*MONTHLY, UNITS)) if t is not None])
    for parent in (UNITS, *MONTHLY):
        cur.execute(f"ALTER TABLE {q(parent)} ATTACH PARTITION {q(layer.new(parent))} {layer.bound}")
    return SwapResult(previous=previous, removed=removed)


def remove(cur: psycopg.Cursor[Any], layer: Layer) -> int:
    """Remove a layer's units and monthly rows (their tables dropped whole) and unregister them; returns units."""
    cur.execute(
        f"DELETE FROM {q('lead_unidade')} WHERE distribuidora_id = %s AND ano = %s AND camada = %s",
        [layer.distribuidora, layer.ano, layer.camada],
    )
    removed = cur.rowcount
    drop(cur, [t for t in (current(cur, layer, p) for p in (*MONTHLY, UNITS)) if t is not None])
    return removed
