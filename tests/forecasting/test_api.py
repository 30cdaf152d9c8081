"""Forecasting API: forecasts against actuals, model versions, dispatch plans (400 on bad input)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from forecasting import services
from forecasting.models import CargaHoraria, ModeloVersao, PrevisaoHoraria, StatusModelo
from tests.factories import ModeloVersaoFactory

pytestmark = pytest.mark.django_db
DAY = datetime(2024, 11, 24, 3, tzinfo=UTC)  # local midnight


@pytest.fixture
def client() -> APIClient:
    user = get_user_model().objects.create_user("analista", password="x" * 12)
    api = APIClient()
    token = api.post("/api/token/", {"username": "analista", "password": "x" * 12}, format="json").json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert user.pk
    return api


@pytest.fixture
def issued() -> ModeloVersao:
    version = ModeloVersaoFactory(status=StatusModelo.ATIVO, metricas={"modelo": {"SIN": {"mape": 1.9}}})
    for h in range(24):
        at = DAY + timedelta(hours=h)
        for serie, mw in (("SE", 40_000.0), ("S", 12_000.0), ("NE", 11_000.0), ("N", 7_000.0)):
            PrevisaoHoraria.objects.create(modelo=version, serie=serie, instante=at, emitida_em=DAY, carga_mw=mw + h)
            if h < 12:
                CargaHoraria.objects.create(subsistema=serie, instante=at, carga_mw=mw * 1.02)
    services.forecast_score()
    return version


def test_requires_authentication() -> None:
    assert APIClient().get("/api/v1/previsoes/ultima/").status_code == 401


def test_latest_forecast_and_forecast_vs_actual(client: APIClient, issued: ModeloVersao) -> None:
    latest = client.get("/api/v1/previsoes/ultima/?serie=SE").json()
    assert len(latest) == 24 and latest[0]["carga_mw"] == 40_000.0 and latest[0]["modelo"] == issued.pk
    rows = client.get(
        "/api/v1/previsoes/", {"serie": "SE", "inicio": "2024-11-24T00:00:00-03:00", "fim": "2024-11-25T00:00:00-03:00"}
    ).json()
    assert len(rows) == 24
    assert rows[0]["realizado_mw"] == pytest.approx(40_800.0)
    assert rows[0]["erro_pct"] == pytest.approx((40_000 - 40_800) / 40_800 * 100)
    assert rows[23]["realizado_mw"] is None  # actual not arrived yet


def test_bad_range_is_a_400_naming_the_parameter(client: APIClient) -> None:
    response = client.get(
        "/api/v1/previsoes/", {"serie": "XX", "inicio": "2024-11-25T00:00:00Z", "fim": "2024-11-24T00:00:00Z"}
    )
    assert response.status_code == 400 and "serie" in response.json()
    response = client.get("/api/v1/previsoes/", {"inicio": "2024-11-25T00:00:00Z", "fim": "2024-11-24T00:00:00Z"})
    assert response.status_code == 400 and "fim" in response.json()


def test_model_versions_list_metrics(client: APIClient, issued: ModeloVersao) -> None:
    body = client.get("/api/v1/modelos/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert rows[0]["status"] == "ativo" and rows[0]["metricas"]["modelo"]["SIN"]["mape"] == 1.9


def test_dispatch_plan_uses_the_latest_forecast_when_no_load_is_given(client: APIClient, issued: ModeloVersao) -> None:
    body = {
        "horas": 24,
        "termicas": [{"nome": "T", "subsistema": "SE", "segmentos": [[60_000, 200], [20_000, 400]]}],
        "interligacoes": [
            {"origem": s, "destino": "SE", "limite": 20_000, "limite_reverso": 20_000} for s in ("S", "NE", "N")
        ],
    }
    response = client.post("/api/v1/despacho/", body, format="json")
    assert response.status_code == 200, response.json()
    plan = response.json()
    assert plan["termica"]["T"][0] == pytest.approx(40_000 + 12_000 + 11_000 + 7_000)
    assert plan["cmo"]["SE"][0] == pytest.approx(400.0) and plan["sanidade_cmo"]["ano"] == 2024


def test_dispatch_bad_input_and_infeasible(client: APIClient) -> None:
    response = client.post("/api/v1/despacho/", {"horas": 2, "carga": {"SE": [1, 2, 3]}}, format="json")
    assert response.status_code == 400 and "carga.SE" in response.json()
    response = client.post("/api/v1/despacho/", {"horas": 1, "carga": {"XX": [1]}}, format="json")
    assert response.status_code == 400
    response = client.post("/api/v1/despacho/", {"horas": 2}, format="json")
    assert response.status_code == 400 and "carga" in response.json()  # no load, and no 24 h forecast to use
    infeasible = {
        "horas": 1,
        "carga": {"SE": [100]},
        "termicas": [{"nome": "T", "subsistema": "SE", "segmentos": [[500, 100]], "geracao_min": 300}],
    }
    response = client.post("/api/v1/despacho/", infeasible, format="json")
    assert response.status_code == 422
    assert response.json()["limites"][0]["limite"] == "geracao_min[T,0]"
