"""Imports whose worker is lost: heartbeats and the detector."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ingestion import recovery
from ingestion.models import ImportStatus
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
    assert "worker gone:1 lost" in status.erro and "3 attempt(s)" in status.erro
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
