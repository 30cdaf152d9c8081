"""Writes to intel_lead: reference data and the materialized summaries."""

from __future__ import annotations

import csv
import io
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from youon.lib.db import copy_upsert, own_connection

from . import refdata, selectors
from .models import SCHEMA, Exportacao, StatusImportacao

logger = logging.getLogger(__name__)

MATERIALIZED_VIEWS = ("resumo_energia_por_municipio", "resumo_distribuidora_ano", "resumo_segmento")


@transaction.atomic
def reference_load(*, data_dir: Path = refdata.DATA_DIR) -> dict[str, tuple[int, int]]:
    """Load every domain table from the shipped reference files; returns {table: (rows, inserted or changed)}.

    Idempotent: a second run changes nothing. Runs in one transaction with the domain-table opt-in
    (`SET LOCAL intel_lead.allow_domain_changes = on`), so a failure leaves the previous data.
    Codes that disappeared from the files are kept: units may still reference them.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL intel_lead.allow_domain_changes = on")
    counts: dict[str, tuple[int, int]] = {}
    for rows in refdata.all_tables(data_dir):
        counts[rows.table] = (
            len(rows.rows),
            copy_upsert(table=(SCHEMA, rows.table), key=rows.columns[:1], columns=rows.columns, rows=rows.rows),
        )
        logger.debug("reference %s: %d rows, %d inserted or changed", rows.table, *counts[rows.table])
    return counts


def views_refresh(*, concurrently: bool = True) -> list[str]:
    """Refresh the materialized summaries (CONCURRENTLY: readers keep the old rows meanwhile).

    Each refresh commits on its own; concurrent refreshes of the same view wait for each other.
    """
    refreshed = []
    with connection.cursor() as cursor:
        for name in MATERIALIZED_VIEWS:
            mode = sql.SQL("CONCURRENTLY ") if concurrently else sql.SQL("")
            cursor.cursor.execute(
                sql.SQL("REFRESH MATERIALIZED VIEW {mode}{view}").format(
                    mode=mode, view=sql.Identifier("intel_lead", name)
                )
            )
            refreshed.append(name)
    return refreshed


def annual_figures_refresh(*, uc_ids: list[int] | None = None) -> int:
    """Recompute the yearly figures on lead_bruto from the monthly tables (all units, or these).

    The importer writes them with the monthly rows; call this after writing monthly rows any other way.
    """
    where = "WHERE u.uc_id = ANY(%s)" if uc_ids is not None else ""
    # Mean of the published months: a month left out of the quality table (it said nothing) counts as 0.

    def mean(column: str) -> str:
        return f"sum({column}) / nullif(count({column}) + 12 - count(*), 0)"

    # The unit's own layer: each subquery reads one monthly table, not every layer's.
    same = (
        "x.uc_id = u.uc_id AND x.ano = u.ano AND x.distribuidora_id = u.distribuidora_id "
        "AND x.origem = u.camada::text::intel_lead.origem_enum"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE intel_lead.lead_bruto l
            SET energia_anual_kwh = a.energia, demanda_pico_kw = a.pico, media_dic = a.dic, media_fic = a.fic
            FROM (
                SELECT u.uc_id, u.ano, u.distribuidora_id, u.camada,
                       (SELECT sum(energia_total_kwh) FROM intel_lead.lead_energia_mensal x WHERE {same}) AS energia,
                       (SELECT max(greatest(demanda_total_kw, demanda_ponta_kw, demanda_fora_ponta_kw))
                          FROM intel_lead.lead_demanda_mensal x WHERE {same}) AS pico,
                       (SELECT {mean("dic_h")} FROM intel_lead.lead_qualidade_mensal x WHERE {same}) AS dic,
                       (SELECT {mean("fic")} FROM intel_lead.lead_qualidade_mensal x WHERE {same}) AS fic
                FROM intel_lead.lead_bruto u {where}
            ) a
            WHERE a.uc_id = l.uc_id AND a.ano = l.ano AND a.distribuidora_id = l.distribuidora_id
              AND a.camada = l.camada""",
            [uc_ids] if uc_ids is not None else [],
        )
        return cursor.rowcount


def export_create(*, user_id: int, formato: str, filtros: dict[str, str]) -> Exportacao:
    """Record an export job (its filters, ordering and limit validated first); the caller queues it."""
    selectors.lead_export_sql(params=filtros)  # raises ValidationError naming a bad parameter
    return Exportacao.objects.create(dono_id=user_id, formato=formato, filtros=filtros)


def export_write(*, export_id: str) -> Exportacao:
    """Write an export job's file (CSV through COPY, XLSX streamed row by row), updating its progress.

    Idempotent: a finished job is left alone; a rerun rewrites the file from the start.
    """
    job = Exportacao.objects.get(pk=export_id)
    if job.status in (StatusImportacao.COMPLETED, StatusImportacao.FAILED):
        return job
    job.status = StatusImportacao.RUNNING
    job.save(update_fields=["status"])
    folder = Path(settings.MEDIA_ROOT) / "exportacoes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.pk}.{job.formato}"
    try:
        query, params = selectors.lead_export_sql(params=job.filtros)
        rows = _write_csv(path, query, params, job) if job.formato == "csv" else xlsx_write(path, query, params, job)
    except Exception as exc:  # the job records any failure for its owner, then the task re-raises
        job.status, job.erro, job.finalizado_em = StatusImportacao.FAILED, str(exc)[:2000], timezone.now()
        job.save(update_fields=["status", "erro", "finalizado_em"])
        path.unlink(missing_ok=True)
        raise
    job.status, job.linhas_escritas, job.arquivo, job.finalizado_em = (
        StatusImportacao.COMPLETED, rows, str(path), timezone.now(),
    )  # fmt: skip
    job.save(update_fields=["status", "linhas_escritas", "arquivo", "finalizado_em"])
    return job


_last_progress: dict[str, float] = {}


def _progress(job: Exportacao, rows: int) -> None:
    """Record rows written, at most once a second (its owner polls the job).

    On a connection of its own: Django's is busy with the COPY that reads the rows.
    """
    now = time.monotonic()
    if now - _last_progress.get(str(job.pk), 0.0) >= 1.0:
        _last_progress[str(job.pk)] = now
        with own_connection(autocommit=True) as conn:
            conn.execute("UPDATE leads_exportacao SET linhas_escritas = %s WHERE id = %s", [rows, job.pk])


def _write_csv(path: Path, query: str, params: tuple[object, ...], job: Exportacao) -> int:
    rows = 0
    with path.open("wb") as handle, connection.cursor() as cursor:
        handle.write(csv_header())
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                handle.write(block)
                rows += bytes(block).count(b"\n")
                _progress(job, rows)
    return rows


def csv_header() -> bytes:
    return (",".join(selectors.EXPORT_COLUMNS) + "\n").encode()


def xlsx_write(path: Path, query: str, params: tuple[object, ...], job: Exportacao | None = None) -> int:
    """Write the rows of an export query to an XLSX file (openpyxl write-only); returns rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("leads")
    sheet.append(selectors.EXPORT_COLUMNS)
    numbers = [column.kind == "number" for column in selectors.EXPORT_FIELDS]
    rows = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        pending = b""
        for block in copy:
            pending += bytes(block)
            lines, _, pending = pending.rpartition(b"\n")
            for record in csv.reader(io.StringIO(lines.decode())):
                sheet.append([_cell(v, numeric) for v, numeric in zip(record, numbers, strict=True)])
                rows += 1
            if job is not None:
                _progress(job, rows)
    workbook.save(path)
    return rows


def _cell(value: str, numeric: bool) -> object:
    """A cell as its column says: identifiers and codes stay text (a uc_id as a float loses digits)."""
    if value == "":
        return None
    if not numeric:
        return value
    return int(value) if value.lstrip("-").isdigit() else float(value)
