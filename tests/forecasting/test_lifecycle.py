"""Model lifecycle services: train with gates, promote, roll back, issue, score, drift, fetch."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from forecasting import selectors, services, tasks
from forecasting.models import CargaHoraria, ModeloVersao, ObservacaoHoraria, PrevisaoHoraria, StatusModelo
from tests.factories import ModeloVersaoFactory
from tests.forecasting.conftest import FIXTURES, Replay

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "forecasting" / "data" / "ons"


@pytest.fixture
def two_years(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.FORECAST_MODEL_DIR = tmp_path / "models"
    for year in (2023, 2024):
        services.load_import(path=SHIPPED / f"CURVA_CARGA_{year}.csv.gz")


def test_train_records_metrics_gates_and_artefact(two_years: None) -> None:
    out = io.StringIO()
    call_command("forecast_train", "--epochs", "2", stdout=out)  # the command says how training goes
    assert "rede 1/" in out.getvalue() and "treinada" in out.getvalue()
    version = ModeloVersao.objects.latest("pk")
    assert version.status in (StatusModelo.ATIVO, StatusModelo.REJEITADO)
    assert set(version.gates) == {"dados", "vence_ingenuo", "nao_pior_que_ativo"}
    assert version.metricas["holdout"] == ["2024-10-28", "2024-11-24"]
    assert version.janela_fim == date(2024, 10, 27)  # nothing from the holdout weeks
    metadata = json.loads((Path(version.artefato) / "metadata.json").read_text())
    assert metadata["dados_hash"] == version.dados_hash and len(metadata["features"]) > 72
    beaten = all(
        version.metricas["modelo"][s]["mape"] < version.metricas["ingenuo"][s]["mape"]
        for s in version.metricas["modelo"]
    )
    assert version.gates["vence_ingenuo"]["passou"] is beaten
    assert (version.status == StatusModelo.ATIVO) is all(g["passou"] for g in version.gates.values())


def test_data_gate_rejects_absurd_loads(two_years: None) -> None:
    CargaHoraria.objects.filter(subsistema="SE", instante__year=2024, instante__month=11).update(carga_mw=1e6)
    version = services.forecast_train(motivo="manual", epochs=1)
    assert version.status == StatusModelo.REJEITADO
    assert not version.gates["dados"]["passou"] and "SE" in version.gates["dados"]["detalhe"]


def test_promotion_retires_the_active_model_and_rollback_restores_it() -> None:
    first = services.forecast_promote(version=ModeloVersaoFactory())
    second = services.forecast_promote(version=ModeloVersaoFactory())
    first.refresh_from_db()
    assert (first.status, second.status) == (StatusModelo.APOSENTADO, StatusModelo.ATIVO)
    call_command("forecast_rollback")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (StatusModelo.ATIVO, StatusModelo.REJEITADO)
    with pytest.raises(CommandError, match="no earlier active version"):
        call_command("forecast_rollback")


def test_issue_score_and_live_error(two_years: None, settings) -> None:  # type: ignore[no-untyped-def]
    version = services.forecast_train(motivo="manual", epochs=2)
    services.forecast_promote(version=version)
    assert services.forecast_issue(dia=date(2024, 11, 24)) == 5 * 24
    out = io.StringIO()
    call_command("forecast_issue", "--dia", "2024-11-24", stdout=out)  # re-issue replaces
    assert out.getvalue().startswith("24/11/2024: 120 horas previstas gravadas; 120 horas avaliadas")
    assert PrevisaoHoraria.objects.count() == 120
    assert services.forecast_issue() == 120  # 2024-11-25: the day after the last full day
    assert services.forecast_score() == 0  # 24 Nov (actuals known) scored by the command, 25 Nov not yet
    se = PrevisaoHoraria.objects.get(serie="SE", instante="2024-11-24T03:00:00Z")
    actual = CargaHoraria.objects.get(subsistema="SE", instante="2024-11-24T03:00:00Z").carga_mw
    assert se.realizado_mw == pytest.approx(actual)
    assert se.erro_pct == pytest.approx((se.carga_mw - actual) / actual * 100)
    PrevisaoHoraria.objects.filter(pk=se.pk).update(carga_mw=actual * 1.1)  # as a re-issue would
    assert services.forecast_score() == 1
    se.refresh_from_db()
    assert se.erro_pct == pytest.approx(10.0)
    error = selectors.forecast_error(days=7, serie="SIN")
    assert error is not None and error > 0
    with pytest.raises(services.ForecastError, match="not known yet"):
        services.forecast_issue(dia=date(2024, 11, 27))


def test_drift_queues_a_retraining(settings, django_capture_on_commit_callbacks, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    queued = []
    monkeypatch.setattr(tasks.forecast_retrain, "delay", lambda **kw: queued.append(kw))
    monkeypatch.setattr(selectors, "forecast_error", lambda **kw: 5.0)
    settings.FORECAST_DRIFT_MAPE = 4.0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.forecast_drift_check() is True
    assert queued == [{"motivo": "drift"}]
    settings.FORECAST_DRIFT_MAPE = 6.0
    assert services.forecast_drift_check() is False


@pytest.fixture
def replay(settings, replay_server: str) -> str:  # type: ignore[no-untyped-def]
    settings.ONS_CARGA_URL = replay_server + "/dataset/curva-carga-ho/CURVA_CARGA_{ano}.csv"
    settings.INMET_API_URL = replay_server + "/estacao/{inicio}/{fim}/{estacao}"
    Replay.files = {
        "/dataset/curva-carga-ho/CURVA_CARGA_2024.csv": (
            (FIXTURES / "ons" / "CURVA_CARGA_2024_slice.csv").read_bytes(),
            "text/csv",
        ),
        "/estacao/2024-01-01/2024-01-02/A701": (
            (FIXTURES / "inmet" / "inmet_api_A701.json").read_bytes(),
            "application/json",
        ),
    }
    return replay_server


def test_daily_fetch_downloads_and_imports_the_year(replay: str) -> None:
    report = tasks.load_fetch.apply(kwargs={"ano": 2024}).get()
    assert report["2024"]["valores"] == 192 and CargaHoraria.objects.count() == 192
    assert tasks.load_fetch.apply(kwargs={"ano": 2024}).get()["2024"]["gravadas"] == 0  # idempotent


def test_fetch_of_a_missing_year_fails_clearly(replay: str) -> None:
    with pytest.raises(services.ForecastError, match="404"):
        services.load_fetch(ano=2031)
    assert not CargaHoraria.objects.exists()


def test_inmet_api_records_are_stored(replay: str) -> None:
    report = services.weather_fetch(estacao="A701", inicio=date(2024, 1, 1), fim=date(2024, 1, 2))
    assert report["linhas"] == 3
    first = ObservacaoHoraria.objects.get(estacao="A701", instante="2024-01-01T00:00:00Z")
    assert first.temperatura_c == pytest.approx(22.4) and first.radiacao_kj_m2 is None
