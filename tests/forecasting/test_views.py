"""The operations page in a real headless Chromium."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from forecasting import services
from forecasting.models import BalancoHorario, CargaHoraria, PldHorario, PrevisaoHoraria, StatusModelo
from tests.factories import ModeloVersaoFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(live_server, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    get_user_model().objects.create_user("analista", password="senha-forte-123")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        tab.goto(f"{live_server.url}/operacoes/")
        tab.fill("#id_username", "analista")
        tab.fill("#id_password", "senha-forte-123")
        tab.click("input[type=submit]")
        yield tab
        browser.close()


def _issue() -> None:
    version = ModeloVersaoFactory(status=StatusModelo.ATIVO)
    start = datetime(2024, 11, 18, 3, tzinfo=UTC)
    for h in range(7 * 24):
        at = start + timedelta(hours=h)
        for serie, mw in (("SE", 40_000.0), ("S", 12_000.0), ("NE", 11_000.0), ("N", 7_000.0)):
            PrevisaoHoraria.objects.create(modelo=version, serie=serie, instante=at, emitida_em=at, carga_mw=mw * 1.01)
            if h < 6 * 24:
                CargaHoraria.objects.create(subsistema=serie, instante=at, carga_mw=mw)
    for h in range(7 * 24):
        at = start + timedelta(hours=h)
        PrevisaoHoraria.objects.create(modelo=version, serie="SIN", instante=at, emitida_em=at, carga_mw=70_000 * 1.01)
    services.forecast_score()


def test_operations_page_shows_curves_errors_model_and_min_generation(page) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("#sem-previsao").is_visible()  # nothing issued yet
    assert "nenhum" in page.locator("#modelo").inner_text()
    _issue()
    page.reload()
    assert page.locator("#curva-previsao polyline.serie-previsto").count() >= 1
    assert page.locator("#curva-previsao polyline.serie-realizado").count() >= 1
    assert "1,00 %" in page.locator("#erro-24h").inner_text()  # forecasts 1 % above the actual
    assert "v" in page.locator("#modelo").inner_text() and "27/10/2024" in page.locator("#modelo").inner_text()
    assert page.locator("#curva-despacho polyline.serie-hidro").count() >= 1
    minimum = page.locator("#geracao-minima").inner_text()
    assert "ativa" in minimum  # whether the minimum-generation limits bind, said in words
    page.click("text=SE")
    assert "serie=SE" in page.url and page.locator("#curva-previsao").is_visible()


def test_dispatch_shows_realised_generation_and_pld_once_imported(page) -> None:  # type: ignore[no-untyped-def]
    _issue()
    page.reload()
    assert page.locator("#sem-realizado").is_visible()
    assert "perfil de referência" in page.locator("#fonte-intermitente").inner_text()
    assert "PLD —" in page.locator("#cmo-pld").inner_text()
    day = [datetime(2024, 11, 24, 3, tzinfo=UTC) + timedelta(hours=h) for h in range(24)]
    for at in day:
        BalancoHorario.objects.create(subsistema="SIN", instante=at, hidraulica_mw=48_000.0, termica_mw=9_000.0)
        for sub in ("SE", "S", "NE", "N"):
            # the week before, for the seasonal-naive wind and solar of the dispatch
            BalancoHorario.objects.create(
                subsistema=sub, instante=at - timedelta(days=7), eolica_mw=900.0, solar_mw=100.0
            )
            PldHorario.objects.create(submercado=sub, instante=at, pld=61.07 if sub != "SE" else 80.0)
    page.reload()
    assert page.locator("#realizado").is_visible()
    assert page.locator("#curva-despacho polyline.serie-hidro_realizada").count() >= 1
    assert page.locator("#curva-despacho polyline.serie-termica_realizada").count() >= 1
    assert "balanço ONS" in page.locator("#fonte-intermitente").inner_text()
    prices = page.locator("#cmo-pld").inner_text()
    assert "PLD 80,00" in prices and "PLD 61,07" in prices
