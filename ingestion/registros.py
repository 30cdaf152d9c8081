"""CCEE free-market load parcels and ANEEL's GD plants into intel_lead: idempotent upserts.

Each import reads its files in place (a CSV or a zip of CSVs; an address is downloaded first, with
resume), COPYs the rows into a temporary table and merges them into the target in one statement:
new keys inserted, changed rows updated, unchanged rows left alone (a re-run changes nothing). The
whole import is one transaction on Django's connection: a bad line anywhere leaves the table as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from leads.models import Municipio

from . import downloads
from .readers import ccee, gd
from .readers.tabular import Member, ReaderError, members

SCHEMA = "intel_lead"
BATCH_BYTES = 4 << 20
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

Row = tuple[str | None, ...]


class RegistroImportError(Exception):
    """An import that cannot proceed; the message is one line naming file and line."""


@dataclass
class UpsertResult:
    linhas: int
    alteradas: int
    arquivos: list[str] = field(default_factory=list)
    avisos: list[str] = field(default_factory=list)


def _files(sources: Sequence[str | Path], folder: str) -> list[Member]:
    """The CSV files of the sources (zips opened in place; addresses downloaded into DATA_DIR/<folder>)."""
    found: list[Member] = []
    try:
        for source in sources:
            text = str(source)
            if text.startswith(("http://", "https://")):
                target = Path(settings.DATA_DIR) / folder
                path = downloads.download(text, target, timeout=settings.REGISTROS_HTTP_TIMEOUT).path
            else:
                path = Path(text)
            for member in members(path):
                if member.name is None or member.name.lower().endswith((".csv", ".txt")):
                    found.append(member)
    except (ReaderError, downloads.DownloadError) as exc:
        raise RegistroImportError(str(exc)) from exc
    if not found:
        raise RegistroImportError(f"nenhum arquivo CSV em {', '.join(map(str, sources))}")
    return found


def _line(row: Row, order: int) -> str:
    return "\t".join("\\N" if v is None else v.translate(_ESCAPES) for v in row) + f"\t{order}\n"


def _upsert(
    *,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    files: list[Member],
    rows: Callable[[Member], Iterator[Row]],
) -> tuple[int, int]:
    """COPY every file's rows into a temporary table, then merge them into `table` (the last line of a
    repeated key wins). Returns (rows read, rows inserted or changed). Runs in the caller's transaction."""
    stage = f"stage_{table}"
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    others = [c for c in columns if c not in key]
    target = sql.Identifier(SCHEMA, table)
    merge = sql.SQL(
        "INSERT INTO {target} ({cols}) SELECT DISTINCT ON ({key}) {cols} FROM {stage} ORDER BY {key}, _ordem DESC "
        "ON CONFLICT ({key}) DO UPDATE SET {assign} WHERE ({current}) IS DISTINCT FROM ({incoming})"
    ).format(
        target=target,
        cols=cols,
        stage=sql.Identifier(stage),
        key=sql.SQL(", ").join(map(sql.Identifier, key)),
        assign=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in others),
        current=sql.SQL(", ").join(sql.SQL("{t}.{c}").format(t=target, c=sql.Identifier(c)) for c in others),
        incoming=sql.SQL(", ").join(sql.SQL("EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in others),
    )
    total = 0
    with connection.cursor() as wrapper:
        cur: psycopg.Cursor[Any] = wrapper.cursor
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(stage)))
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                sql.Identifier(stage), cols, target
            )
        )
        cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN _ordem bigint").format(sql.Identifier(stage)))
        copy_sql = sql.SQL("COPY {} ({}, _ordem) FROM STDIN").format(sql.Identifier(stage), cols)
        for member in files:
            try:
                with cur.copy(copy_sql) as copy:
                    parts: list[str] = []
                    size = 0
                    for row in rows(member):
                        total += 1
                        line = _line(row, total)
                        parts.append(line)
                        size += len(line)
                        if size >= BATCH_BYTES:
                            copy.write("".join(parts).encode())
                            parts, size = [], 0
                    if parts:
                        copy.write("".join(parts).encode())
            except psycopg.errors.DataError as exc:
                where = (exc.diag.context or "").splitlines()[0] if exc.diag.context else ""
                raise RegistroImportError(
                    f"{member.label}: valor recusado pelo banco ({exc.diag.message_primary}; {where})"
                ) from exc
        cur.execute(merge)
        changed = cur.rowcount
    return total, changed


def ccee_import_cargas(*, sources: Sequence[str | Path]) -> UpsertResult:
    """Import CCEE "parcela de carga – consumo" files (paths or addresses) into `ccee_carga`.

    Idempotent upsert on (mes_referencia, cod_parcela_carga); all files in one transaction.
    """
    files = _files(sources, "ccee")
    names = {(uf, nome): code for code, nome, uf in Municipio.objects.values_list("cod_ibge", "nome", "uf")}
    municipios = ccee.Municipios(names)
    stats = ccee.Stats()
    try:
        with transaction.atomic():
            linhas, alteradas = _upsert(
                table="ccee_carga",
                columns=ccee.COLUMNS,
                key=ccee.KEY,
                files=files,
                rows=lambda m: ccee.cargas(m, municipios=municipios, stats=stats),
            )
    except ReaderError as exc:
        raise RegistroImportError(str(exc)) from exc
    avisos = [f"município não encontrado: {cidade}/{uf}" for uf, cidade in sorted(stats.sem_municipio)]
    return UpsertResult(linhas, alteradas, [m.label for m in files], avisos)


def gd_import(*, sources: Sequence[str | Path]) -> UpsertResult:
    """Import ANEEL's "empreendimentos de geração distribuída" file (path or address) into `gd_empreendimento`.

    Idempotent upsert on the CEG; all files in one transaction.
    """
    files = _files(sources, "aneel_gd")
    stats = gd.Stats()
    try:
        with transaction.atomic():
            linhas, alteradas = _upsert(
                table="gd_empreendimento",
                columns=gd.COLUMNS,
                key=gd.KEY,
                files=files,
                rows=lambda m: gd.empreendimentos(m, stats=stats),
            )
    except ReaderError as exc:
        raise RegistroImportError(str(exc)) from exc
    return UpsertResult(linhas, alteradas, [m.label for m in files], [f"{stats.pj:,} empreendimentos de PJ"])
