"""Alert rules: each event notified once, in the site and by e-mail to a real SMTP server; owners only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.test import Client
from django.utils import timezone

from leads import services as leads_services
from leads.models import LeadBruto, LeadUnidade
from quality import services
from quality.models import Anomalia, EventoAlerta, Notificacao, RegraAlerta
from tests.factories import PORTO_ALEGRE, LeadBrutoFactory, add_monthly
from tests.leads.test_api import token_client
from tests.quality.conftest import Caixa

pytestmark = pytest.mark.django_db
CAXIAS = "4305108"


def units() -> list[LeadBruto]:
    """Porto Alegre units with a bad January (6 h) and Caxias do Sul units with a good year."""
    out = []
    for n in range(4):
        lead = LeadBrutoFactory(cod_id=f"poa{n}", coordenada=Point(-51.2, -30.03, srid=4674))
        add_monthly(lead, energia=[300.0] * 12, dic=[6.0] + [0.5] * 11, fic=[2.0] * 12)
        out.append(lead)
    for n in range(4):
        lead = LeadBrutoFactory(cod_id=f"cxs{n}", municipio_id=CAXIAS, coordenada=Point(-51.18, -29.17, srid=4674))
        add_monthly(lead, energia=[300.0] * 12, dic=[0.1] * 12, fic=[0.2] * 12)
        out.append(lead)
    services.indicators_refresh(concurrently=False)
    return out


def gestor(email: str = "gestora@example.com", username: str = "gestora") -> Any:
    return get_user_model().objects.create_user(username, email=email, password="senha-forte-123")


def test_a_rule_fires_once_per_event_in_the_site_and_by_email(smtp: Caixa) -> None:
    units()
    user = gestor()
    rule = RegraAlerta.objects.create(dono=user, nome="POA janeiro", tipo_regiao="municipio", regiao=PORTO_ALEGRE,
                                      metrica="dic_medio_mensal", limiar=5.0)  # fmt: skip
    quiet = RegraAlerta.objects.create(dono=user, nome="Caxias", tipo_regiao="municipio", regiao=CAXIAS,
                                       metrica="dic_medio_mensal", limiar=5.0)  # fmt: skip
    done = services.quality_refresh()
    assert (done.avaliacao.eventos, done.avaliacao.notificacoes, done.emails) == (1, 1, 1)
    event = EventoAlerta.objects.get(regra=rule)
    assert event.chave == f"dic_medio_mensal:municipio:{PORTO_ALEGRE}:2024:1" and event.valor == pytest.approx(6.0)
    assert "Porto Alegre/RS" in event.titulo and "01/2024" in event.titulo
    assert not EventoAlerta.objects.filter(regra=quiet).exists()
    [mail] = smtp.mensagens
    assert mail["To"] == "gestora@example.com" and str(mail["Subject"]).strip().startswith(
        "[You.On] DIC médio em Porto Alegre/RS (01/2024): 6,00 h"
    )
    assert "acima do limiar de 5,00 h" in mail.get_content()
    again = services.quality_refresh()  # the next run (nightly, another import): nothing new
    assert (again.avaliacao.eventos, again.avaliacao.notificacoes, again.emails) == (0, 0, 0)
    assert len(smtp.mensagens) == 1 and Notificacao.objects.filter(usuario=user).count() == 1


def test_digest_rules_mail_once_a_day_with_every_pending_event(smtp: Caixa) -> None:
    units()
    user = gestor()
    for metrica, limiar in (("dic_medio_mensal", 0.25), ("fic_medio_anual", 1.0)):
        RegraAlerta.objects.create(dono=user, nome=metrica, tipo_regiao="uf", regiao="RS", metrica=metrica,
                                   limiar=limiar, resumo_diario=True)  # fmt: skip
    done = services.quality_refresh()
    # RS: 3.25 h in January and 0.3 h the other months (Porto Alegre 0.5, Caxias 0.1), and the year's FIC.
    assert done.avaliacao.notificacoes == 13 and done.emails == 0
    assert services.digest_send() == 1
    [mail] = smtp.mensagens
    assert (
        str(mail["Subject"]).strip() == "[You.On] Resumo diário: 13 alertas" and mail.get_content().count("\n- ") == 13
    )
    assert services.digest_send() == 0 and len(smtp.mensagens) == 1


def test_polygon_anomaly_and_new_lead_rules(smtp: Caixa) -> None:
    leads = units()
    user = gestor()
    around_poa = MultiPolygon(Polygon.from_bbox((-51.3, -30.1, -51.1, -29.9)), srid=4674)
    polygon = RegraAlerta.objects.create(dono=user, nome="polígono", tipo_regiao="poligono", poligono=around_poa,
                                         metrica="dic_medio_anual", limiar=10.0)  # fmt: skip
    Anomalia.objects.create(uc_id=leads[5].uc_id, distribuidora_id=401, ano=2024, camada="UCBT", tipo="queda_abrupta",
                            severidade=3, mes=7, escore=0.9, valor=10, referencia=300, explicacao="caiu.")  # fmt: skip
    anomaly = RegraAlerta.objects.create(dono=user, nome="quedas", tipo_regiao="municipio", regiao=CAXIAS,
                                         metrica="anomalia", tipo_anomalia="queda_abrupta", limiar=2)  # fmt: skip
    leads_services.score_refresh()
    new_lead = RegraAlerta.objects.create(dono=user, nome="leads", tipo_regiao="uf", regiao="RS", metrica="novo_lead",
                                          limiar=0)  # fmt: skip
    services.rules_evaluate()
    # Polygon: the four Porto Alegre units, (6 + 11 × 0.5) = 11.5 h in the year.
    [event] = EventoAlerta.objects.filter(regra=polygon)
    assert event.valor == pytest.approx(11.5) and "4 unidades do polígono" in event.descricao
    [event] = EventoAlerta.objects.filter(regra=anomaly)
    assert event.uc_id == leads[5].uc_id and event.descricao.startswith("caiu. Unidade cxs1")
    # New leads: the units there before the rule was created are not told, a unit registered later is.
    assert not EventoAlerta.objects.filter(regra=new_lead).exists()
    late = LeadBrutoFactory(cod_id="nova", coordenada=Point(-51.2, -30.03, srid=4674))
    add_monthly(late, energia=[50_000.0] * 12, dic=[1.0] * 12, fic=[1.0] * 12)
    # An import commits on its own, after the rule; inside this test's one transaction now() stands still.
    LeadUnidade.objects.filter(uc_id=late.uc_id).update(registrada_em=timezone.now())
    leads_services.score_refresh()
    services.rules_evaluate()
    [told] = Notificacao.objects.filter(evento__regra=new_lead)
    assert told.evento.uc_id == late.uc_id and not told.evento.silencioso
    assert EventoAlerta.objects.filter(regra=new_lead).count() == 1


def test_rules_events_and_notifications_are_their_owners_only() -> None:
    units()
    owner, other = token_client("dona"), token_client("outro")
    body = {"nome": "RS", "tipo_regiao": "uf", "regiao": "rs", "metrica": "dic_medio_anual", "limiar": 1.0}
    created = owner.post("/api/v1/qualidade/regras/", body, format="json")
    assert created.status_code == 201 and created.json()["regiao"] == "RS" and created.json()["avaliada_em"]
    rule_id = created.json()["id"]
    note = Notificacao.objects.get()  # evaluated when created: RS passes 1 h in the year
    for url in (f"/api/v1/qualidade/regras/{rule_id}/", f"/api/v1/qualidade/notificacoes/{note.pk}/",
                f"/api/v1/qualidade/eventos/{note.evento_id}/"):  # fmt: skip
        assert owner.get(url).status_code == 200
        refused = other.get(url)
        assert refused.status_code == 404 and refused.json() == {"detail": "Não encontrado."}  # no model named
    assert other.patch(f"/api/v1/qualidade/regras/{rule_id}/", {"limiar": 99}, format="json").status_code == 404
    assert other.delete(f"/api/v1/qualidade/regras/{rule_id}/").status_code == 404
    assert other.post("/api/v1/qualidade/notificacoes/marcar-lidas/", {}, format="json").json() == {"marcadas": 0}
    for path in ("regras", "eventos", "notificacoes"):
        assert other.get(f"/api/v1/qualidade/{path}/").json()["results"] == []
        assert len(owner.get(f"/api/v1/qualidade/{path}/").json()["results"]) == 1
    assert owner.get("/api/v1/qualidade/notificacoes/?lida=nao").json()["results"][0]["id"] == note.pk
    assert owner.patch(f"/api/v1/qualidade/notificacoes/{note.pk}/", {"lida": True}, format="json").status_code == 200
    assert owner.get("/api/v1/qualidade/notificacoes/?lida=nao").json()["results"] == []
    assert (
        RegraAlerta.objects.get().limiar == 1.0
        and owner.delete(f"/api/v1/qualidade/regras/{rule_id}/").status_code == 204
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"tipo_regiao": "uf", "regiao": "XX", "metrica": "dic_medio_anual", "limiar": 1}, "regiao", "não é uma UF"),
        ({"tipo_regiao": "municipio", "regiao": "Tapejara", "metrica": "dic_medio_anual", "limiar": 1}, "regiao",
         "indique a UF"),
        ({"tipo_regiao": "conjunto", "regiao": "12722", "metrica": "dic_medio_anual", "limiar": 1}, "regiao",
         "distribuidora:CONJ"),
        ({"tipo_regiao": "poligono", "poligono": {"type": "Point", "coordinates": [1, 2]}, "metrica": "anomalia",
          "tipo_anomalia": "queda_abrupta", "limiar": 2}, "poligono", "Polygon ou MultiPolygon"),
        ({"tipo_regiao": "uf", "regiao": "RS", "metrica": "anomalia", "limiar": 2}, "tipo_anomalia",
         "precisa de um tipo"),
        ({"tipo_regiao": "uf", "regiao": "RS", "metrica": "novo_lead", "limiar": 200}, "limiar", "entre 0 e 100"),
        ({"tipo_regiao": "uf", "regiao": "RS", "metrica": "dic", "limiar": 1}, "metrica", "não é um escolha válida"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(body: dict[str, Any], field: str, words: str) -> None:
    client = token_client("analista")
    response = client.post("/api/v1/qualidade/regras/", {"nome": "x", **body}, format="json")
    assert response.status_code == 400, response.content
    assert words in json.dumps(response.json(), ensure_ascii=False), response.json()
    assert field in response.json()
    assert not RegraAlerta.objects.exists()


def test_indicator_and_anomaly_lists_refuse_unknown_values() -> None:
    client = token_client("analista")
    assert client.get("/api/v1/qualidade/indicadores/?mes=13").status_code == 400
    assert "ordering" in client.get("/api/v1/qualidade/indicadores/?ordering=nome").json()
    assert "tipo" in client.get("/api/v1/qualidade/anomalias/?tipo=nada").json()
    assert "filtro" in client.get("/api/v1/qualidade/anomalias/?filtro=1").json()
    assert client.get("/api/v1/leads/?anomalia=nada").status_code == 400


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read() -> None:
    units()
    user = gestor()
    RegraAlerta.objects.create(dono=user, nome="RS", tipo_regiao="uf", regiao="RS", metrica="dic_medio_anual",
                               limiar=1.0, email=False)  # fmt: skip
    services.rules_evaluate()
    browser = Client()
    browser.force_login(user)
    assert 'title="notificações não lidas">Alertas <b>1</b>' in browser.get("/qualidade/").content.decode()
    assert "DIC médio anual em RS (2024)" in browser.get("/qualidade/notificacoes/").content.decode()
    browser.post("/qualidade/notificacoes/", {})
    assert "Alertas <b>0</b>" in browser.get("/").content.decode()
    assert "Alertas (0)" in browser.get("/admin/").content.decode() or not user.is_staff


def test_a_rule_on_a_saved_map_selection_follows_the_selection() -> None:
    units()
    owner, other = token_client("dona"), token_client("outro")
    around_poa = {"type": "Polygon", "coordinates": [[[-51.3, -30.1], [-51.1, -30.1], [-51.1, -29.9],
                                                      [-51.3, -29.9], [-51.3, -30.1]]]}  # fmt: skip
    around_caxias = {"type": "Polygon", "coordinates": [[[-51.3, -29.3], [-51.1, -29.3], [-51.1, -29.1],
                                                         [-51.3, -29.1], [-51.3, -29.3]]]}  # fmt: skip
    saved = owner.post("/api/v1/leads/selecoes/", {"nome": "centro", "geometria": around_poa}, format="json")
    assert saved.status_code == 201, saved.content
    selecao = saved.json()["id"]
    body = {"nome": "seleção", "tipo_regiao": "poligono", "selecao": selecao, "metrica": "dic_medio_anual",
            "limiar": 10.0}  # fmt: skip
    refused = other.post("/api/v1/qualidade/regras/", body, format="json")
    assert refused.status_code == 400 and "selecao" in refused.json()  # someone else's selection
    created = owner.post("/api/v1/qualidade/regras/", body, format="json")
    assert created.status_code == 201, created.content
    [event] = EventoAlerta.objects.filter(regra_id=created.json()["id"])
    assert event.valor == pytest.approx(11.5) and "4 unidades do polígono" in event.descricao  # Porto Alegre's
    # The selection is redrawn around Caxias do Sul (1.2 h in the year): the rule follows, nothing new fires.
    moved = owner.patch(f"/api/v1/leads/selecoes/{selecao}/", {"geometria": around_caxias}, format="json")
    assert moved.status_code == 200, moved.content
    services.rules_evaluate()
    rule = RegraAlerta.objects.get(pk=created.json()["id"])
    assert rule.poligono.extent == pytest.approx((-51.3, -29.3, -51.1, -29.1))
    assert EventoAlerta.objects.filter(regra=rule).count() == 1
