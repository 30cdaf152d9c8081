"""The map's API: totals of a drawn area (resumo), saved selections (owner only), the polygon filter."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from leads import models
from tests.factories import LeadBrutoFactory

pytestmark = pytest.mark.django_db
BOX = "POLYGON((-52 -28.1, -51.9 -28.1, -51.9 -28, -52 -28, -52 -28.1))"
BOX_JSON = json.dumps(
    {"type": "Polygon", "coordinates": [[[-52, -28.1], [-51.9, -28.1], [-51.9, -28], [-52, -28], [-52, -28.1]]]}
)


def client_for(username: str) -> APIClient:
    api = APIClient()
    api.force_authenticate(get_user_model().objects.create_user(username, password="senha-forte-123"))
    return api


@pytest.fixture
def analyst() -> APIClient:
    return client_for("analista")


@pytest.fixture
def units() -> list[models.LeadBruto]:
    inside = [
        LeadBrutoFactory(cod_id="a", classe_consumo_id="CO1", segmento_mercado_id="varejo", energia_anual_kwh=1000.0,
                         demanda_pico_kw=10.0, media_dic=2.0, media_fic=1.0, coordenada=Point(-51.95, -28.05, srid=4674)),  # noqa: E501
        LeadBrutoFactory(cod_id="b", classe_consumo_id="CO1", segmento_mercado_id="varejo", energia_anual_kwh=3000.0,
                         demanda_pico_kw=30.0, media_dic=4.0, media_fic=3.0, coordenada=Point(-51.96, -28.06, srid=4674)),  # noqa: E501
        LeadBrutoFactory(cod_id="c", classe_consumo_id="RE1", energia_anual_kwh=500.0,
                         coordenada=Point(-51.97, -28.07, srid=4674)),
    ]  # fmt: skip
    outside = LeadBrutoFactory(cod_id="d", energia_anual_kwh=9.0, coordenada=Point(-51.2, -30.0, srid=4674))
    return [*inside, outside]


@pytest.mark.parametrize("poligono", [BOX, BOX_JSON])
def test_resumo_totals_the_units_inside_the_polygon(analyst: APIClient, units: list, poligono: str) -> None:
    body = analyst.get("/api/v1/leads/resumo/", {"poligono": poligono}).json()
    assert body["unidades"] == 3 and body["energia_anual_kwh"] == 4500.0 and body["demanda_pico_kw"] == 40.0
    assert body["media_dic"] == 3.0 and body["media_fic"] == 2.0
    classes = {row["codigo"]: row["unidades"] for row in body["por_classe"]}
    assert classes == {"CO1": 2, "RE1": 1}
    assert body["por_segmento"][0]["codigo"] == "varejo" and body["por_segmento"][0]["unidades"] == 2


def test_resumo_follows_the_filters_and_a_circle(analyst: APIClient, units: list) -> None:
    assert analyst.get("/api/v1/leads/resumo/", {"poligono": BOX, "classe": "RE"}).json()["unidades"] == 1
    circle = {"lat": -28.05, "lon": -51.95, "raio_m": 500}
    assert analyst.get("/api/v1/leads/resumo/", circle).json()["unidades"] == 1


@pytest.mark.parametrize(
    ("poligono", "reason"),
    [("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))", "Self-intersection"), ("LINESTRING(0 0, 1 1)", "esperado"),
     ("POLYGON((-80 -60, 0 -60, 0 20, -80 20, -80 -60))", "grande demais"), ("{nada", "não é um GeoJSON")],
)  # fmt: skip
def test_bad_polygon_is_400_with_the_reason(analyst: APIClient, poligono: str, reason: str) -> None:
    response = analyst.get("/api/v1/leads/resumo/", {"poligono": poligono})
    assert response.status_code == 400 and reason in json.dumps(response.json(), ensure_ascii=False)


def test_polygon_filter_applies_to_list_and_csv_export(analyst: APIClient, units: list) -> None:
    listed = analyst.get("/api/v1/leads/", {"poligono": BOX}).json()["results"]
    assert len(listed) == 3 and {row["cod_id"] for row in listed} == {"a", "b", "c"}
    csv = analyst.get("/api/v1/leads/csv/", {"poligono": BOX}).getvalue().decode()
    assert len(csv.strip().splitlines()) == 1 + 3


def test_selections_are_saved_and_reopened_by_their_owner_only(analyst: APIClient) -> None:
    created = analyst.post(
        "/api/v1/leads/selecoes/", {"nome": "Centro", "geometria": BOX, "filtros": {"classe": "CO"}}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    again = analyst.get(f"/api/v1/leads/selecoes/{pk}/").json()
    assert again["nome"] == "Centro" and again["filtros"] == {"classe": "CO"}
    assert again["geometria"]["type"] == "MultiPolygon"
    other = client_for("outra")
    assert other.get(f"/api/v1/leads/selecoes/{pk}/").status_code == 404
    assert other.delete(f"/api/v1/leads/selecoes/{pk}/").status_code == 404
    assert other.get("/api/v1/leads/selecoes/").json() == []
    assert APIClient().get("/api/v1/leads/selecoes/").status_code == 401


def test_a_selection_refuses_unknown_filters_and_bad_geometry(analyst: APIClient) -> None:
    response = analyst.post(
        "/api/v1/leads/selecoes/", {"nome": "x", "geometria": "POINT(0 0)", "filtros": {"cor": "azul"}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"geometria", "filtros"}


def test_municipios_gives_each_municipalitys_figures_under_the_filters(analyst: APIClient, units: list) -> None:
    from leads import services

    models.LeadBruto.objects.filter(cod_id="b").update(livre=True)
    services.score_refresh()
    rows = analyst.get("/api/v1/leads/municipios/", {"uf": "RS"}).json()
    (poa,) = rows  # the factory's units are all in Porto Alegre
    assert poa["codigo"] == "4314902" and poa["unidades"] == 4
    assert poa["energia_anual_kwh"] == 4509.0 and poa["pct_livre"] == 25.0
    assert set(poa) == {"codigo", "unidades", "energia_anual_kwh", "media_dic", "media_fic", "pct_livre",
                        "melhor_score"}  # fmt: skip
    (co,) = analyst.get("/api/v1/leads/municipios/", {"uf": "RS", "classe": "CO"}).json()
    assert co["unidades"] == 2 and co["media_dic"] == 3.0
    assert analyst.get("/api/v1/leads/municipios/", {"uf": "SC"}).json() == []
    missing = analyst.get("/api/v1/leads/municipios/", {"classe": "CO"})
    assert missing.status_code == 400 and "uf" in missing.json()
    assert analyst.get("/api/v1/leads/municipios/", {"uf": "RS", "cor": "azul"}).status_code == 400


def test_resumo_of_a_large_area_sums_the_summary_cells_and_its_borders_units(
    analyst: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leads import selectors, services

    classes = [("CO1", "varejo"), ("RE1", None), ("IN", "industria_transformacao")]
    grid = [
        LeadBrutoFactory.build(
            cod_id=f"g{i}-{j}", classe_consumo_id=classes[(i + j) % 3][0], segmento_mercado_id=classes[(i + j) % 3][1],
            energia_anual_kwh=100.0 * i + j, demanda_pico_kw=float(j), media_dic=None if i % 4 else float(i),
            media_fic=0.5 * j, coordenada=Point(-51.99 + 0.0011 * i, -28.09 + 0.0009 * j, srid=4674),
        )
        for i in range(30) for j in range(30)
    ]  # fmt: skip
    models.LeadBruto.objects.bulk_create(grid)
    services.views_refresh(concurrently=False)
    # An irregular heptagon whose border crosses cells: about half of the grid's 900 units inside.
    area = "POLYGON((-51.985 -28.088, -51.97 -28.0875, -51.958 -28.079, -51.9605 -28.066, -51.974 -28.064, -51.9865 -28.07, -51.985 -28.088))"  # noqa: E501

    def resumo(min_units: int) -> dict:
        monkeypatch.setattr(selectors, "RESUMO_CELLS_MIN_UNITS", min_units)
        response = analyst.get("/api/v1/leads/resumo/", {"poligono": area})
        assert response.status_code == 200, response.content
        return response.json()

    exact, by_cells = resumo(10**9), resumo(1)
    assert 300 < exact["unidades"] < 600
    assert by_cells["unidades"] == exact["unidades"]
    for key in ("energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic"):
        assert by_cells[key] == pytest.approx(exact[key])
    for key in ("por_classe", "por_segmento"):
        assert [(r["codigo"], r["nome"], r["unidades"]) for r in by_cells[key]] == [
            (r["codigo"], r["nome"], r["unidades"]) for r in exact[key]
        ]
        assert [r["energia_anual_kwh"] for r in by_cells[key]] == pytest.approx(
            [r["energia_anual_kwh"] for r in exact[key]]
        )
    # Inside, the cells are as of the last summaries refresh (each import runs one); units are read live
    # only along the border.
    LeadBrutoFactory(cod_id="novo", coordenada=Point(-51.972, -28.076, srid=4674))
    assert resumo(1)["unidades"] == exact["unidades"]
    assert resumo(10**9)["unidades"] == exact["unidades"] + 1
