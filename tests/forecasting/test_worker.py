"""The nightly retraining and the daily issue through a real Celery worker on the `ml` queue."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecasting import services, tasks
from forecasting.models import ModeloVersao, PrevisaoHoraria, StatusModelo
from tests.conftest import start_worker, stop_worker

SHIPPED = Path(__file__).resolve().parents[2] / "forecasting" / "data" / "ons"
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ml_worker(settings, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:  # type: ignore[no-untyped-def]
    """A worker on the `ml` queue only: a task routed anywhere else would never run."""
    settings.FORECAST_MODEL_DIR = tmp_path / "models"
    for year in (2023, 2024):
        services.load_import(path=SHIPPED / f"CURVA_CARGA_{year}.csv.gz")
    process = start_worker("ml", FORECAST_MODEL_DIR=str(tmp_path / "models"), FORECAST_EPOCHS="2")
    yield process
    stop_worker(process)


def test_retrain_and_issue_run_on_the_ml_queue(ml_worker: subprocess.Popen[bytes]) -> None:
    version_id = tasks.forecast_retrain.delay(motivo="nightly").get(timeout=600)
    version = ModeloVersao.objects.get(pk=version_id)
    assert version.motivo == "nightly" and Path(version.artefato, "metadata.json").is_file()
    assert set(version.gates) == {"dados", "vence_ingenuo", "nao_pior_que_ativo"}
    assert version.status in (StatusModelo.ATIVO, StatusModelo.REJEITADO)
    if version.status == StatusModelo.REJEITADO:  # two epochs rarely beat the naive; issuing needs an active one
        services.forecast_promote(version=version)
    written = tasks.forecast_issue.delay().get(timeout=300)
    assert written == 5 * 24  # the SIN and four subsystems, 2024-11-25
    assert PrevisaoHoraria.objects.filter(modelo=version).count() == written
