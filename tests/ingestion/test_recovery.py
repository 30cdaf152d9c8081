"""Imports whose worker is lost: heartbeats, the detector, and a real worker killed mid-import."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ingestion import recovery
from ingestion.models import ImportStatus
from leads import models
from tests.conftest import start_worker, stop_worker
from tests.ingestion.conftest import MUX_2024, _wipe, committed
from youon.lib.db import own_connection

CHAIN = [{"task": "leads.tasks.views_refresh", "args": [], "kwargs": {}, "options": {}, "immutable": True}]


def running(*, silent_for: float, tentativa: int = 1, reenvio: dict[str, Any] | None = None) -> ImportStatus:
    """A UCBT row marked running on a worker whose last heartbeat was `silent_for` seconds ago."""
    started = timezone.now() - timedelta(seconds=silent_for + 1)
    return ImportStatus.objects.create(
        distribuidora_id=401, ano=2024, camada="UCBT", arquivo="/x.gdb.zip", status="running", worker="gone:1",
        iniciado_em=started, batimento_em=timezone.now() - timedelta(seconds=silent_for), tentativa=tentativa,
        reenvio={"force": False, "chain": CHAIN} if reenvio is None else reenvio,
    )  # fmt: skip


def events(status: ImportStatus) -> list[str]:
    status.refresh_from_db()
    return [e["evento"] for e in status.historico]


@pytest.fixture
def quick(settings: Any, clean_imports: None) -> None:
    settings.IMPORT_HEARTBEAT_INTERVAL_S = 1
    settings.IMPORT_HEARTBEAT_TIMEOUT_S = 5
    settings.IMPORT_MAX_ATTEMPTS = 3


def test_silent_import_with_a_free_lock_is_queued_again(quick: None) -> None:
    status = running(silent_for=30)
    sent: list[ImportStatus] = []
    assert recovery.bdgd_import_recover(send=sent.append) == [status]
    assert [s.pk for s in sent] == [status.pk] and sent[0].status == "pending"
    assert events(status) == ["abandonada", "reenfileirada"]
    assert status.status == "pending" and status.tentativa == 2
    assert status.historico[0]["worker"] == "gone:1" and status.historico[1]["tentativa"] == 2
    assert recovery.bdgd_import_recover(send=sent.append) == []  # taken once


def test_import_with_a_recent_heartbeat_is_left_running(quick: None) -> None:
    status = running(silent_for=1)
    assert recovery.bdgd_import_recover(send=lambda s: None) == []
    assert events(status) == [] and status.status == "running"


def test_silent_import_whose_lock_is_held_is_left_running(quick: None) -> None:
    status = running(silent_for=30)
    with own_connection(autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(intel_lead.hash_id(401, 'import', 2024, 'UCBT'))")
        assert recovery.bdgd_import_recover(send=lambda s: None) == []
    assert events(status) == [] and status.status == "running"


def test_import_lost_on_its_last_attempt_fails_and_its_chain_goes_on(quick: None) -> None:
    status = running(silent_for=30, tentativa=3)
    sent: list[ImportStatus] = []
    recovery.bdgd_import_recover(send=sent.append)
    assert events(status) == ["abandonada", "falhou"]
    assert status.status == "failed" and status.tentativa == 3
    assert "worker lost (last heartbeat" in status.erro and "3 attempt(s)" in status.erro
    assert sent[0].status == "failed"  # the sender carries on with the chain only


def test_lost_import_not_started_by_a_task_fails_with_the_reason(quick: None) -> None:
    status = running(silent_for=30, reenvio={})
    recovery.bdgd_import_recover(send=lambda s: None)
    status.refresh_from_db()
    assert status.status == "failed" and "not started by a Celery layer task" in status.erro


def test_heartbeat_beats_while_the_block_runs_and_stops_after(quick: None) -> None:
    status = running(silent_for=60)
    before = status.batimento_em
    with recovery.heartbeat(status.pk):
        time.sleep(2.5)
        status.refresh_from_db()
        assert status.batimento_em is not None and before is not None
        assert status.batimento_em > before + timedelta(seconds=55)
    last = status.batimento_em
    time.sleep(1.5)
    status.refresh_from_db()
    assert status.batimento_em == last


def _leftover_tables() -> list[tuple[object, ...]]:
    """Tables an import builds aside (`..._i<id>` not attached, `carga_...`) that are still there."""
    return committed(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'intel_lead'::regnamespace "
        "AND (c.relname LIKE 'carga\\_%%' OR (c.relname LIKE '%%\\_i%%' AND c.relname LIKE '%%\\_401\\_2024\\_%%' "
        "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)))"
    )


@pytest.mark.django_db(transaction=True)  # the worker and the command commit on their own connections
def test_worker_killed_mid_import_is_detected_queued_again_and_completes(settings: Any) -> None:
    # Small timeouts: the worker beats every second, and a layer silent for 4 s with its lock free is lost.
    fast = {"IMPORT_HEARTBEAT_INTERVAL_S": "1", "IMPORT_HEARTBEAT_TIMEOUT_S": "4"}
    settings.IMPORT_HEARTBEAT_TIMEOUT_S = 4  # what the waiting command's detector uses
    _wipe()
    out = io.StringIO()
    failures: list[BaseException] = []

    def import_and_wait() -> None:
        try:
            call_command("import_bdgd", str(MUX_2024), "--layers", "PONNOT,UCBT", "--async", "--wait", stdout=out)
        except BaseException as exc:  # reported by the assertions below
            failures.append(exc)
        finally:
            connection.close()

    first = start_worker(**fast)
    second = None
    command = threading.Thread(target=import_and_wait, daemon=True)  # a failed run must not hang pytest's exit
    try:
        command.start()
        deadline = time.monotonic() + 90
        ucbt = None
        while time.monotonic() < deadline and ucbt is None:
            ucbt = ImportStatus.objects.filter(camada="UCBT", status="running", linhas_lidas__gt=0).first()
            time.sleep(0.05)
        assert ucbt is not None, f"UCBT never ran: {out.getvalue()} {stop_worker(first)}"
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as the OOM killer or `kill -9` would
        first.wait(timeout=10)
        killed = time.monotonic()
        ucbt.refresh_from_db()
        assert ucbt.status == "running" and ucbt.tentativa == 1  # died before the end; nothing acknowledged

        second = start_worker(purge=False, **fast)  # nothing touches Redis: the queue is as the kill left it
        command.join(timeout=120)
        took = time.monotonic() - killed
        assert not command.is_alive(), f"not done in 120 s after the kill: {out.getvalue()}"
        assert not failures, f"{failures}\n{out.getvalue()}"
        # The rest of the chain (summaries, then scores) was sent again with the layer and runs after it.
        deadline = time.monotonic() + 60
        while not (scored := models.ScoreExecucao.objects.filter(distribuidora_id=401, ano=2024).exists()):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        if second is not None:
            worker_output = stop_worker(second)
        if first.poll() is None:
            stop_worker(first)

    assert took < 120
    ucbt.refresh_from_db()
    assert ucbt.status == "completed", (ucbt.erro, worker_output)
    assert ucbt.tentativa == 2
    steps = [e["evento"] for e in ucbt.historico]
    assert steps == ["iniciada", "abandonada", "reenfileirada", "iniciada", "concluida"], ucbt.historico
    assert ucbt.historico[0]["worker"] == ucbt.historico[1]["worker"] != ucbt.historico[3]["worker"]
    assert ucbt.historico[1]["worker"].endswith(f":{first.pid}")

    lines = out.getvalue().splitlines()
    assert any(f"UCBT   #{ucbt.pk}: worker " in line and f":{first.pid} lost (last heartbeat" in line for line in lines)
    assert any(f"UCBT   #{ucbt.pk}: queued again" in line and "(attempt 2 of 3)" in line for line in lines)
    final = [line for line in lines if f"UCBT   #{ucbt.pk}: " in line and " read, " in line]
    assert len(final) == 1 and "13,300 read, 12,963 inserted" in final[0] and "attempt 2)" in final[0], lines

    # Whole data: the layer once, nothing left aside by the killed run.
    assert models.LeadBruto.objects.filter(camada="UCBT", ano=2024).count() == 12963
    ((months, distinct, units),) = committed(
        "SELECT count(*), count(DISTINCT (uc_id, mes)), count(DISTINCT uc_id) FROM intel_lead.lead_energia_mensal "
        "WHERE origem = 'UCBT'"
    )
    assert months == distinct > 0 and units == 12963
    assert _leftover_tables() == []
    assert scored, "the chain after the requeued layer did not run"
    _wipe()
