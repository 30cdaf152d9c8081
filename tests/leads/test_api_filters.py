"""Filters never ignore a value: booleans, codes, municipalities, several values, ordering, the schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from leads import services
from tests.factories import LeadBrutoFactory, add_monthly
from tests.leads.test_api import analyst, codes, units  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def get(client: APIClient, query: str) -> object:
    return client.get(f"/api/v1/leads/?{query}")


@pytest.mark.parametrize("spelling", ["true", "True", "1", "sim", "Sim", "s", "yes"])
def test_boolean_filters_take_the_spellings_people_use_for_yes(analyst: APIClient, units, spelling: str) -> None:  # noqa: F811
    assert codes(get(analyst, f"livre={spelling}")) == ["dc"]
    assert codes(get(analyst, f"possui_gd={spelling}")) == ["dc"]


@pytest.mark.parametrize("spelling", ["false", "0", "não", "nao", "NÃO", "no"])
def test_boolean_filters_take_the_spellings_people_use_for_no(analyst: APIClient, units, spelling: str) -> None:  # noqa: F811
    assert "dc" not in codes(get(analyst, f"possui_gd={spelling}"))
    assert codes(get(analyst, f"possui_gd={spelling}")) == ["factory", "home", "shop"]


@pytest.mark.parametrize("query", ["livre=talvez", "possui_gd=2", "livre=verdade"])
def test_a_boolean_it_does_not_understand_is_a_400_naming_the_spellings(analyst: APIClient, query: str) -> None:  # noqa: F811
    response = get(analyst, query)
    assert response.status_code == 400
    name = query.split("=")[0]
    assert "sim/não" in response.json()[name][0]


def test_uf_ignores_case_and_an_unknown_uf_lists_the_ufs(analyst: APIClient, units) -> None:  # noqa: F811
    assert codes(get(analyst, "uf=rs")) == ["dc", "factory", "home", "shop"]
    response = get(analyst, "uf=XX")
    assert response.status_code == 400 and "RS" in response.json()["uf"][0] and "'XX'" in response.json()["uf"][0]


def test_unknown_codes_are_400s_that_say_what_exists(analyst: APIClient, units) -> None:  # noqa: F811
    for query, name in [("classe=ZZ9", "classe"), ("grupo_tarifario=A9", "grupo_tarifario"),
                        ("segmento=padaria", "segmento"), ("distribuidora=9999", "distribuidora"),
                        ("camada=UCXX", "camada"), ("situacao=XX", "situacao")]:  # fmt: skip
        response = get(analyst, query)
        assert response.status_code == 400, query
        assert "desconhecido" in response.json()[name][0], response.json()
    assert "CO1" in get(analyst, "classe=ZZ9").json()["classe"][0]  # few codes: listed
    assert "/api/v1/dominios/distribuidoras/" in get(analyst, "distribuidora=9999").json()["distribuidora"][0]


def test_a_class_and_codes_in_any_case_select_its_subclasses(analyst: APIClient, units) -> None:  # noqa: F811
    assert codes(get(analyst, "classe=CO")) == ["dc", "shop"]  # CO1 and CO3
    assert codes(get(analyst, "classe=co1")) == ["shop"]
    assert codes(get(analyst, "camada=ucmt")) == ["dc"] and codes(get(analyst, "tipo_cliente=pj")) == [
        "dc",
        "factory",
        "shop",
    ]


def test_every_code_filter_takes_several_values(analyst: APIClient, units) -> None:  # noqa: F811
    assert codes(get(analyst, "classe=CO1,CO3")) == ["dc", "shop"]
    assert codes(get(analyst, "classe=CO1&classe=IN")) == ["factory", "shop"]
    assert codes(get(analyst, "cnae=47,63")) == ["dc", "shop"]
    assert codes(get(analyst, "municipio=4305108,4314902")) == ["dc", "factory", "home", "shop"]
    assert codes(get(analyst, "segmento=varejo&segmento=tic_datacenter")) == ["dc", "shop"]
    assert codes(get(analyst, "camada=UCMT,UCBT")) == ["dc", "factory", "home", "shop"]


def test_voltage_groups_by_their_common_names(analyst: APIClient, units) -> None:  # noqa: F811
    assert codes(get(analyst, "grupo_tensao=A")) == ["dc"]  # MT and AT
    assert codes(get(analyst, "grupo_tensao=mt")) == ["dc"]
    response = get(analyst, "grupo_tensao=C")
    assert response.status_code == 400 and "MT" in response.json()["grupo_tensao"][0]


def test_a_municipality_by_code_or_by_name_and_uf(analyst: APIClient, units) -> None:  # noqa: F811
    assert codes(get(analyst, "municipio=Caxias do Sul")) == ["home"]
    assert codes(get(analyst, "municipio=caxias do sul")) == ["home"]
    assert codes(get(analyst, "municipio=Porto Alegre/RS")) == ["dc", "factory", "shop"]
    # Tapejara is in PR and in RS: the UF must say which, in the value or in `uf`.
    ambiguous = get(analyst, "municipio=Tapejara")
    assert ambiguous.status_code == 400 and "Tapejara/PR" in ambiguous.json()["municipio"][0]
    assert get(analyst, "municipio=Tapejara/RS").status_code == 200
    assert get(analyst, "municipio=Tapejara&uf=RS").status_code == 200
    assert get(analyst, "municipio=Atlântida").status_code == 400
    assert get(analyst, "municipio=9999999").status_code == 400


def test_an_unknown_parameter_is_refused_not_ignored(analyst: APIClient) -> None:  # noqa: F811
    response = get(analyst, "classe_consumo=CO1")
    assert response.status_code == 400 and "classe" in response.json()["classe_consumo"][0]


@pytest.mark.parametrize("column", ["demanda_pico_kw", "media_fic", "energia_anual_kwh", "pac", "media_dic"])
def test_every_numeric_column_orders_the_list(analyst: APIClient, units, column: str) -> None:  # noqa: F811
    rows = analyst.get(f"/api/v1/leads/?ordering=-{column}").json()["results"]
    values = [row[column] for row in rows]
    assert values and values == sorted(values, reverse=True) and None not in values


def test_aggregates_order_by_their_figures(analyst: APIClient) -> None:  # noqa: F811
    for cod_ibge, dic in (("4314902", 1.0), ("4305108", 9.0), ("4321105", 4.0)):
        lead = LeadBrutoFactory(municipio_id=cod_ibge)
        add_monthly(lead, energia=[10.0] * 12, dic=[dic] * 12, fic=[1.0] * 12)
    services.views_refresh()
    rows = analyst.get("/api/v1/agregados/municipios/?ordering=-media_dic").json()["results"]
    assert [r["municipio"] for r in rows] == ["4305108", "4321105", "4314902"]
    rows = analyst.get("/api/v1/agregados/municipios/?ordering=media_dic&uf=rs").json()["results"]
    assert [r["municipio"] for r in rows] == ["4314902", "4321105", "4305108"]
    assert analyst.get("/api/v1/agregados/municipios/?ordering=-nome_errado").status_code == 400


def test_schema_lists_every_filter_of_the_list_and_its_exports(analyst: APIClient) -> None:  # noqa: F811
    from leads.filters import LeadFilter

    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/v1/leads/", "/api/v1/leads/csv/", "/api/v1/leads/xlsx/", "/api/v1/leads/geojson/"):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert set(LeadFilter.base_filters) <= names, (path, set(LeadFilter.base_filters) - names)
    for path in ("/api/v1/leads/csv/", "/api/v1/leads/xlsx/"):
        assert {"ordering", "limit"} <= {p["name"] for p in paths[path]["get"]["parameters"]}
    ordering = next(p for p in paths["/api/v1/agregados/municipios/"]["get"]["parameters"] if p["name"] == "ordering")
    assert "-media_dic" in ordering["schema"]["enum"]


def test_domain_codes_with_a_slash_can_be_fetched(analyst: APIClient) -> None:  # noqa: F811
    assert analyst.get("/api/v1/dominios/cnaes/4711-3%2F02/").json()["subclasse"] == "4711-3/02"
    assert analyst.get("/api/v1/dominios/cnaes/4711-3/02/").json()["subclasse"] == "4711-3/02"


def test_api_errors_are_json_in_portuguese(analyst: APIClient, settings) -> None:  # noqa: F811
    settings.DEBUG = True  # the debug 404 page is HTML: the API must not answer with it
    for url in ("/api/v1/leads/abc/", "/api/v1/nada/", "/api/v1/leads/1/2/3/"):
        response = analyst.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", url
    assert "uc_id" in analyst.get("/api/v1/leads/abc/").json()["detail"]
    assert "credenciais" in APIClient().get("/api/v1/leads/").json()["detail"]  # DRF's own, translated
    assert "ordenação" in analyst.get("/api/v1/leads/?ordering=cod_id").json()["ordering"][0]
    bad = APIClient().post("/api/token/", {"username": "x", "password": "y"}, format="json").json()["detail"]
    assert "senha" in bad  # simplejwt's, translated
    assert "número" in analyst.get("/api/v1/leads/?pac_min=muito").json()["pac_min"][0]  # django-filter's


def test_dispatch_without_plants_is_a_400_and_deficit_is_warned(analyst: APIClient) -> None:  # noqa: F811
    carga = {"SE": [100.0] * 24}
    response = analyst.post("/api/v1/despacho/", {"horas": 24, "carga": carga}, format="json")
    assert response.status_code == 400 and "sem usinas" in str(response.json()["detail"])
    thermal = {"nome": "T1", "subsistema": "SE", "segmentos": [[30.0, 200.0]]}
    plan = analyst.post("/api/v1/despacho/", {"horas": 24, "carga": carga, "termicas": [thermal]}, format="json")
    assert plan.status_code == 200, plan.json()
    assert "70,0%" in plan.json()["avisos"][0] and "déficit" in plan.json()["avisos"][0]
    enough = {**thermal, "segmentos": [[150.0, 200.0]]}
    ok = analyst.post("/api/v1/despacho/", {"horas": 24, "carga": carga, "termicas": [enough]}, format="json")
    assert ok.status_code == 200 and ok.json()["avisos"] == []
