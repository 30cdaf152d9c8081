"""BDGD import: a geodatabase as ANEEL publishes it into intel_lead, one layer per transaction.

Each layer is streamed from GDAL into a temporary table with COPY, then normalised with SQL
(ingestion/sql.py) in the same transaction that deletes the layer's previous rows: readers see the old
layer or the new one, never a mix, and a failed or killed import leaves the previous data intact.
An advisory lock per distributor/year/layer keeps two imports of the same layer from running at once.
`import_status` rows are written on Django's connection (autocommit), so their progress is visible
while the data transaction runs on its own connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pcsv
from django.db import transaction
from django.utils import timezone

from leads.models import Distribuidora, StatusImportacao
from youon.lib.db import own_connection

from . import sql
from .models import ImportStatus
from .readers import bdgd

logger = logging.getLogger(__name__)

UNIT_LAYERS = ("UCAT", "UCMT", "UCBT")
ALL_LAYERS = ("PONNOT", *UNIT_LAYERS)
BATCH_ROWS = 50_000
ANALYZE_AFTER_ROWS = 10_000


class BdgdImportError(Exception):
    """An import that cannot proceed; the message is the one line the operator sees."""


@dataclass
class ImportOutcome:
    info: bdgd.FileInfo
    sha256: str
    statuses: list[ImportStatus] = field(default_factory=list)


def _file_layers(
    path: str | Path, layers: Iterable[str] | None, distribuidora: int | None, ano: int | None
) -> tuple[Any, bdgd.FileInfo, int, int, list[str], str]:
    """Open and identify a file: (dataset, info, distributor, year, layers in import order, sha256)."""
    wanted = [c.upper() for c in (layers or ALL_LAYERS)]
    unknown = [c for c in wanted if c not in ALL_LAYERS]
    if unknown:
        raise BdgdImportError(f"unknown layer(s) {', '.join(unknown)}: choose among {', '.join(ALL_LAYERS)}")
    try:
        dataset = bdgd.open_dataset(path)
        info = bdgd.file_info(path, dataset)
    except bdgd.BdgdError as exc:
        raise BdgdImportError(str(exc)) from exc
    dist = distribuidora or info.distribuidora
    year = ano or info.ano
    if dist is None or year is None:
        raise BdgdImportError(f"{path}: no distributor code or reference year in BASE or the file name; pass them")
    if not Distribuidora.objects.filter(cod_aneel=dist).exists():
        raise BdgdImportError(f"{path}: distributor {dist} is not in the reference data (run manage.py load_reference)")
    return dataset, info, dist, year, [c for c in ALL_LAYERS if c in wanted], bdgd.sha256_of(path)


def bdgd_import_async(
    *,
    path: str | Path,
    layers: Iterable[str] | None = None,
    distribuidora: int | None = None,
    ano: int | None = None,
    force: bool = False,
) -> list[ImportStatus]:
    """Queue the import of a file on Celery: one task per layer, PONNOT first, chained, then the views refresh.

    The file must be readable at `path` by the workers (shared storage, or the same machine).
    Returns the pending `import_status` rows; the chain is sent when the transaction commits.
    """
    from celery import chain

    from leads.tasks import views_refresh

    from .tasks import bdgd_import_layer as layer_task

    _, _, dist, year, ordered, digest = _file_layers(path, layers, distribuidora, ano)
    with transaction.atomic():
        statuses = [
            ImportStatus.objects.create(
                distribuidora_id=dist, ano=year, camada=camada, arquivo=str(Path(path).resolve()), sha256=digest
            )
            for camada in ordered
        ]
        workflow = chain(*(layer_task.si(s.pk, force) for s in statuses), views_refresh.si())
        transaction.on_commit(workflow.apply_async)
    return statuses


def bdgd_import_catalog(*, ano: int, distribuidora: int | None = None, force: bool = False) -> list[str]:
    """Queue the import of every published BDGD of a year (one per distributor): a Celery group over files.

    Each file is one task that downloads it on whichever worker takes it and imports its layers there,
    so the group spreads over all workers of all machines; the summaries refresh when all are done.
    Returns the queued item ids.
    """
    from celery import chord

    from leads.tasks import views_refresh

    from . import catalog
    from .tasks import bdgd_fetch_and_import

    items = catalog.catalog_list(distribuidora=distribuidora, ano=ano)
    items = [i for i in items if not i.extra]  # the year's regular release of each distributor
    if items:
        chord(bdgd_fetch_and_import.si(i.item_id, force) for i in items)(views_refresh.si())
    return [i.item_id for i in items]


def import_failed(status: ImportStatus, error: str) -> None:
    status.status, status.erro, status.finalizado_em = StatusImportacao.FAILED, error, timezone.now()
    status.save(update_fields=["status", "erro", "finalizado_em"])


def bdgd_import(
    *,
    path: str | Path,
    layers: Iterable[str] | None = None,
    distribuidora: int | None = None,
    ano: int | None = None,
    force: bool = False,
    progress: Callable[[ImportStatus], None] | None = None,
    item_id: str = "",
) -> ImportOutcome:
    """Import the requested layers of a BDGD file (PONNOT first, then the unit layers).

    A layer the file lacks gets a failed `import_status` row naming it; the other layers still import.
    Raises BdgdImportError when the file itself cannot be read or names an unknown distributor.
    """
    dataset, info, dist, year, ordered, digest = _file_layers(path, layers, distribuidora, ano)
    outcome = ImportOutcome(info=info, sha256=digest)
    for camada in ordered:
        status = ImportStatus.objects.create(
            distribuidora_id=dist, ano=year, camada=camada, arquivo=str(path), sha256=digest, item_id=item_id
        )
        bdgd_import_layer(status=status, dataset=dataset, force=force, progress=progress)
        outcome.statuses.append(status)
    return outcome


def bdgd_import_layer(
    *,
    status: ImportStatus,
    dataset: Any,
    force: bool = False,
    progress: Callable[[ImportStatus], None] | None = None,
) -> ImportStatus:
    """Import one layer described by a pending `import_status` row; the row ends completed or failed.

    Idempotent: the same file (sha256) already imported for the layer is a no-op unless `force`.
    """
    params = {"dist": status.distribuidora_id, "ano": status.ano, "camada": status.camada}
    started = time.monotonic()
    status.status, status.iniciado_em = StatusImportacao.RUNNING, timezone.now()
    status.save(update_fields=["status", "iniciado_em"])
    try:
        reader = bdgd.layer_reader(dataset, status.camada)
        if reader is None:
            raise bdgd.BdgdError(f"{bdgd.LAYERS[status.camada].layer} is not in this geodatabase")
        with own_connection() as conn:
            with conn.cursor() as cur:
                # Sorts and hashes of a layer of millions of rows stay in memory; inserts in key order.
                cur.execute("SET LOCAL work_mem = '256MB'")
                # If this process dies, the server notices within seconds and rolls back, releasing the lock.
                cur.execute("SET client_connection_check_interval = '2s'")
                cur.execute("SELECT pg_advisory_xact_lock(intel_lead.hash_id(%s, %s, %s, %s))",
                            [status.distribuidora_id, "import", status.ano, status.camada])  # fmt: skip
                finished = ImportStatus.objects.filter(pk=status.pk, status__in=["completed", "failed"]).first()
                if finished is not None:  # a redelivered task whose first run finished while we waited
                    return finished
                previous = _same_file_imported(status) if not force else None
                if previous is not None:
                    status.relatorio = {"sem_alteracao": True, "importacao_anterior": previous}
                else:
                    _interrupt_stale(status)
                    if status.camada == "PONNOT":
                        report = _import_points(cur, reader, dataset, status, params, progress)
                    else:
                        report = _import_units(cur, reader, status, params, progress)
                    status.relatorio = report
            conn.commit()
            if status.camada != "PONNOT" and status.linhas_inseridas >= ANALYZE_AFTER_ROWS:
                _analyze(conn)
    except (bdgd.BdgdError, RuntimeError, psycopg.Error) as exc:
        status.status = StatusImportacao.FAILED
        status.erro = _one_line(exc)
        logger.warning("import %s %s/%s failed: %s", status.camada, status.distribuidora_id, status.ano, status.erro)
    else:
        status.status = StatusImportacao.COMPLETED
    status.finalizado_em = timezone.now()
    status.relatorio = {**status.relatorio, "duracao_s": round(time.monotonic() - started, 3)}
    status.save()
    return status


def _analyze(conn: psycopg.Connection[Any]) -> None:
    """Fresh statistics now, not whenever autovacuum gets there: list plans depend on them.

    The layer is already committed: a failure here is logged, not reported as a failed import.
    """
    try:
        conn.autocommit = True
        conn.execute(
            "ANALYZE intel_lead.lead_bruto, intel_lead.lead_energia_mensal, "
            "intel_lead.lead_demanda_mensal, intel_lead.lead_qualidade_mensal"
        )
    except psycopg.Error as exc:
        logger.warning("ANALYZE after import failed: %s", exc)


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _same_file_imported(status: ImportStatus) -> int | None:
    return (
        ImportStatus.objects.filter(
            distribuidora_id=status.distribuidora_id,
            ano=status.ano,
            camada=status.camada,
            sha256=status.sha256,
            status=StatusImportacao.COMPLETED,
            relatorio__sem_alteracao__isnull=True,
        )
        .exclude(pk=status.pk)
        .order_by("-finalizado_em")
        .values_list("pk", flat=True)
        .first()
    )


def _interrupt_stale(status: ImportStatus) -> None:
    """Rows still 'running' for this layer belong to imports that died: we hold the layer's lock."""
    ImportStatus.objects.filter(
        distribuidora_id=status.distribuidora_id, ano=status.ano, camada=status.camada, status="running"
    ).exclude(pk=status.pk).update(
        status=StatusImportacao.FAILED,
        erro="interrupted: the worker stopped before the end",
        finalizado_em=timezone.now(),
    )


def _stage(
    cur: psycopg.Cursor[Any],
    reader: bdgd.LayerReader,
    table: str,
    status: ImportStatus | None,
    progress: Callable[[ImportStatus], None] | None,
) -> int:
    """COPY the layer into a temporary table in batches (Arrow -> CSV -> COPY); returns rows read."""
    cur.execute(sql.staging_table(reader.spec, table))
    rows = 0
    options = pcsv.WriteOptions(include_header=False)
    with cur.copy(sql.copy_into(reader.spec, table)) as copy:
        for batch in reader.batches(BATCH_ROWS):
            n = batch.num_rows
            batch = batch.add_column(0, "rn", pa.array(np.arange(rows + 1, rows + n + 1, dtype=np.int64)))
            sink = pa.BufferOutputStream()
            pcsv.write_csv(batch, sink, options)
            copy.write(memoryview(sink.getvalue()))
            rows += n
            if status is not None:
                status.linhas_lidas = rows
                ImportStatus.objects.filter(pk=status.pk).update(linhas_lidas=rows)
                if progress:
                    progress(status)
    return rows


def _import_points(
    cur: psycopg.Cursor[Any],
    reader: bdgd.LayerReader,
    dataset: Any,
    status: ImportStatus,
    params: dict[str, object],
    progress: Callable[[ImportStatus], None] | None,
) -> dict[str, object]:
    rows = _stage(cur, reader, "stg", status, progress)
    transformers = bdgd.layer_reader(dataset, "UNTRMT")
    tr_rows = _stage(cur, transformers, "stg_tr", None, None) if transformers else 0
    cur.execute(sql.DELETE_POINTS, params)
    replaced = cur.rowcount
    cur.execute(sql.insert_points("stg", "PONNOT"), params)
    points = cur.rowcount
    tr_points = 0
    if transformers:
        cur.execute(sql.insert_points("stg_tr", "UNTRMT"), params)
        tr_points = cur.rowcount
    cur.execute(sql.RELOCATE_UNITS, params)
    relocated = cur.rowcount
    cur.execute("SELECT count(*) FROM stg WHERE cod_id IS NULL")
    (no_code,) = cur.fetchone() or (0,)
    cur.execute("SELECT count(*) FROM stg WHERE x IS NULL OR y IS NULL")
    (no_geometry,) = cur.fetchone() or (0,)
    status.linhas_lidas = rows
    status.linhas_inseridas = points
    status.linhas_rejeitadas = no_code
    status.linhas_mescladas = rows - no_code - points
    return {
        "pontos": points,
        "pontos_sem_geometria": no_geometry,
        "transformadores_untrmt": tr_points,
        "linhas_untrmt": tr_rows,
        "untrmt_ausente": transformers is None,
        "pontos_substituidos": replaced,
        "unidades_relocalizadas": relocated,
    }


def _import_units(
    cur: psycopg.Cursor[Any],
    reader: bdgd.LayerReader,
    status: ImportStatus,
    params: dict[str, object],
    progress: Callable[[ImportStatus], None] | None,
) -> dict[str, object]:
    key = "cod_id" if "COD_ID" in reader.source else "pac"
    rows = _stage(cur, reader, "stg", status, progress)
    for statement in sql.units(reader.spec, key):
        cur.execute(statement, params)
    cur.execute(sql.COUNT_LAYER, params)
    (before,) = cur.fetchone() or (0,)
    for statement in sql.REPLACE_PREVIOUS:
        cur.execute(statement, params)
    removed = cur.rowcount
    cur.execute(sql.insert_units(reader.spec), params)
    units = cur.rowcount
    for statement in sql.insert_monthly(reader.spec):
        cur.execute(statement, params)
    cur.execute(f"SELECT count(*) FROM stg WHERE {key} IS NULL")
    (no_key,) = cur.fetchone() or (0,)
    cur.execute(sql.UNKNOWN_CODES, params)
    unknown: dict[str, dict[str, int]] = {}
    for column, code, count in cur.fetchall():
        unknown.setdefault(column, {})[code] = count
    cur.execute(sql.LOCATION_ROUTES, params)
    by_point, by_transformer, unlocated = cur.fetchone() or (0, 0, 0)
    cur.execute("SELECT count(*) FROM stg WHERE dat_con = '01/01/2000'")
    (placeholder_dates,) = cur.fetchone() or (0,)
    status.linhas_lidas = rows
    status.linhas_inseridas = units
    status.linhas_rejeitadas = no_key
    status.linhas_mescladas = rows - no_key - units
    return {
        "chave": "COD_ID" if key == "cod_id" else "PAC (o arquivo não tem COD_ID)",
        "unidades": units,
        "unidades_atualizadas": before - removed,
        "unidades_removidas": removed,
        "codigos_desconhecidos": unknown,
        "localizacao": {"ponto_notavel": by_point, "transformador": by_transformer, "sem_localizacao": unlocated},
        "datas_placeholder_01_01_2000": placeholder_dates,
        "colunas_ausentes": sorted(c.name for c in reader.columns if c.name not in reader.source),
    }
