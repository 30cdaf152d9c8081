"""Writes to intel_lead: reference data and the materialized summaries."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from youon.lib import http, memory
from youon.lib.db import copy_upsert, own_connection

from . import refdata, selectors, tarifas
from .models import (
    SCHEMA,
    Exportacao,
    ParametrosScore,
    ScoreExecucao,
    SegmentoAutomatico,
    StatusImportacao,
)  # fmt: skip

logger = logging.getLogger(__name__)

MATERIALIZED_VIEWS = (
    "resumo_energia_por_municipio", "resumo_distribuidora_ano", "resumo_segmento", "mapa_celula", "mapa_celula_resumo",
)  # fmt: skip


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
    from . import tiles

    tiles.tiles_invalidate()  # the cells and the units' figures may have changed
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


class ExportLimitError(Exception):
    """The user already has as many export jobs running as they may; the message says so."""


def export_create(*, user_id: int, formato: str, filtros: dict[str, str]) -> Exportacao:
    """Record an export job (its filters, ordering and limit validated first); the caller queues it.

    A user has at most EXPORT_JOBS_POR_USUARIO jobs pending or running (ExportLimitError): their row is
    locked while counting, so two requests at once cannot both pass."""
    selectors.lead_export_sql(params=filtros)  # raises ValidationError naming a bad parameter
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user_id).first()
        running = Exportacao.objects.filter(
            dono_id=user_id, status__in=[StatusImportacao.PENDING, StatusImportacao.RUNNING]
        ).count()
        if running >= settings.EXPORT_JOBS_POR_USUARIO:
            raise ExportLimitError(
                f"você já tem {running} exportações em andamento; o limite é {settings.EXPORT_JOBS_POR_USUARIO}: "
                "aguarde uma terminar"
            )
        return Exportacao.objects.create(dono_id=user_id, formato=formato, filtros=filtros)


def exports_purge(*, older_than: timedelta | None = None) -> int:
    """Delete export jobs (and their files) created more than EXPORT_RETENCAO_DIAS ago; returns how many.
    Idempotent; a file already gone is no error."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.EXPORT_RETENCAO_DIAS))
    old = list(Exportacao.objects.filter(criado_em__lt=cutoff))
    for job in old:
        if job.arquivo:
            Path(job.arquivo).unlink(missing_ok=True)
    Exportacao.objects.filter(pk__in=[job.pk for job in old]).delete()
    if old:
        logger.info("purged %d export jobs older than %s", len(old), cutoff.isoformat())
    return len(old)


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
        with selectors.export_copy(cursor, query, params) as copy:
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
        selectors.export_copy(cursor, query, params) as copy,
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


def tariffs_import(*, path: Path) -> dict[str, int]:
    """Load ANEEL's tariff file: new rows inserted, changed rows updated, in one transaction.

    Idempotent (the same file again changes nothing); a bad line raises TarifaError naming it and
    nothing is written. A key the file repeats keeps its last row."""
    unique = {tuple(getattr(linha, k) for k in tarifas.KEY): linha for linha in tarifas.read(path)}
    with transaction.atomic():
        changed = copy_upsert(
            table=(SCHEMA, "tarifa"),
            key=tarifas.KEY,
            columns=tarifas.FIELDS,
            rows=(linha.row() for linha in unique.values()),
        )
    return {"linhas": len(unique), "inseridas_ou_alteradas": changed}


def tariffs_fetch(*, url: str | None = None) -> dict[str, object]:
    """Download ANEEL's tariff dataset (TARIFAS_URL) and load it. Idempotent."""
    url = url or settings.TARIFAS_URL
    target = Path(settings.DATA_DIR) / "aneel" / http.file_name(url, "tarifas-homologadas.csv")
    try:
        path = http.download(url, target, timeout=settings.TARIFAS_HTTP_TIMEOUT)
        return {"url": url, **tariffs_import(path=path)}
    except tarifas.TarifaError as exc:
        raise tarifas.TarifaError(f"{url}: {exc}") from exc


# --- Lead scores ------------------------------------------------------------------------------------

_SCORE_FEATURES = """
    SELECT l.uc_id, l.distribuidora_id, l.ano, l.camada::text AS camada, l.grupo_tensao_id AS grupo_tensao,
           l.grupo_tarifario_id AS grupo_tarifario, l.classe_consumo_id AS classe, l.cnae_id AS cnae,
           l.segmento_mercado_id AS segmento, l.municipio_id AS municipio, l.conj,
           -- Already free: the BDGD's LIV, or found among CCEE's free-market loads (enrichment step ccee).
           (l.livre OR EXISTS (SELECT 1 FROM intel_lead.lead_mercado_livre ml WHERE ml.uc_id = l.uc_id)) AS livre,
           l.ceg_gd IS NOT NULL AS gd, l.energia_anual_kwh AS energia, l.demanda_pico_kw AS demanda_pico,
           coalesce(nullif(l.demanda_contratada_kw, 0), l.pac) AS demanda_contratada, l.media_dic, l.media_fic,
           l.tip_cc, l.situacao, l.area_localizacao AS area, p.energia_ponta AS energia_ponta_ucat
    FROM intel_lead.lead_bruto l
    LEFT JOIN (
        SELECT uc_id, distribuidora_id, ano, sum(energia_ponta_kwh) AS energia_ponta
        FROM intel_lead.lead_energia_mensal WHERE origem = 'UCAT' {monthly} GROUP BY 1, 2, 3
    ) p ON l.camada = 'UCAT' AND p.uc_id = l.uc_id AND p.distribuidora_id = l.distribuidora_id AND p.ano = l.ano
    WHERE true {units}"""
_SCORE_COLUMNS = (
    "uc_id", "distribuidora_id", "ano", "camada", "score_acl", "valor_acl", "elegivel_acl_desde", "score_arbitragem",
    "valor_arbitragem", "payback_arbitragem", "score_backup", "valor_backup", "score_gtd", "valor_gtd",
    "melhor_oferta", "razoes_bits", "execucao_id", "segmento_id", "energia_kwh", "ponta", "energia_ponta_kwh",
    "fonte_ponta", "fator_carga", "fator_carga_ponta", "demanda_kw", "bateria_kwh", "ganho_rs_kwh",
    "tarifa_ponta_rs_kwh", "tarifa_fora_ponta_rs_kwh", "fonte_tarifa", "dic_ano_h", "fic_ano",
    "energia_nao_suprida_kwh", "criticidade",
)  # fmt: skip
_INTEGER_COLUMNS = ("score_acl", "score_arbitragem", "score_backup", "score_gtd", "segmento_id")
SCORE_LOCK = 0x5C0E  # advisory lock of a scoring run (one at a time: they rewrite the same rows)


def score_refresh(*, distribuidora: int | None = None, ano: int | None = None, on: date | None = None) -> ScoreExecucao:
    """Score every unit (or one distributor / year) for the four offers and replace their scores.

    Set-based: the units' figures are read in one query, scored as arrays (leads.scoring) and written
    back with COPY in one transaction, so readers see the old scores until the new ones are all in.
    Tariffs are those in force on `on` (default today). Idempotent; one run at a time (advisory lock)."""
    import pandas as pd

    from . import scoring, segmentos

    started = time.monotonic()
    stored = ParametrosScore.atual()
    params = scoring.Parametros(**{f: getattr(stored, f) for f in scoring.Parametros.__dataclass_fields__})
    units_where, monthly_where, args = "", "", []
    for column, value in (("distribuidora_id", distribuidora), ("ano", ano)):
        if value is not None:
            units_where += f" AND l.{column} = %s"
            monthly_where += f" AND {column} = %s"
            args.append(value)
    query = _SCORE_FEATURES.format(units=units_where, monthly=monthly_where)
    with tempfile.TemporaryFile() as buffer:
        with connection.cursor() as cursor:
            copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(copy_sql, [*args, *args]) as copy:
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        # Codes as categories: a few bytes a unit instead of a Python string each.
        units = pd.read_csv(
            buffer, true_values=["t"], false_values=["f"],
            dtype={
                **{c: "category" for c in ("grupo_tensao", "grupo_tarifario", "classe", "cnae", "segmento",
                                           "municipio", "tip_cc", "camada", "situacao", "area")},
                **{c: "float32" for c in ("demanda_pico", "demanda_contratada", "media_dic",
                                          "media_fic", "energia_ponta_ucat")},
            },
        )  # fmt: skip
    memory.release()  # the parser's buffers
    peaks = pd.DataFrame(
        selectors.curve_peaks(distribuidora=distribuidora, ano=ano),
        columns=["distribuidora_id", "ano", "tip_cc", "ponta_curva", "pico_ponta_curva"],
    )
    tariffs = pd.DataFrame(
        selectors.tariffs_in_force(on=on or timezone.localdate()),
        columns=["distribuidora_id", "grupo_tarifario", "tarifa_ponta", "tarifa_fora_ponta", "te_ponta",
                 "te_fora_ponta", "fonte_tarifa"],
    )  # fmt: skip
    _lookup(units, peaks, ["distribuidora_id", "ano", "tip_cc"])
    _lookup(units, tariffs, ["distribuidora_id", "grupo_tarifario"])
    scored = scoring.pontuar(units, params)
    memory.release()  # the formulas' intermediates
    found = segmentos.segmentar(
        pd.concat([scored[list(segmentos.COLUNAS_SCORE)], units[["energia", "grupo_tensao", "classe", "area"]]], axis=1)
    )
    memory.release()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCORE_LOCK])
        run = ScoreExecucao.objects.create(
            versao=scoring.VERSAO, parametros=params.as_dict(), distribuidora_id=distribuidora, ano=ano,
            unidades=len(scored), k_segmentos=found.k or None,
            silhuetas={str(k): v for k, v in found.silhuetas.items()},
        )  # fmt: skip
        ids = {
            row["numero"]: SegmentoAutomatico.objects.create(
                execucao=run, **{k: None if isinstance(v, float) and v != v else v for k, v in row.items()}
            ).pk
            for row in found.segmentos.to_dict("records")
        }
        scored["segmento_id"] = pd.Series(found.rotulos, index=scored.index).map(ids)
        for column in ("distribuidora_id", "ano", "camada"):
            scored[column] = units[column]
        del units
        _scores_write(scored, run.pk, distribuidora, ano)
        # Earlier runs within this one's scope were replaced: kept for the record, no longer current.
        older = ScoreExecucao.objects.filter(ativa=True).exclude(pk=run.pk)
        if distribuidora is not None:
            older = older.filter(distribuidora_id=distribuidora)
        if ano is not None:
            older = older.filter(ano=ano)
        older.update(ativa=False)
        with connection.cursor() as cursor:  # the planner must know the new rows before lists rank by them
            cursor.execute("ANALYZE intel_lead.lead_score")
        run.duracao_s = round(time.monotonic() - started, 2)
        run.save(update_fields=["duracao_s"])
    logger.info("scored %d units in %.1f s", len(scored), run.duracao_s)
    return run


def _lookup(units: Any, table: Any, keys: list[str]) -> None:
    """Add `table`'s other columns to `units` by its key columns, in place: a left join that builds only
    an array of positions, not a second copy of the frame."""
    import numpy as np
    import pandas as pd

    values = [c for c in table.columns if c not in keys]

    def frame_keys(frame: Any) -> Any:
        return pd.MultiIndex.from_arrays([frame[k].astype(object) for k in keys])

    positions = frame_keys(table).get_indexer(frame_keys(units)) if len(table) else np.full(len(units), -1)
    found = positions >= 0
    for column in values:
        source = table[column].to_numpy()
        picked = np.full(len(units), np.nan if source.dtype.kind == "f" else None, dtype=source.dtype)
        if len(source):
            picked[found] = source[positions[found]]
        units[column] = picked


def _scores_write(scored: Any, run_id: int, distribuidora: int | None, ano: int | None) -> None:
    """Replace the scores of the run's scope with `scored`, in the caller's transaction: one DELETE, then
    the frame as CSV (written by Arrow) straight into lead_score by COPY. A unit that left the registry
    meanwhile fails the foreign key and the whole run, which the next one redoes."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    scope, args = "", []
    for column, value in (("distribuidora_id", distribuidora), ("ano", ano)):
        if value is not None:
            scope += f" AND {column} = %s"
            args.append(value)
    scored["execucao_id"] = run_id
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    columns = sql.SQL(", ").join(map(sql.Identifier, _SCORE_COLUMNS))
    with connection.cursor() as cursor:
        pg = cursor.cursor
        # Scores are recomputed from the units whenever needed: they need not wait for the WAL flush.
        pg.execute("SET LOCAL synchronous_commit = off")
        pg.execute(f"DELETE FROM intel_lead.lead_score WHERE true {scope}", args)
        copy_sql = sql.SQL("COPY intel_lead.lead_score ({c}) FROM STDIN WITH (FORMAT csv)").format(c=columns)
        with pg.copy(copy_sql) as copy:
            for start in range(0, len(scored), 100_000):  # a chunk at a time: no second copy of the frame
                chunk = scored.iloc[start : start + 100_000][list(_SCORE_COLUMNS)]
                chunk = chunk.astype({c: "Int64" for c in _INTEGER_COLUMNS})
                chunk["elegivel_acl_desde"] = pd.to_datetime(chunk["elegivel_acl_desde"]).dt.date
                buffer = pa.BufferOutputStream()
                pa_csv.write_csv(pa.Table.from_pandas(chunk, preserve_index=False), buffer, options)
                copy.write(buffer.getvalue().to_pybytes())
                del chunk, buffer
                memory.release()  # Arrow's pool would keep each chunk's buffers
