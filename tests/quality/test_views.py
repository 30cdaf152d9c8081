"""The quality pages in a real headless Chromium: the worst regions, a rule created from the form and told
at once, the header's unread counter, the notifications list; on a phone nothing runs off the screen."""

from __future__ import annotations

from typing import Any

import pytest

from quality.models import Notificacao, RegraAlerta
from tests.factories import PORTO_ALEGRE
from tests.quality.test_alerts import gestor, units
from tests.test_pages import browser, login, session_login, shot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wiped")]


def test_quality_page_rule_form_counter_and_notifications(browser: Any, live_server: Any) -> None:  # noqa: F811
    units()
    login(browser, f"{live_server.url}/contas/login/?next=/qualidade/", "gestora")
    assert browser.url == f"{live_server.url}/qualidade/"
    assert browser.text_content("h1") == "Qualidade do fornecimento em 2024"
    worst = browser.locator("#piores-municipios tbody tr").all_inner_texts()
    assert worst[0].startswith("Porto Alegre") and len(worst) == 2  # 11.5 h against Caxias do Sul's 1.2 h
    assert browser.locator("#dic-mensal rect").count() == 12
    assert browser.text_content(".yo-notificacoes b") == "0"

    browser.fill("#id_nome", "POA janeiro")
    browser.select_option("#id_tipo_regiao", "municipio")
    browser.fill("#id_regiao", "Porto Alegre/RS")
    browser.select_option("#id_metrica", "dic_medio_mensal")
    browser.fill("#id_limiar", "5")
    browser.click("#nova-regra button[type=submit]")
    assert "Regra “POA janeiro” criada e avaliada." in browser.text_content("[role=status]")
    rule = RegraAlerta.objects.get(nome="POA janeiro")
    assert rule.regiao == PORTO_ALEGRE
    assert browser.locator("#regras tbody tr").count() == 1
    assert "Porto Alegre/RS" in browser.text_content("#regras tbody")  # the municipality's name, not its code
    assert "Porto Alegre/RS (01/2024)" in browser.text_content("#eventos")
    assert browser.text_content(".yo-notificacoes b") == "1"  # told at once, not at the next import
    shot(browser, "desktop-qualidade")

    browser.fill("#id_nome", "sem região")
    browser.select_option("#id_tipo_regiao", "uf")
    browser.fill("#id_regiao", "XX")
    browser.fill("#id_limiar", "5")
    browser.click("#nova-regra button[type=submit]")
    assert "não é uma UF" in browser.text_content("#nova-regra")  # refused, naming the field
    assert not RegraAlerta.objects.filter(nome="sem região").exists()

    browser.click(".yo-notificacoes")
    assert browser.url == f"{live_server.url}/qualidade/notificacoes/"
    assert browser.locator("#notificacoes li.nova").count() == 1
    shot(browser, "desktop-notificacoes")
    browser.click("#marcar-todas")
    assert browser.locator("#notificacoes li.nova").count() == 0
    assert browser.text_content(".yo-notificacoes b") == "0"
    assert Notificacao.objects.get().lida
    assert browser.csp == [] and browser.outside == []


def test_quality_page_fits_a_phone(browser: Any, live_server: Any) -> None:  # noqa: F811
    units()
    user = gestor()
    RegraAlerta.objects.create(dono=user, nome="Regra com um nome bem comprido para o celular", tipo_regiao="uf",
                               regiao="RS", metrica="dic_medio_mensal", limiar=5.0)  # fmt: skip
    session_login(browser, live_server, user)
    browser.set_viewport_size({"width": 390, "height": 844})
    browser.goto(f"{live_server.url}/qualidade/")
    assert browser.locator("#regras tbody tr").count() == 1
    # The page itself does not scroll sideways: wide tables scroll inside their own box.
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    for table in ("#regras", "#tendencia", "#piores-municipios"):
        box = browser.locator(table).evaluate("t => t.closest('.rolagem').getBoundingClientRect().right")
        assert box <= 390, table
    shot(browser, "celular-qualidade")
