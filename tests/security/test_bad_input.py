"""Input a client controls never reaches the database as a failure: a 400 in JSON naming what is wrong
(each case was a 500 before: ValueError, EmptyResultSet, DataError, or Django's HTML page)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import LeadBrutoFactory
from tests.leads.test_api import token_client


def cursor(raw: str) -> str:
    return quote(base64.b64encode(raw.encode()).decode())


POLYGON = {"type": "Polygon", "coordinates": [[[-51.3, -30.1], [-51.1, -30.1], [-51.1, -29.9], [-51.3, -30.1]]]}


def polygon(crs: dict[str, object]) -> str:
    return quote(json.dumps({**POLYGON, "crs": crs}))


@pytest.fixture
def analyst(db: None) -> APIClient:
    LeadBrutoFactory(cod_id="a", energia_anual_kwh=1000.0)
    return token_client("analista")


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/v1/leads/?cursor={cursor('p=abc')}", "cursor"),  # an edited cursor: ValueError
        (f"/api/v1/leads/?ordering=-energia_anual_kwh&cursor={cursor('p=x')}", "cursor"),
        ("/api/v1/leads/?cursor=zzzz", "cursor"),  # not base64: was a 404
        (f"/api/v1/agregados/municipios/?cursor={cursor('p=a' + chr(0) + 'b')}", "cursor"),  # NUL inside base64
        ("/api/v1/leads/geojson/?ano=99999", "ano"),  # EmptyResultSet while building the SQL
        ("/api/v1/leads/csv/?ano=99999", "ano"),
        ("/api/v1/leads/xlsx/?ano=99999", "ano"),
        ("/api/v1/agregados/municipios/?uf=R%00S", "uf"),  # NUL: PostgreSQL text cannot hold it
        ("/api/v1/agregados/municipios/?ano=99999", "ano"),
        ("/api/v1/agregados/segmentos/?segmento=%00", "segmento"),
        ("/api/v1/leads/?municipio=Porto%00", "municipio"),
        ("/api/v1/agregados/municipios/?poligono=x", "poligono"),  # a filter the summary lacks
        (f"/api/v1/leads/?poligono={polygon({'type': 'link', 'properties': {'href': 'http://x/'}})}", "poligono"),
        (f"/api/v1/leads/csv/?poligono={polygon({'type': 'name', 'properties': {'name': 'EPSG:3857'}})}", "poligono"),
    ],
)
def test_bad_input_is_a_json_400_naming_the_parameter(analyst: APIClient, url: str, parameter: str) -> None:
    response = analyst.get(url)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert parameter in response.json(), response.json()


def test_named_wgs84_and_sirgas_polygons_still_select(analyst: APIClient) -> None:
    for name in ("EPSG:4326", "urn:ogc:def:crs:EPSG::4674", "urn:ogc:def:crs:OGC:1.3:CRS84"):
        response = analyst.get(f"/api/v1/leads/?poligono={polygon({'type': 'name', 'properties': {'name': name}})}")
        assert response.status_code == 200, (name, response.content[:200])


def test_a_json_400_for_what_django_refuses_itself(analyst: APIClient) -> None:
    """Errors raised before DRF (SuspiciousOperation and kin) answer JSON under /api/, not an HTML page."""
    response = Client().get("/api/v1/leads/", HTTP_HOST="evil.example")  # DisallowedHost
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


def test_an_out_of_range_code_in_the_admin_is_its_invalid_filter_page(db: None) -> None:
    """`?camada__exact=zzz` was a DataError (the column is a PostgreSQL enum): now the admin's own
    answer to a bad lookup, a redirect to the list with ?e=1."""
    staff = get_user_model().objects.create_user("equipe", password="x", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    response = client.get("/admin/leads/leadbruto/?camada__exact=zzz")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert client.get("/admin/leads/leadbruto/?camada__exact=UCBT").status_code == 200


@pytest.mark.parametrize("method", ["delete", "put", "patch", "post"])
def test_a_write_to_an_unknown_api_address_is_a_json_404_not_a_csrf_page(analyst: APIClient, method: str) -> None:
    """A token client sends no CSRF cookie: the catch-all must answer the 404 itself (an id the router's
    pattern refuses, such as one with a dot, reached it and got Django's HTML CSRF page)."""
    client = APIClient(enforce_csrf_checks=True)  # as a WSGI server does
    client.credentials(**analyst._credentials)  # the analyst's token
    response = getattr(client, method)("/api/v1/qualidade/regras/-9.5e-266/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "endereço desconhecido" in response.json()["detail"]
