"""The analysts' map (/mapa/) in a real headless Chromium with no network beyond the test server: tiles
drawn and following the filters, a drawn polygon's totals, list and export (a real Celery worker writes
the file), the unit panel's charts, a saved selection reopened by its owner only, and a phone's width."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point, Polygon
from playwright.sync_api import expect

from leads import models, services
from tests.conftest import start_worker, stop_worker
from tests.factories import PORTO_ALEGRE, LeadBrutoFactory, PontoNotavelFactory, add_monthly
from tests.ingestion.conftest import clean_imports  # noqa: F401 (fixture: the live server reads committed units)
from tests.test_pages import browser, login, session_login, shot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_imports")]
LON, LAT = -51.2177, -30.0346  # Porto Alegre's centre
VIEW = f"z=14&lat={LAT}&lon={LON}"


@pytest.fixture(autouse=True)
def blank_base(settings: Any) -> None:
    """No base map: the page asks nothing of another site (the live server runs in this process)."""
    settings.MAPA_BASE_URL = ""


def units() -> list[models.LeadBruto]:
    """Three commercial units, two homes and a factory within a few hundred metres; one with 12 months."""
    rows = []
    for i, (classe, kwh) in enumerate([("CO1", 30_000.0), ("CO1", 20_000.0), ("CO3", 10_000.0),
                                       ("RE1", 2_000.0), ("RE1", 1_500.0), ("IN", 90_000.0)]):  # fmt: skip
        rows.append(
            LeadBrutoFactory(
                cod_id=f"uc{i}", classe_consumo_id=classe, municipio_id=PORTO_ALEGRE, energia_anual_kwh=kwh,
                demanda_pico_kw=kwh / 300, media_dic=1.0 + i, media_fic=0.5 + i, segmento_mercado_id="varejo",
                coordenada=Point(LON + 0.002 * (i % 3), LAT + 0.002 * (i // 3), srid=4674),
                fonte_coordenada="ponto_notavel",
            )
        )  # fmt: skip
    # Elsewhere in the state, a few units around each of a dozen towns: what the choropleth and the heat
    # map show from afar (none is near Porto Alegre's centre, where the tests look closely).
    towns = models.Municipio.objects.filter(uf="RS", sede__isnull=False).exclude(cod_ibge=PORTO_ALEGRE)
    for t, town in enumerate(towns.order_by("cod_ibge")[::40][:12]):
        for j in range(1 + t % 4):
            LeadBrutoFactory(
                cod_id=f"rs{t}-{j}", classe_consumo_id=("CO1", "RE1", "IN", "RU1")[j], municipio_id=town.cod_ibge,
                energia_anual_kwh=5_000.0 * (t + 1) * (j + 1), media_dic=0.5 * t, segmento_mercado_id="varejo",
                coordenada=Point(town.sede.x + 0.01 * j, town.sede.y, srid=4674), fonte_coordenada="transformador",
            )  # fmt: skip
    add_monthly(rows[0], energia=[2500.0 + 100 * m for m in range(12)], demanda=[90.0 + m for m in range(12)],
                dic=[0.5 * m for m in range(12)], fic=[0.2 * m for m in range(12)])  # fmt: skip
    services.score_refresh()
    services.views_refresh(concurrently=False)
    return rows


def wait_units(tab: Any, n: int) -> None:
    """Until the tiles at the current zoom are drawn and hold n units. (Playwright's wait_for_function
    evaluates a string, which the page's CSP refuses: its assertions poll instead.)"""
    expect(tab.locator("#mapa")).to_have_attribute("data-unidades-tiles", str(n), timeout=15_000)


def redrawn(tab: Any, action: Callable[[], object]) -> None:
    """Do something that redraws the tiles, and wait until they are drawn again."""
    before = tab.get_attribute("#mapa", "data-carregado")
    action()
    expect(tab.locator("#mapa")).not_to_have_attribute("data-carregado", before or "", timeout=15_000)


def total(tab: Any) -> Any:
    return expect(tab.locator("#totais [data-campo=unidades]"))


def selected(tab: Any) -> Any:
    return expect(tab.locator("#selecao-totais [data-total=unidades] b"))


def pixel(tab: Any, lon: float, lat: float) -> tuple[float, float]:
    """Where a place is on the screen."""
    x, y = tab.evaluate(
        "([lat, lon]) => { const el = document.querySelector('#mapa'), p = el.mapa.latLngToContainerPoint([lat, lon]),"
        " r = el.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    return x, y


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    process = start_worker("exports", MEDIA_ROOT=str(tmp_path))
    yield
    stop_worker(process)


def test_map_tiles_filters_selection_export_unit_and_saved_selection(
    browser: Any,  # noqa: F811
    live_server: Any,
    worker: None,
) -> None:
    rows = units()
    login(browser, f"{live_server.url}/contas/login/?next=/mapa/", "analista")
    browser.goto(f"{live_server.url}/mapa/?{VIEW}")
    assert browser.locator(".yo-cabecalho a.ativo").inner_text() == "Mapa"
    assert browser.get_attribute("#link-importacoes", "href") == "/api/v1/importacoes/"  # the admin's for staff
    wait_units(browser, 6)
    assert browser.locator("#mapa .leaflet-tile path").count() == 6  # a point per unit at zoom 14
    total(browser).to_have_text("6")

    # A filter changes the tiles, the totals and the address.
    browser.select_option("#filtros select[name=classe]", "CO")
    browser.click("#filtros button[type=submit]")
    wait_units(browser, 3)
    total(browser).to_have_text("3")
    assert "classe=CO" in browser.url
    assert browser.locator("#mapa .leaflet-tile path").count() == 3
    # Coloured by score instead of class: the legend and the address say so.
    redrawn(browser, lambda: browser.select_option("#cor", "score"))
    assert "80–100" in browser.inner_text("#legenda") and "cor=score" in browser.url
    redrawn(browser, lambda: browser.select_option("#cor", "classe"))

    # A unit clicked on the map: its attributes and three charts of its 12 months.
    x, y = pixel(browser, LON, LAT)
    browser.mouse.click(x, y)
    browser.wait_for_selector("#unidade svg.grafico", timeout=10_000)
    assert browser.locator("#unidade svg.grafico").count() == 3
    assert browser.locator("#unidade svg.grafico").first.locator("rect").count() == 12
    assert "uc0" in browser.inner_text("#unidade")
    assert "Ponto notável (PN_CON)" in browser.inner_text("#unidade")  # where its location comes from
    assert browser.locator("#unidade-api").get_attribute("href") == f"/api/v1/leads/{rows[0].uc_id}/"
    shot(browser, "desktop-mapa-unidade", full_page=False)

    # A polygon drawn around the commercial units of the first row (CO filter on): count, list, export.
    browser.click(".leaflet-draw-draw-polygon")
    corners = [(LON - 0.001, LAT - 0.001), (LON + 0.005, LAT - 0.001), (LON + 0.005, LAT + 0.001),
               (LON - 0.001, LAT + 0.001)]  # fmt: skip
    for lon, lat in [*corners, corners[0]]:
        browser.mouse.click(*pixel(browser, lon, lat))
        browser.wait_for_timeout(300)  # clicks closer together are one double click to Leaflet.draw
    selected(browser).to_have_text("3", timeout=10_000)
    expect(browser.locator("#lista tbody tr")).to_have_count(3)
    codes = browser.locator("#lista tbody tr td:first-child")
    listed = [codes.nth(i).get_attribute("title") for i in range(3)]
    assert listed == ["uc0", "uc1", "uc2"]  # the largest consumers first
    assert "Porto Alegre" in codes.first.inner_text()
    browser.select_option("#sentido", "")
    expect(codes.first).to_have_attribute("title", "uc2")
    assert "Comercial" in browser.inner_text("#por-classe")

    browser.click("#exportar-csv")
    browser.wait_for_selector("#baixar", timeout=30_000)
    assert browser.locator("#exportacao-progresso").get_attribute("value") == "100"
    with browser.expect_download() as download:
        browser.click("#baixar")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(exported) == int(browser.inner_text("#selecao-totais [data-total=unidades] b"))  # the count
    assert {r["cod_id"] for r in exported} == {"uc0", "uc1", "uc2"}

    browser.fill("#salvar input[name=nome]", "Centro comercial")
    browser.click("#salvar button[type=submit]")
    browser.wait_for_selector("#salvas a:has-text('Centro comercial')")
    selecao = models.SelecaoMapa.objects.get(nome="Centro comercial")
    assert selecao.filtros == {"classe": "CO"}
    assert f"selecao={selecao.pk}" in browser.url

    # Reopened from a link: the area, its filters and its totals come back.
    browser.goto(f"{live_server.url}/mapa/?selecao={selecao.pk}")
    selected(browser).to_have_text("3", timeout=10_000)
    assert browser.input_value("#filtros select[name=classe]") == "CO"
    assert browser.input_value("#salvar input[name=nome]") == "Centro comercial"

    # Layers: the heat map and the municipalities' choropleth draw from the same data.
    browser.check("#camada-calor")
    browser.wait_for_selector("#mapa canvas.leaflet-heatmap-layer")
    browser.check("#camada-municipios")
    browser.wait_for_selector("#legenda-municipios span")
    assert "Municípios por energia anual" in browser.inner_text("#legenda-municipios")
    assert "calor=1" in browser.url and "municipios=energia_anual_kwh" in browser.url
    # From afar: the state's towns coloured by their energy, the heat map over the cells, the selection.
    browser.evaluate("document.querySelector('#mapa').mapa.setView([-29.6, -52.4], 7)")
    expect(browser.locator("#mapa")).not_to_have_attribute("data-unidades-tiles", "3")  # cells of the state
    expect(browser.locator("#mapa .leaflet-municipios-pane path[fill='#c92a2a']").first).to_be_visible()
    browser.click("#painel-filtros summary")  # folded away: the layers' legends and the selection in view
    shot(browser, "desktop-mapa", full_page=False)
    assert browser.csp == [] and browser.outside == []


def test_anonymous_is_sent_to_login_and_another_user_cannot_open_a_selection(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    browser.goto(f"{live_server.url}/mapa/")
    assert "/contas/login/" in browser.url
    owner = get_user_model().objects.create_user("dona", password="senha-forte-123")
    box = Polygon.from_bbox((LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01))
    selecao = models.SelecaoMapa.objects.create(dono=owner, nome="Só minha", geometria=_multi(box))
    login(browser, f"{live_server.url}/contas/login/?next=/mapa/", "outra")
    browser.goto(f"{live_server.url}/mapa/?selecao={selecao.pk}")
    browser.wait_for_selector("#erro-selecao:not([hidden])")
    assert "Não encontrado" in browser.inner_text("#erro-selecao")
    assert browser.locator("#selecao-totais .card").count() == 0
    assert "Só minha" not in browser.inner_text("#salvas")
    assert browser.csp == [] and browser.outside == []


def _multi(polygon: Polygon) -> Any:
    from django.contrib.gis.geos import MultiPolygon

    polygon.srid = 4674
    return MultiPolygon(polygon, srid=4674)


def test_map_fits_a_phone(browser: Any, live_server: Any) -> None:  # noqa: F811
    units()
    user = get_user_model().objects.create_user("celular", password="senha-forte-123")
    session_login(browser, live_server, user)
    browser.set_viewport_size({"width": 390, "height": 844})
    browser.goto(f"{live_server.url}/mapa/?{VIEW}")
    wait_units(browser, 6)
    # A circle dragged around the six units: sent as a polygon, it holds them all.
    browser.click(".leaflet-draw-draw-circle")
    browser.mouse.move(*pixel(browser, LON + 0.002, LAT + 0.001))
    browser.mouse.down()
    browser.mouse.move(*pixel(browser, LON + 0.002 + 0.004, LAT + 0.001), steps=5)  # about 390 m
    browser.mouse.up()
    selected(browser).to_have_text("6", timeout=10_000)
    assert "area=" in browser.url and "Polygon" in browser.url  # the drawn area, in the link
    browser.evaluate("window.scrollTo(0, 0)")
    x, y = pixel(browser, LON, LAT)
    browser.mouse.click(x, y)
    browser.wait_for_selector("#unidade svg.grafico", timeout=10_000)
    # The page itself does not scroll sideways; the list scrolls inside its own box.
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser.locator("#mapa").evaluate("m => m.getBoundingClientRect().right") <= 390
    browser.evaluate("window.scrollTo(0, 0)")
    shot(browser, "celular-mapa")
    assert browser.csp == [] and browser.outside == []


def test_network_layer_shows_transformers_and_their_units_at_street_zoom(browser: Any, live_server: Any) -> None:  # noqa: F811
    rows = units()
    spot = Point(LON - 0.003, LAT, srid=4674)  # beside the units, so that a click finds the transformer
    PontoNotavelFactory(cod_id="TR-9", fonte=models.FontePonto.UNTRMT, tipo="", geom=spot)
    PontoNotavelFactory(cod_id="PN-9", geom=Point(LON - 0.003, LAT + 0.001, srid=4674))
    models.LeadBruto.objects.filter(uc_id__in=[r.uc_id for r in rows[:2]]).update(uni_tr_mt="TR-9")
    user = get_user_model().objects.create_user("rede", password="senha-forte-123")
    session_login(browser, live_server, user)
    browser.goto(f"{live_server.url}/mapa/?z=17&lat={LAT}&lon={LON - 0.002}&rede=1")
    expect(browser.locator("#camada-rede")).to_be_checked()
    transformer = browser.locator('path[fill="#212529"]')
    expect(transformer).to_have_count(1, timeout=15_000)
    expect(browser.locator('path[fill="#868e96"]')).to_have_count(1)
    browser.mouse.click(*pixel(browser, LON - 0.003, LAT))
    popup = browser.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Transformador TR-9")
    expect(popup).to_contain_text("2 unidade(s)")
    expect(browser.locator("#legenda")).to_contain_text("transformador")
    browser.wait_for_timeout(400)  # the popup fades in
    shot(browser, "desktop-mapa-rede")
    # Unticked, the layer goes and the link forgets it.
    browser.uncheck("#camada-rede")
    expect(transformer).to_have_count(0)
    assert "rede=1" not in browser.url
    assert browser.csp == [] and browser.outside == []
