"""The site's pages in a real headless Chromium, with no network beyond the test server: the home page
and its header, the API docs served by the project, and the admin's map falling back to outlines."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import Client

from leads import services
from tests.factories import LeadBrutoFactory, add_monthly

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Chromium tab that reaches the test server only: every other address fails, as offline."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    local = urlsplit(live_server.url).netloc
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = chromium.new_page(viewport={"width": 1366, "height": 900})
        tab.outside = []  # type: ignore[attr-defined]
        # What the Content-Security-Policy blocked (Chromium reports each on the console): must stay empty.
        tab.csp = []  # type: ignore[attr-defined]
        tab.on("console", lambda m: "Content Security Policy" in m.text and tab.csp.append(m.text))  # type: ignore[attr-defined]

        def route(request_route: Any) -> None:
            if urlsplit(request_route.request.url).netloc == local:
                request_route.continue_()
            else:
                tab.outside.append(request_route.request.url)  # type: ignore[attr-defined]
                request_route.abort()

        tab.route("**/*", route)
        yield tab
        chromium.close()


def login(tab: Any, url: str, username: str, *, staff: bool = False) -> None:
    get_user_model().objects.create_user(username, password="senha-forte-123", is_staff=staff, is_superuser=staff)
    tab.goto(url)
    tab.fill("#id_username", username)
    tab.fill("#id_password", "senha-forte-123")
    tab.click("input[type=submit]")


def session_login(tab: Any, live_server: Any, user: Any) -> None:
    """Sign the browser in as `user` without the login form: the site's session cookie of a test client."""
    client = Client()
    client.force_login(user)
    tab.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def shot(tab: Any, name: str, *, full_page: bool = True) -> None:
    """With SCREENSHOTS=1, a picture of the page in docs/screenshots/ (to look at, and for the docs)."""
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_login_lands_on_the_home_page_and_every_page_has_the_header(browser: Any, live_server: Any) -> None:
    browser.goto(f"{live_server.url}/")
    assert "/contas/login/" in browser.url  # anonymous: sent to log in
    login(browser, f"{live_server.url}/contas/login/", "analista")
    assert browser.url == f"{live_server.url}/"
    links = browser.locator(".yo-cabecalho .yo-secoes a").all_inner_texts()
    assert {"Operações", "API"} <= set(links) and "Admin" not in links  # staff only
    assert browser.locator("#secoes a").count() == len(links)
    shot(browser, "teste-inicio")
    browser.click(".yo-cabecalho >> text=Operações")
    assert "/operacoes/" in browser.url
    assert browser.locator(".yo-cabecalho a.ativo").inner_text() == "Operações"
    assert browser.csp == []  # home and operations pages run under the site's CSP
    browser.click(".yo-cabecalho >> text=Sair")
    browser.goto(f"{live_server.url}/")
    assert "/contas/login/" in browser.url


def test_api_docs_render_offline_from_the_projects_own_assets(browser: Any, live_server: Any) -> None:
    browser.goto(f"{live_server.url}/api/docs/")
    browser.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "You.On Intelligence API" in browser.locator(".swagger-ui .info .title").inner_text()
    assert browser.locator(".opblock").count() > 20
    assert browser.outside == []  # nothing asked of a CDN
    assert browser.csp == []  # the docs run under the site's CSP (no inline script)
    shot(browser, "teste-api-docs", full_page=False)


def test_admin_unit_map_shows_the_final_coordinate_on_outlines_when_tiles_fail(browser: Any, live_server: Any) -> None:
    lead = LeadBrutoFactory(
        cod_id="mapa", municipio_id="4305108", coordenada=Point(-51.1794, -29.1678, srid=4674),
        fonte_coordenada="transformador", uni_tr_mt="TR1",
    )  # fmt: skip
    add_monthly(lead, energia=[1500.0] * 12, dic=[0.5] * 12, fic=[1.0] * 12)
    login(browser, f"{live_server.url}/admin/leads/leadbruto/{lead.uc_id}/change/", "equipe", staff=True)
    browser.wait_for_selector(".yo-mapa.sem-base", timeout=15_000)  # the OSM tiles cannot load here
    browser.wait_for_selector(".yo-mapa .leaflet-overlay-pane path", timeout=15_000)  # the RS outlines
    assert browser.locator(".yo-mapa .leaflet-overlay-pane path").count() >= 2  # outlines and the marker
    assert "contornos municipais" in browser.locator(".yo-mapa-aviso").inner_text()
    assert any("tile.openstreetmap.org" in url for url in browser.outside)
    if os.environ.get("SCREENSHOTS"):
        browser.locator("fieldset:has(.yo-mapa)").screenshot(path=str(SCREENSHOTS / "admin-unidade-mapa.png"))
    for n in range(3):  # long codes, large figures, scores: the widest rows a real file has
        big = LeadBrutoFactory(cod_id=f"{n}" * 64, municipio_id="4305108", pac=12_345.6, classe_consumo_id="CSPS",
                               grupo_tensao_id="MT", demanda_contratada_kw=12_345.6)  # fmt: skip
        add_monthly(big, energia=[1_700_000.0] * 12, dic=[3.0] * 12, fic=[2.0] * 12, demanda=[12_345.6] * 12)
    services.score_refresh()
    browser.goto(f"{live_server.url}/admin/leads/leadbruto/")
    # The list fits a 1366 px screen beside the admin's menu: its box does not scroll sideways.
    overflow = browser.evaluate("(() => { const r = document.querySelector('.results'); "
                                "return r.scrollWidth - r.clientWidth; })()")  # fmt: skip
    assert overflow <= 0, overflow
    assert browser.locator("#result_list td.field-oferta b").count() >= 3  # each big unit's best offer, scored
    assert browser.csp == []  # the admin, its map and Leaflet run under the site's CSP
    shot(browser, "teste-admin-lista")
