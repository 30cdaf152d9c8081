"""The enrichment on the API: list filters (enriquecimento_status, cnpj, porte, mei, livre), the unit's
identity with its evidence and alternatives, and the identity columns of exports."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from leads import models
from leads.enrichment import services as enrichment
from tests.factories import LeadBrutoFactory
from tests.leads.test_api import analyst, codes, units  # noqa: F401 (fixtures)
from tests.leads.test_exports import csv_rows

from . import cadastros

pytestmark = pytest.mark.django_db


@pytest.fixture
def enriched(units: dict[str, models.LeadBruto]) -> dict[str, object]:  # noqa: F811
    """The API's four units, plus one placed at a real establishment of the Receita sample (a micro
    company, not MEI) and a captive food industry found among CCEE's loads; the datacenter's GD plant
    belongs to another real establishment of the sample. Then every step runs."""
    established = cadastros.load_receita()
    known = set(models.Cnae.objects.values_list("subclasse", flat=True))
    places = [e for e in established if not e.cep.endswith("000") and f"{e.cnae[:4]}-{e.cnae[4]}/{e.cnae[5:]}" in known]
    placed, holder = places[0], places[1]
    cadastros.add_company(placed.cnpj[:8], "EMPRESA DA UNIDADE LTDA", porte=1, mei=False)
    cadastros.add_company(holder.cnpj[:8], "TITULAR DA USINA SA", porte=5, mei=False)
    unit = LeadBrutoFactory(
        cod_id="placed", classe_consumo_id="CO1", cnae_id=f"{placed.cnae[:4]}-{placed.cnae[4]}/{placed.cnae[5:]}",
        cep=f"{placed.cep[:5]}-{placed.cep[5:]}", bairro=placed.bairro, municipio_id=placed.municipio_ibge, pac=40.0,
    )  # fmt: skip
    food = LeadBrutoFactory(
        cod_id="food", camada="UCMT", classe_consumo_id="IN", cnae_id="1011-2/01", grupo_tensao_id="MT",
        grupo_tarifario_id="A4", pac=1500.0, demanda_contratada_kw=1500.0, livre=False,
    )  # fmt: skip
    cadastros.add_gd("GD.RS.000.111.111", holder.cnpj, "TITULAR DA USINA SA", None, 300.0)
    cadastros.add_ccee_load("4314902", "04865228000103", "ALIMENTÍCIOS", 1.545, "FRIGORIFICO DE TESTE SA")
    enrichment.enrich_layer(distribuidora=401, ano=2024)
    return {"placed": placed, "holder": holder, "unit": unit, "food": food}


def get(client: APIClient, query: str) -> object:
    return client.get(f"/api/v1/leads/?{query}")


def test_lists_filter_on_status_cnpj_porte_mei_and_free_market(analyst: APIClient, enriched) -> None:  # noqa: F811
    placed, holder = enriched["placed"], enriched["holder"]
    # The home (a natural person) has only the municipality step to run, which succeeded.
    assert codes(get(analyst, "enriquecimento_status=success")) == ["dc", "food", "home", "placed"]
    failed = codes(get(analyst, "enriquecimento_status=failed"))
    assert "placed" not in failed and "shop" in failed  # the shop's CEP has no establishment of the sample
    both = codes(get(analyst, "enriquecimento_status=sucesso,falhou"))  # Portuguese labels too
    assert both == sorted(["dc", "food", "home", "placed", *failed])
    formatted = f"{placed.cnpj[:2]}.{placed.cnpj[2:5]}.{placed.cnpj[5:8]}/{placed.cnpj[8:12]}-{placed.cnpj[12:]}"
    assert codes(get(analyst, f"cnpj={formatted}")) == ["placed"]
    assert codes(get(analyst, f"cnpj={holder.cnpj[:8]},{placed.cnpj}")) == ["dc", "placed"]
    assert codes(get(analyst, "porte=micro")) == ["placed"] and codes(get(analyst, "porte=5")) == ["dc"]
    assert codes(get(analyst, "mei=false")) == ["dc", "placed"] and codes(get(analyst, "mei=sim")) == []
    # Free: the datacenter by the BDGD's LIV, the food industry by CCEE (the BDGD says captive).
    assert codes(get(analyst, "livre=true")) == ["dc", "food"]
    assert "food" not in codes(get(analyst, "livre=false"))
    row = next(r for r in get(analyst, "livre=true").json()["results"] if r["cod_id"] == "food")  # type: ignore[attr-defined]
    assert row["livre"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("enriquecimento_status=ok", "valor desconhecido: 'ok'"),
        ("porte=grande", "valor desconhecido: 'grande'"),
        ("cnpj=123", "não é um CNPJ"),
        ("mei=talvez", "não é um valor booleano"),
        ("livre=2", "não é um valor booleano"),
    ],
)
def test_unknown_enrichment_values_are_refused(analyst: APIClient, query: str, message: str) -> None:  # noqa: F811
    response = get(analyst, query)
    assert response.status_code == 400, response.content  # type: ignore[attr-defined]
    assert message in str(response.json())  # type: ignore[attr-defined]


def test_detail_shows_company_evidence_and_alternatives(analyst: APIClient, enriched) -> None:  # noqa: F811
    placed, unit = enriched["placed"], enriched["unit"]
    body = analyst.get(f"/api/v1/leads/{unit.uc_id}/").json()
    identity = body["identidade"]
    assert (identity["resultado"], identity["metodo"], identity["cnpj"]) == ("success", "probabilistico", placed.cnpj)
    assert identity["razao_social"] == "EMPRESA DA UNIDADE LTDA" and identity["porte"]["descricao"] == "microempresa"
    assert (
        identity["probabilidade"] >= 0.9 and identity["margem_bits"] >= 3 and identity["release_cnpj"] == "2026-01-01"
    )
    assert identity["evidencia"]["campos"]["cep"] == "exato" and identity["evidencia"]["cnpj"] == placed.cnpj
    assert isinstance(identity["alternativas"], list)
    assert {e["etapa"] for e in body["enriquecimento"]} == {"municipio", "cnpj"}
    assert body["contexto_municipio"]["populacao"] > 0
    food = analyst.get(f"/api/v1/leads/{enriched['food'].uc_id}/").json()
    assert food["livre"] is True and food["mercado_livre"]["fonte"] == "ccee"
    assert food["mercado_livre"]["data_migracao"] == "2023-05-01"
    assert food["identidade"]["cnpj"] == "04865228000103" and food["identidade"]["metodo"] == "ccee"


def test_exports_carry_the_identity_columns_and_its_filters(analyst: APIClient, enriched) -> None:  # noqa: F811
    placed = enriched["placed"]
    (row,) = csv_rows(analyst.get(f"/api/v1/leads/csv/?cnpj={placed.cnpj}"))
    assert (row["cnpj"], row["razao_social"], row["porte"], row["mei"]) == (
        placed.cnpj, "EMPRESA DA UNIDADE LTDA", "1", "não",
    )  # fmt: skip
    assert (row["identidade_resultado"], row["identidade_metodo"]) == ("success", "probabilistico")
    rows = {r["cod_id"]: r for r in csv_rows(analyst.get("/api/v1/leads/csv/?livre=sim"))}
    assert rows["food"]["livre"] == "sim" and rows["food"]["data_migracao_acl"] == "2023-05-01"
    assert analyst.get("/api/v1/leads/csv/?porte=gigante").status_code == 400


def test_exports_show_the_establishment_only_when_named_and_nothing_rejected(analyst: APIClient, enriched) -> None:  # noqa: F811
    placed = enriched["placed"]
    unit = enriched["unit"]
    identity = models.LeadIdentidade.objects.get(uc_id=unit.uc_id)
    identity.resultado = models.Resultado.PARTIAL  # the company is clear, not which of its establishments
    identity.save()
    row = next(r for r in csv_rows(analyst.get("/api/v1/leads/csv/")) if r["cod_id"] == "placed")
    assert (row["cnpj"], row["nome_fantasia"], row["cnpj_basico"]) == ("", "", placed.cnpj[:8])
    assert row["razao_social"] == "EMPRESA DA UNIDADE LTDA" and row["identidade_resultado"] == "partial"
    identity.revisao = models.Revisao.CONFIRMADA  # staff confirmed it: the establishment is named again
    identity.save()
    row = next(r for r in csv_rows(analyst.get("/api/v1/leads/csv/")) if r["cod_id"] == "placed")
    assert row["cnpj"] == placed.cnpj
    identity.revisao = models.Revisao.REJEITADA  # staff rejected it: no identity column says anything
    identity.save()
    rows = csv_rows(analyst.get("/api/v1/leads/csv/"))
    assert len(rows) == len({r["uc_id"] for r in rows}) == models.LeadBruto.objects.count()  # one row a unit
    row = next(r for r in rows if r["cod_id"] == "placed")
    assert {row[c] for c in ("cnpj", "cnpj_basico", "razao_social", "identidade_resultado", "mei", "porte")} == {""}
