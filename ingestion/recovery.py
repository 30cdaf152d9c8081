"""Imports whose worker was lost: heartbeats while an import runs, and the detector that queues them again.

A worker killed outright (SIGKILL, out of memory, a lost machine) acknowledges nothing, and Redis hands its
message to another worker only after the visibility timeout (hours, since it must exceed the longest import).
The database knows sooner: a running import writes `batimento_em` every IMPORT_HEARTBEAT_INTERVAL_S on a
connection of its own, and holds its layer's advisory lock on another, which PostgreSQL releases when the
worker's session ends. A row still 'running' with an old heartbeat and a free lock has lost its worker.
Every step is appended to the row's `historico`, which `import_bdgd --wait` and the admin show.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils import timezone

from leads.models import StatusImportacao
from youon.lib.db import own_connection

from . import partitions
from .models import ImportStatus

logger = logging.getLogger(__name__)

_BEAT = "UPDATE intel_lead.import_status SET batimento_em = now() WHERE id = %s AND status = 'running'"


def worker_name() -> str:
    """host:pid of this process (a prefork child has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def event(evento: str, **details: object) -> RawSQL:
    """An UPDATE value appending one event (with the database's time) to `historico`."""
    return RawSQL(
        "historico || jsonb_build_array(jsonb_build_object('em', now(), 'evento', %s::text) || %s::jsonb)",
        [evento, json.dumps(details, default=str)],
    )


def claim(status: ImportStatus, *, resend: dict[str, Any] | None = None) -> bool:
    """Mark a pending row (or one a redelivered task finds running) as running on this worker; refreshes `status`.

    Returns False, touching nothing, when the row has already ended. `resend` (the Celery task's arguments and
    the rest of its chain) is kept so that the detector can send the task again.
    """
    fields: dict[str, Any] = {
        "status": StatusImportacao.RUNNING,
        "iniciado_em": timezone.now(),
        "worker": worker_name(),
        "batimento_em": Now(),
        "historico": RawSQL(
            "historico || jsonb_build_array(jsonb_build_object("
            "'em', now(), 'evento', 'iniciada', 'worker', %s::text, 'tentativa', tentativa))",
            [worker_name()],
        ),
    }
    if resend is not None:
        fields["reenvio"] = resend
    claimed = ImportStatus.objects.filter(
        pk=status.pk, status__in=[StatusImportacao.PENDING, StatusImportacao.RUNNING]
    ).update(**fields)
    status.refresh_from_db()
    return claimed == 1


@contextmanager
def heartbeat(status_id: int) -> Iterator[None]:
    """Write the row's `batimento_em` every IMPORT_HEARTBEAT_INTERVAL_S while the block runs.

    A thread on a connection of its own (autocommit), so the heartbeat is seen whatever the import's
    transactions are doing, and stops with the process when the worker is killed.
    """
    stop = threading.Event()

    def beat() -> None:
        conn: psycopg.Connection[Any] | None = None
        try:
            while not stop.wait(settings.IMPORT_HEARTBEAT_INTERVAL_S):
                try:
                    if conn is None or conn.closed:
                        conn = own_connection(autocommit=True)
                    conn.execute(_BEAT, [status_id])
                except psycopg.OperationalError as exc:  # tried again at the next beat, on a new connection
                    logger.warning("import #%s: heartbeat not written: %s", status_id, exc)
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    thread = threading.Thread(target=beat, name=f"import-{status_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def bdgd_import_recover(*, send: Callable[[ImportStatus], None]) -> list[ImportStatus]:
    """Mark the imports whose worker was lost, and queue each again through `send`, called on commit.

    Lost: 'running', no heartbeat for IMPORT_HEARTBEAT_TIMEOUT_S, and its layer's advisory lock free. A lost
    row goes back to 'pending' with its attempt counted, and `send` gets it to queue its task again; after
    IMPORT_MAX_ATTEMPTS, or when no Celery task started it (nothing to send again), it ends 'failed' and `send`
    gets it to carry on with the rest of its chain, as after any failed layer. Safe to run from several places
    at once: each row is taken with FOR UPDATE SKIP LOCKED and its lock tried in the same transaction.
    Returns the rows marked.
    """
    timeout = timedelta(seconds=settings.IMPORT_HEARTBEAT_TIMEOUT_S)
    stale = Q(status=StatusImportacao.RUNNING) & (
        Q(batimento_em__lt=Now() - timeout) | Q(batimento_em__isnull=True, iniciado_em__lt=Now() - timeout)
    )
    marked = []
    for pk in ImportStatus.objects.filter(stale).values_list("pk", flat=True):
        with transaction.atomic():
            status = ImportStatus.objects.select_for_update(skip_locked=True).filter(stale, pk=pk).first()
            if status is None:  # ended, or taken by another detector meanwhile
                continue
            with connection.cursor() as cursor:
                key = [status.distribuidora_id, status.ano, status.camada]
                cursor.execute(f"SELECT pg_try_advisory_xact_lock({partitions.LOCK_KEY})", key)
                (free,) = cursor.fetchone() or (False,)
            if not free:  # its worker (or another import of the layer) still holds the layer: alive
                logger.warning("import #%s: no heartbeat, but its layer's lock is held; left running", pk)
                continue
            _mark(status)
            transaction.on_commit(partial(send, status))
            marked.append(status)
    return marked


def _mark(status: ImportStatus) -> None:
    """Record the loss on a lost row: back to pending with the next attempt, or failed after the last one."""
    last = status.batimento_em or status.iniciado_em
    seen = timezone.localtime(last).strftime("%H:%M:%S") if last else "?"
    lost = event(
        "abandonada", worker=status.worker, ultimo_sinal=last.isoformat() if last else None, tentativa=status.tentativa
    )
    ImportStatus.objects.filter(pk=status.pk).update(historico=lost)
    if status.tentativa < settings.IMPORT_MAX_ATTEMPTS and status.reenvio:
        ImportStatus.objects.filter(pk=status.pk).update(
            status=StatusImportacao.PENDING,
            tentativa=status.tentativa + 1,
            historico=event("reenfileirada", tentativa=status.tentativa + 1),
        )
        logger.warning(
            "import #%s %s: worker %s lost (last heartbeat %s), queued again", status.pk, status.camada,
            status.worker, seen,
        )  # fmt: skip
    else:
        why = (
            f"{status.tentativa} attempt(s)"
            if status.reenvio
            else "it was not started by a Celery layer task, so there is nothing to send again"
        )
        erro = f"worker lost (last heartbeat {seen}); not queued again: {why}. Import the file again."
        ended = {"status": StatusImportacao.FAILED, "erro": erro, "finalizado_em": timezone.now()}
        ImportStatus.objects.filter(pk=status.pk).update(**ended, historico=event("falhou", erro=erro))
        logger.error("import #%s %s on %s: %s", status.pk, status.camada, status.worker, erro)
    status.refresh_from_db()
