"""The import through a real Celery worker on the real Redis broker."""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ingestion import services, tasks
from ingestion.models import ImportStatus
from leads import models
from tests.conftest import start_worker, stop_worker
from tests.ingestion.conftest import MUX_2024, _wipe


@pytest.fixture
def worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker process on the test database and the test Redis database."""
    _wipe()
    process = start_worker()
    yield process
    stop_worker(process)
    _wipe()


def wait_for(statuses: list[ImportStatus], timeout: float = 120) -> list[ImportStatus]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [ImportStatus.objects.get(pk=s.pk) for s in statuses]
        if all(s.status in ("completed", "failed") for s in fresh):
            return fresh
        time.sleep(0.5)
    raise AssertionError(f"import did not finish in {timeout} s: {[(s.camada, s.status) for s in fresh]}")


def test_async_import_runs_layers_in_order_on_a_real_worker(worker: subprocess.Popen[bytes]) -> None:
    statuses = services.bdgd_import_async(path=MUX_2024, layers=["UCMT", "PONNOT"])
    assert [s.camada for s in statuses] == ["PONNOT", "UCMT"]
    done = wait_for(statuses)
    assert [s.status for s in done] == ["completed", "completed"], [s.erro for s in done]
    assert done[0].finalizado_em <= done[1].iniciado_em  # chained: points before units
    assert models.LeadBruto.objects.filter(camada="UCMT").count() == 37
    assert done[1].relatorio["localizacao"]["sem_localizacao"] == 0


def test_import_command_waits_for_the_worker_and_reports_each_layer(worker: subprocess.Popen[bytes]) -> None:
    out = io.StringIO()
    call_command("import_bdgd", str(MUX_2024), "--layers", "UCMT,PONNOT", "--async", "--wait", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("PONNOT" in line and "queued" in line for line in lines)
    reported = [line for line in lines if " read, " in line]
    assert len(reported) == 2 and "UCMT   #" in reported[1] and "40 read, 37 inserted" in reported[1]
    assert models.LeadBruto.objects.filter(camada="UCMT").count() == 37


@pytest.mark.django_db(transaction=True)  # the layer swap must not wait for this test's transaction
def test_redelivered_task_does_not_import_twice() -> None:
    _wipe()
    try:
        outcome = services.bdgd_import(path=MUX_2024, layers=["UCMT"])
        status = outcome.statuses[0]
        finished = status.finalizado_em
        # A redelivery of the finished layer's task leaves it alone.
        assert tasks.bdgd_import_layer.run(status.pk) == status.pk
        status.refresh_from_db()
        assert status.finalizado_em == finished and status.status == "completed"
    finally:
        _wipe()


def test_worker_killed_mid_import_leaves_nothing_partial_and_rerun_completes(
    worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    from django.core.management import call_command

    sample = tmp_path / "Amostra_401_2097-12-31_V11_20970101-0000.gdb.zip"
    call_command("make_sample_bdgd", "--ucs", "40000", "--ano", "2097", "--out", str(sample))
    (status,) = services.bdgd_import_async(path=sample, layers=["UCBT"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status.refresh_from_db()
        if status.linhas_lidas >= 40000:  # staged: the worker is now writing the layer
            break
        time.sleep(0.05)
    time.sleep(1.0)
    worker.kill()
    worker.wait(timeout=10)
    status.refresh_from_db()
    assert status.status == "running"  # the worker died before finishing
    time.sleep(1.0)  # the server notices the closed connection and rolls the transaction back
    assert models.LeadBruto.objects.filter(ano=2097).count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intel_lead.lead_energia_mensal")
        assert cursor.fetchone()[0] == 0

    assert tasks.bdgd_import_layer.run(status.pk) == status.pk  # what a redelivery runs
    status.refresh_from_db()
    assert status.status == "completed", status.erro
    assert models.LeadBruto.objects.filter(ano=2097).count() == 40000
    # What the killed import had built aside was dropped; only the attached tables of the layer remain.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) FROM pg_class c "
            "WHERE c.relkind = 'r' AND (c.relname LIKE '%%\\_401\\_2097\\_ucbt\\_i%%' OR c.relname LIKE 'carga\\_%%')"
        )
        tables = dict(cursor.fetchall())
    assert len(tables) == 4 and all(tables.values()), tables
