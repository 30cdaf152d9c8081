"""A polygon too long for a URL (gunicorn refuses request lines over 4,094 bytes; 1,000 vertices are
about 25 KiB) goes in a POST body: the list, the GeoJSON and the exports take the same parameters there."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
import requests
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from tests.factories import LeadBrutoFactory
from tests.leads.test_api import token_client

CENTRE = (-51.18, -29.17)


def circle(vertices: int, radius: float = 0.05) -> dict[str, object]:
    ring = [
        [round(CENTRE[0] + radius * math.cos(2 * math.pi * k / vertices), 7),
         round(CENTRE[1] + radius * math.sin(2 * math.pi * k / vertices), 7)]
        for k in range(vertices)
    ]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def analyst(db: None) -> APIClient:
    for n, (dx, dy) in enumerate([(0, 0), (0.01, 0.01), (0.2, 0.2)]):  # the last one outside the circle
        LeadBrutoFactory(cod_id=f"u{n}", coordenada=Point(CENTRE[0] + dx, CENTRE[1] + dy, srid=4674),
                         fonte_coordenada="ponto_notavel", energia_anual_kwh=1000.0 * (n + 1))  # fmt: skip
    return token_client("analista")


def test_a_thousand_vertex_polygon_selects_in_a_post_body(analyst: APIClient) -> None:
    polygon = circle(1000)
    assert len(json.dumps(polygon)) > 4094 * 5  # far beyond a request line gunicorn accepts
    listed = analyst.post("/api/v1/leads/?ordering=-energia_anual_kwh", {"poligono": polygon, "uf": ["RS"]},
                          format="json")  # fmt: skip
    assert listed.status_code == 200, listed.content[:300]
    assert [r["cod_id"] for r in listed.json()["results"]] == ["u1", "u0"]
    geojson = analyst.post("/api/v1/leads/geojson/", {"poligono": polygon}, format="json").json()
    assert sorted(f["properties"]["energia_anual_kwh"] for f in geojson["features"]) == [1000.0, 2000.0]
    response = analyst.post("/api/v1/leads/csv/", {"poligono": polygon, "limit": 1, "ordering": "energia_anual_kwh"},
                            format="json")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["cod_id"] for r in rows] == ["u0"]
    xlsx = analyst.post("/api/v1/leads/xlsx/", {"poligono": polygon}, format="json")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_next_page_takes_the_same_body(analyst: APIClient) -> None:
    body = {"poligono": circle(200)}
    first = analyst.post("/api/v1/leads/?page_size=1&ordering=-energia_anual_kwh", body, format="json").json()
    second = analyst.post(first["next"], body, format="json").json()
    assert [first["results"][0]["cod_id"], second["results"][0]["cod_id"]] == ["u1", "u0"]


@pytest.mark.parametrize(
    ("url", "body", "parameter"),
    [
        ("/api/v1/leads/?uf=RS", {"uf": "SC"}, "uf"),  # in both places
        ("/api/v1/leads/", {"cursor": "abc"}, "cursor"),  # pages are the URL's
        ("/api/v1/leads/", {"page_size": 5}, "page_size"),
        ("/api/v1/leads/", {"uf": [{"a": 1}, None]}, "uf"),
        ("/api/v1/leads/", {"nao_existe": 1}, "nao_existe"),
        ("/api/v1/leads/csv/", {"poligono": {"type": "Point", "coordinates": [0, 0]}}, "poligono"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_parameter(analyst: APIClient, url: str, body: object, parameter: str) -> None:
    response = analyst.post(url, body, format="json")
    assert response.status_code == 400 and parameter in response.json(), response.content[:300]


def test_a_body_that_is_not_an_object_is_a_400(analyst: APIClient) -> None:
    response = analyst.post("/api/v1/leads/", [1, 2], format="json")
    assert response.status_code == 400 and "objeto" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_through_real_gunicorn_the_url_fails_and_the_body_works(tmp_path: Path) -> None:
    """As production serves it: gunicorn refuses the 1,000-vertex polygon in the URL before Django sees
    it; the same polygon in a POST body selects the units."""
    from django.contrib.auth import get_user_model

    from tests.conftest import compose_web_command, gunicorn

    for n, (dx, dy) in enumerate([(0, 0), (0.2, 0.2)]):
        LeadBrutoFactory(cod_id=f"g{n}", coordenada=Point(CENTRE[0] + dx, CENTRE[1] + dy, srid=4674),
                         fonte_coordenada="ponto_notavel")  # fmt: skip
    get_user_model().objects.create_user("mapa", password="senha-forte-123")
    polygon = circle(1000)
    with gunicorn(compose_web_command(), tmp_path / "gunicorn.log") as base:
        token = requests.post(f"{base}/api/token/", json={"username": "mapa", "password": "senha-forte-123"},
                              timeout=30).json()["access"]  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        in_url = requests.get(f"{base}/api/v1/leads/", params={"poligono": json.dumps(polygon)}, headers=auth,
                              timeout=30)  # fmt: skip
        in_body = requests.post(f"{base}/api/v1/leads/", json={"poligono": polygon}, headers=auth, timeout=30)
    assert in_url.status_code == 400 and "Request Line is too large" in in_url.text
    assert in_body.status_code == 200, in_body.text[:300]
    assert [row["cod_id"] for row in in_body.json()["results"]] == ["g0"]


def test_a_form_body_keeps_every_value_of_a_repeated_name(analyst: APIClient) -> None:
    LeadBrutoFactory(cod_id="co2", classe_consumo_id="CO2")
    LeadBrutoFactory(cod_id="co1", classe_consumo_id="CO1")
    response = analyst.post("/api/v1/leads/", "classe=CO1&classe=CO2", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content[:300]
    assert sorted(r["cod_id"] for r in response.json()["results"]) == ["co1", "co2"]
