"""Vector tiles of the network (leads/tiles_rede.py): notable points and transformers at street zoom, with
the units hanging from each."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from leads import models, tiles_rede
from tests.factories import LeadBrutoFactory, PontoNotavelFactory
from tests.leads.mvt import decode
from tests.leads.test_tiles import tile_of

pytestmark = pytest.mark.django_db
LON, LAT = -51.9500, -28.0700


def url(z: int, query: str = "") -> str:
    x, y = tile_of(LON, LAT, z)
    return f"/api/v1/leads/rede/{z}/{x}/{y}.mvt" + (f"?{query}" if query else "")


@pytest.fixture
def client() -> APIClient:
    api = APIClient()
    api.force_authenticate(get_user_model().objects.create_user("analista", password="senha-forte-123"))
    return api


@pytest.fixture
def network() -> None:
    PontoNotavelFactory(cod_id="PN1", geom=Point(LON, LAT, srid=4674))
    PontoNotavelFactory(cod_id="PN2", geom=Point(LON + 0.0005, LAT, srid=4674), ficticio=True)
    PontoNotavelFactory(cod_id="TR1", fonte=models.FontePonto.UNTRMT, tipo="", geom=Point(LON, LAT + 0.0003, srid=4674))
    PontoNotavelFactory(cod_id="LONGE", geom=Point(-51.2177, -30.0346, srid=4674))
    for i in range(3):
        LeadBrutoFactory(cod_id=f"u{i}", pn_con="PN1", uni_tr_mt="TR1", coordenada=Point(LON, LAT, srid=4674))
    LeadBrutoFactory(cod_id="u3", pn_con="PN2", uni_tr_mt="TR1", coordenada=Point(LON, LAT, srid=4674))


def test_street_zoom_tile_holds_points_and_transformers_with_their_units(client: APIClient, network: None) -> None:
    response = client.get(url(17))
    assert response.status_code == 200 and response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    found = {f["properties"]["cod_id"]: f["properties"] for f in decode(response.content)["rede"]}
    assert set(found) == {"PN1", "PN2", "TR1"}
    assert found["PN1"]["unidades"] == 3 and found["PN2"]["unidades"] == 1 and found["TR1"]["unidades"] == 4
    assert found["TR1"]["fonte"] == "UNTRMT" and found["PN2"]["ficticio"] is True and found["PN1"]["ano"] == 2024


def test_below_street_zoom_or_another_layer_is_an_empty_tile(client: APIClient, network: None) -> None:
    assert client.get(url(tiles_rede.NETWORK_MIN_ZOOM - 1)).status_code == 204
    assert client.get(url(17, "ano=2023")).status_code == 204
    assert client.get(url(17, "distribuidora=401&ano=2024")).status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [(url(17, "classe=RE"), "classe"), (url(17, "ano=dois"), "ano"), ("/api/v1/leads/rede/23/0/0.mvt", "z"),
     ("/api/v1/leads/rede/16/70000/0.mvt", "x")],
)  # fmt: skip
def test_bad_tile_or_parameter_is_400_naming_it(client: APIClient, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 400 and field in response.json(), response.content


def test_network_tiles_need_a_login(network: None) -> None:
    assert APIClient().get(url(17)).status_code in (401, 403)
