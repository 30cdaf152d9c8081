"""BDGD import: a geodatabase as ANEEL publishes it into intel_lead, one layer per transaction.

Each layer is streamed from GDAL into a staging table with COPY, then normalised with SQL
(ingestion/sql.py) into new tables for the layer that are swapped in at the end (ingestion/partitions.py):
readers see the old layer or the new one, never a mix, and a failed or killed import leaves the previous
data intact.
An advisory lock per distributor/year/layer keeps two imports of the same layer from running at once.
`import_status` rows are written on Django's connection (autocommit), so their progress is visible
while the data transaction runs on its own connection.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pcsv
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leads.models import CurvaCarga, Distribuidora, StatusImportacao
from youon.lib.db import own_connection

from . import partitions, recovery, sql
from .models import ImportStatus, TarefaFila
from .readers import bdgd

logger = logging.getLogger(__name__)

UNIT_LAYERS = ("UCAT", "UCMT", "UCBT")
ALL_LAYERS = ("PONNOT", *UNIT_LAYERS)
BATCH_ROWS = 50_000


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

    from leads.tasks import enrich_layer, score_leads, views_refresh
    from quality.tasks import quality_refresh

    from .tasks import bdgd_import_layer as layer_task

    _, _, dist, year, ordered, digest = _file_layers(path, layers, distribuidora, ano)
    with transaction.atomic():
        statuses = [
            ImportStatus.objects.create(
                distribuidora_id=dist, ano=year, camada=camada, arquivo=str(Path(path).resolve()), sha256=digest
            )
            for camada in ordered
        ]
        workflow = chain(
            *(layer_task.si(s.pk, force) for s in statuses),
            views_refresh.si(),
            enrich_layer.si(dist, year),  # before the scores: they read the free-market marks
            score_leads.si(dist, year),
            quality_refresh.si(dist, year),
        )
        transaction.on_commit(workflow.apply_async)
    return statuses


def bdgd_import_catalog(*, ano: int, distribuidora: int | None = None, force: bool = False) -> list[str]:
    """Queue the import of every published BDGD of a year (one per distributor): a Celery group over files.

    Each file is one task that downloads it on whichever worker takes it and imports its layers there,
    so the group spreads over all workers of all machines; the summaries refresh when all are done.
    Returns the queued item ids.
    """
    from celery import chain, chord

    from leads.tasks import enrich_layer, views_refresh
    from quality.tasks import quality_refresh

    from . import catalog
    from .tasks import bdgd_fetch_and_import

    items = catalog.catalog_list(distribuidora=distribuidora, ano=ano)
    items = [i for i in items if not i.extra]  # the year's regular release of each distributor
    if items:
        chord(bdgd_fetch_and_import.si(i.item_id, force) for i in items)(
            chain(views_refresh.si(), enrich_layer.si(None, ano), quality_refresh.si())
        )
    return [i.item_id for i in items]


def import_failed(status: ImportStatus, error: str) -> None:
    status.status, status.erro, status.finalizado_em = StatusImportacao.FAILED, error, timezone.now()
    ended = {"status": status.status, "erro": error, "finalizado_em": status.finalizado_em}
    ImportStatus.objects.filter(pk=status.pk).update(**ended, historico=recovery.event("falhou", erro=error))


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
    resend: dict[str, Any] | None = None,
) -> ImportStatus:
    """Import one layer described by a pending `import_status` row; the row ends completed or failed.

    Idempotent: the same file (sha256) already imported for the layer is a no-op unless `force`; a row that
    has already ended is returned as it is. While it runs the row carries a heartbeat (ingestion/recovery.py);
    `resend` is what the detector sends again if this worker is lost (the Celery task passes it).
    """
    if not recovery.claim(status, resend=resend):
        return status
    with recovery.heartbeat(status.pk):
        _import_layer(status, dataset, force, progress)
    return status


def _import_layer(
    status: ImportStatus, dataset: Any, force: bool, progress: Callable[[ImportStatus], None] | None
) -> None:
    params = {"dist": status.distribuidora_id, "ano": status.ano, "camada": status.camada}
    started = time.monotonic()
    try:
        reader = bdgd.layer_reader(dataset, status.camada)
        if reader is None:
            raise bdgd.BdgdError(f"{bdgd.LAYERS[status.camada].layer} is not in this geodatabase")
        with own_connection() as conn:
            with conn.cursor() as cur:
                # If this process dies, the server notices within seconds and ends the session, releasing
                # the lock; what the import had built aside is dropped by the next import of the layer.
                cur.execute("SET client_connection_check_interval = '2s'")
                layer = partitions.Layer(status.distribuidora_id, status.ano, status.camada, tag=str(status.pk))
                cur.execute(f"SELECT pg_advisory_lock({partitions.LOCK_KEY})", partitions.lock_params(layer))
                conn.commit()
                if not ImportStatus.objects.filter(pk=status.pk, status="running").exists():
                    # A redelivered task whose first run ended while we waited, or a row the detector took
                    # from us while we waited: it is another run's now.
                    status.refresh_from_db()
                    return
                previous = _same_file_imported(status) if not force else None
                if previous is not None:
                    status.relatorio = {"sem_alteracao": True, "importacao_anterior": previous}
                else:
                    _interrupt_stale(status)
                    if status.camada == "PONNOT":
                        # Sorts and hashes of a layer of millions of rows stay in memory.
                        cur.execute("SET LOCAL work_mem = '256MB'")
                        status.relatorio = _import_points(cur, reader, dataset, status, params, progress)
                        conn.commit()
                    else:
                        status.relatorio = _import_units(conn, reader, status, params, progress)
                        status.relatorio["curvas_de_carga"] = curves_import(
                            dataset=dataset, distribuidora=status.distribuidora_id, ano=status.ano
                        )
    except (bdgd.BdgdError, RuntimeError, psycopg.Error) as exc:
        status.status = StatusImportacao.FAILED
        status.erro = _one_line(exc)
        logger.warning("import %s %s/%s failed: %s", status.camada, status.distribuidora_id, status.ano, status.erro)
    else:
        status.status = StatusImportacao.COMPLETED
    status.finalizado_em = timezone.now()
    status.relatorio = {**status.relatorio, "duracao_s": round(time.monotonic() - started, 3)}
    if status.status == StatusImportacao.COMPLETED:
        ended = recovery.event("concluida")
    else:
        ended = recovery.event("falhou", erro=status.erro)
    # Only while the row is still this run's (the detector never takes a row whose lock or heartbeat is alive).
    ImportStatus.objects.filter(pk=status.pk, status=StatusImportacao.RUNNING).update(
        historico=ended, **{f: getattr(status, f) for f in _RESULT_FIELDS}
    )


_RESULT_FIELDS = (
    "status", "erro", "finalizado_em", "relatorio", "linhas_lidas", "linhas_inseridas", "linhas_mescladas",
    "linhas_rejeitadas",
)  # fmt: skip


def curves_import(*, dataset: Any, distribuidora: int, ano: int) -> int:
    """Store the file's typical load curves (CRVCRG) for its distributor and year; returns how many.

    Idempotent: the year's curves are replaced in one transaction (a few hundred rows)."""
    curves = bdgd.read_curves(dataset)
    with transaction.atomic():
        CurvaCarga.objects.filter(distribuidora_id=distribuidora, ano=ano).delete()
        CurvaCarga.objects.bulk_create(
            CurvaCarga(distribuidora_id=distribuidora, ano=ano, cod_id=c.cod_id, tipo_dia=c.tipo_dia,
                       potencias=list(c.potencias))
            for c in {(c.cod_id, c.tipo_dia): c for c in curves}.values()
        )  # fmt: skip
    return len(curves)


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
        historico=recovery.event("interrompida", por=status.pk),
    )


def _stage(
    cur: psycopg.Cursor[Any],
    reader: bdgd.LayerReader,
    table: str,
    status: ImportStatus | None,
    progress: Callable[[ImportStatus], None] | None,
    *,
    unlogged: bool = False,
) -> int:
    """COPY the layer into a staging table in batches (Arrow -> CSV -> COPY); returns rows read."""
    cur.execute(sql.staging_table(reader.spec, table, unlogged=unlogged))
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
    conn: psycopg.Connection[Any],
    reader: bdgd.LayerReader,
    status: ImportStatus,
    params: dict[str, object],
    progress: Callable[[ImportStatus], None] | None,
) -> dict[str, object]:
    """Stage a unit layer, build its new tables aside and swap them in (ingestion/partitions.py).

    Commits as it goes (the working and new tables must be visible to the other connections that build
    at the same time); readers see nothing of it until the swap's commit. On any failure the tables it
    built are dropped and the layer's current tables stay as they were.
    """
    layer = partitions.Layer(status.distribuidora_id, status.ano, status.camada, tag=str(status.pk))
    working = layer.staging("mensal")
    mensal = partitions.q(working)
    staged = layer.staging("stg")
    stg = partitions.q(staged)
    built = [layer.new(t) for t in (partitions.UNITS, *partitions.MONTHLY)]
    key = "cod_id" if "COD_ID" in reader.source else "pac"
    cur = conn.cursor()
    _tune(cur)
    partitions.drop(cur, partitions.leftovers(cur, layer))
    conn.commit()
    clock = _Clock()
    try:
        rows = _stage(cur, reader, stg, status, progress, unlogged=True)
        clock.lap("leitura_e_copy")
        for statement in sql.units(reader.spec, key, mensal, stg):
            cur.execute(statement, params)
        cur.execute(
            f"SELECT count(*) FILTER (WHERE {key} IS NULL), count(*) FILTER (WHERE dat_con = '01/01/2000') FROM {stg}"
        )
        no_key, placeholder_dates = cur.fetchone() or (0, 0)
        conn.commit()  # `mensal` is now visible to the second builder
        clock.lap("mescla")
        _build(conn, reader.spec, layer, mensal, stg, params, clock)
        new_units = partitions.q(layer.new(partitions.UNITS))
        cur.execute(f"SELECT count(*) FROM {new_units}")
        (units,) = cur.fetchone() or (0,)
        cur.execute(sql.unknown_codes(new_units))
        unknown: dict[str, dict[str, int]] = {}
        for column, code, count in cur.fetchall():
            unknown.setdefault(column, {})[code] = count
        cur.execute(sql.location_routes(new_units))
        by_point, by_transformer, unlocated = cur.fetchone() or (0, 0, 0)
        clock.lap("relatorio")
        swapped = _swap(conn, layer)
        clock.lap("troca")
    except BaseException:
        conn.rollback()
        partitions.drop(cur, [staged, working, *built])
        conn.commit()
        raise
    partitions.drop(cur, [staged, working])
    conn.commit()
    status.linhas_lidas = rows
    status.linhas_inseridas = units
    status.linhas_rejeitadas = no_key
    status.linhas_mescladas = rows - no_key - units
    return {
        "chave": "COD_ID" if key == "cod_id" else "PAC (o arquivo não tem COD_ID)",
        "unidades": units,
        "unidades_atualizadas": swapped.previous - swapped.removed,
        "unidades_removidas": swapped.removed,
        "codigos_desconhecidos": unknown,
        "localizacao": {"ponto_notavel": by_point, "transformador": by_transformer, "sem_localizacao": unlocated},
        "datas_placeholder_01_01_2000": placeholder_dates,
        "colunas_ausentes": sorted(c.name for c in reader.columns if c.name not in reader.source),
        "etapas_s": clock.laps,
    }


def _swap(conn: psycopg.Connection[Any], layer: partitions.Layer) -> partitions.SwapResult:
    """Swap the layer's tables in, waiting politely for readers: the exclusive locks are asked for with a
    short timeout and the swap is retried, so a long reader delays the import instead of every new
    reader queueing behind the import's lock request."""
    attempts, attempt = settings.BDGD_SWAP_ATTEMPTS, 0
    while True:
        attempt += 1
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.BDGD_SWAP_LOCK_TIMEOUT_MS}ms"])
                swapped = partitions.swap(cur, layer)
            conn.commit()
            return swapped
        except psycopg.errors.LockNotAvailable:
            conn.rollback()
            if attempt == attempts:
                raise
            logger.info("swap of %s waits for readers (attempt %d of %d)", layer.prefix, attempt, attempts)
            time.sleep(min(attempt, 5) * 0.2)


def bdgd_layer_remove(*, distribuidora: int, ano: int, camada: str) -> int:
    """Remove a unit layer from the database (tables dropped whole, units unregistered); returns its units.

    Their enrichment and other per-unit results go with them. Takes the layer's import lock.
    """
    layer = partitions.Layer(distribuidora, ano, camada, tag="")
    with own_connection() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT pg_advisory_xact_lock({partitions.LOCK_KEY})", partitions.lock_params(layer))
        removed = partitions.remove(cur, layer)
        conn.commit()
    return removed


class _Clock:
    """Wall time of an import's steps, in seconds (`etapas_s` of the report); jobs run in parallel time themselves."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 3)
        self._last = now

    @contextmanager
    def span(self, name: str) -> Iterator[None]:
        """Time a block on its own (blocks running in parallel threads each get their figure)."""
        started = time.monotonic()
        yield
        self.laps[name] = round(time.monotonic() - started, 3)


def _tune(cur: psycopg.Cursor[Any]) -> None:
    """Session settings of a bulk build: sorts, hashes and index builds of millions of rows in memory.

    Every built table is new and attached only once complete, so a lost commit at a crash loses nothing
    the next import would not redo: commits need not wait for the WAL flush (the swap's does).
    """
    cur.execute("SET work_mem = '256MB'")
    cur.execute(f"SET maintenance_work_mem = '{settings.BDGD_IMPORT_MAINTENANCE_WORK_MEM}'")
    cur.execute("SET synchronous_commit = off")


def _build(
    conn: psycopg.Connection[Any],
    spec: bdgd.LayerSpec,
    layer: partitions.Layer,
    mensal: str,
    stg: str,
    params: dict[str, object],
    clock: _Clock,
) -> None:
    """Fill the layer's new unit and monthly tables, then their keys, indexes and constraints.

    Two connections work at once (one per core). `conn` fills the unit table and its primary key, then
    demand and quality; the other fills energy (twelve
    rows per unit) with its key; then each, as soon as it is free, takes the next of the unit table's
    index builds, so neither core waits for the other. Last, the unit table's constraints, and each connection validates
    monthly foreign keys towards the new unit table.
    """
    with conn.cursor() as cur:
        previous = partitions.current(cur, layer, partitions.UNITS)
    targets = {p: partitions.q(layer.new(p)) for p in partitions.MONTHLY}
    monthly = sql.insert_monthly(spec, targets, mensal, stg)
    indexes: queue.SimpleQueue[str] = queue.SimpleQueue()
    keyed = threading.Event()  # the unit table and its primary key are committed: its indexes can be built
    failed = threading.Event()

    def fill(cur: psycopg.Cursor[Any], parent: str) -> None:
        with clock.span(f"{parent}_linhas"):
            cur.execute(partitions.create(parent, layer))
            if parent in monthly:
                cur.execute(monthly[parent], params)
        with clock.span(f"{parent}_indices"):
            partitions.finish_monthly(cur, layer, parent)

    def build_indexes(cur: psycopg.Cursor[Any], name: str) -> None:
        while not keyed.wait(0.2):
            if failed.is_set():
                return  # the other connection failed: its error is the one raised
        with clock.span(f"indices_unidades_{name}"):
            while not failed.is_set():
                try:
                    statement = indexes.get_nowait()
                except queue.Empty:
                    break
                cur.execute(statement)
                cur.connection.commit()

    def units(cur: psycopg.Cursor[Any]) -> None:
        new_units = layer.new(partitions.UNITS)
        with clock.span("unidades_linhas"):
            cur.execute(partitions.create(partitions.UNITS, layer))
            old = partitions.q(previous) if previous else None
            cur.execute(sql.insert_units(spec, partitions.q(new_units), mensal, stg, old), params)
        with clock.span("unidades_chave"):
            for statement in partitions.key_units(cur, layer):
                indexes.put(statement)
        cur.connection.commit()
        keyed.set()
        fill(cur, "lead_demanda_mensal")
        fill(cur, "lead_qualidade_mensal")
        cur.connection.commit()
        build_indexes(cur, "a")

    def months(cur: psycopg.Cursor[Any]) -> None:
        fill(cur, "lead_energia_mensal")
        cur.connection.commit()
        build_indexes(cur, "b")

    def link(*parents: str) -> Callable[[psycopg.Cursor[Any]], None]:
        def job(cur: psycopg.Cursor[Any]) -> None:
            if partitions.UNITS in parents:
                with clock.span("unidades_restricoes"):
                    partitions.finish_units(cur, layer)
            for parent in parents:
                if parent != partitions.UNITS:
                    with clock.span(f"{parent}_fk"):
                        partitions.link_monthly(cur, layer, parent)

        return job

    with own_connection() as other:
        with other.cursor() as cur:
            _tune(cur)
        _in_parallel([(conn, units), (other, months)], failed)
        clock.lap("construcao")
        energy = link(partitions.UNITS, "lead_energia_mensal")
        others = link("lead_qualidade_mensal", "lead_demanda_mensal")
        _in_parallel([(conn, energy), (other, others)])
        clock.lap("restricoes_e_chaves_estrangeiras")


def _in_parallel(
    jobs: list[tuple[psycopg.Connection[Any], Callable[[psycopg.Cursor[Any]], None]]],
    failed: threading.Event | None = None,
) -> None:
    """Run each job on its connection at the same time (a job may commit as it goes); commit each at its
    end; on an error set `failed` (so the other jobs can stop waiting) and re-raise the first error."""

    def run(conn: psycopg.Connection[Any], job: Callable[[psycopg.Cursor[Any]], None]) -> None:
        try:
            with conn.cursor() as cur:
                job(cur)
            conn.commit()
        except BaseException:
            if failed is not None:
                failed.set()
            conn.rollback()
            raise

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, conn, job) for conn, job in jobs]
        for future in futures:
            future.result()


def tarefas_em_andamento(*, dono: Any, tipo: str, desde: timedelta) -> int:
    """How many of the user's jobs of `tipo`, queued within `desde`, have not ended (Celery's state)."""
    from celery.result import AsyncResult

    recent = TarefaFila.objects.filter(dono=dono, tipo=tipo, criada_em__gte=timezone.now() - desde)
    return sum(not AsyncResult(job.pk).ready() for job in recent)


def tarefa_registrar(*, tarefa_id: str, dono: Any, tipo: str) -> TarefaFila:
    """Record who queued the Celery job `tarefa_id`, so its status answers them alone."""
    return TarefaFila.objects.create(id=tarefa_id, dono=dono, tipo=tipo)
