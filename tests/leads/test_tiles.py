"""Vector tiles of the units (leads/tiles.py): points and cells, the list's filters, the cap, the cache."""

from __future__ import annotations

import math

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from leads import models, services
from tests.factories import LeadBrutoFactory
from tests.leads.mvt import decode

pytestmark = pytest.mark.django_db
LON, LAT = -51.9500, -28.0700  # Tapejara/RS, in the Mux area


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def url(z: int, lon: float = LON, lat: float = LAT, query: str = "") -> str:
    x, y = tile_of(lon, lat, z)
    return f"/api/v1/leads/tiles/{z}/{x}/{y}.mvt" + (f"?{query}" if query else "")


@pytest.fixture
def client() -> APIClient:
    user = get_user_model().objects.create_user("analista", password="senha-forte-123")
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def units() -> list[models.LeadBruto]:
    """Three commercial units and a residential one a few hundred metres apart, and one far away."""
    near = [
        LeadBrutoFactory(
            cod_id=f"co{i}", classe_consumo_id="CO1", segmento_mercado_id="varejo", energia_anual_kwh=1000.0 * (i + 1),
            coordenada=Point(LON + 0.001 * i, LAT, srid=4674), fonte_coordenada="ponto_notavel",
        )
        for i in range(3)
    ]  # fmt: skip
    home = LeadBrutoFactory(
        cod_id="re", classe_consumo_id="RE1", energia_anual_kwh=200.0, coordenada=Point(LON, LAT + 0.001, srid=4674)
    )
    far = LeadBrutoFactory(cod_id="far", coordenada=Point(-51.2177, -30.0346, srid=4674), energia_anual_kwh=5.0)
    return [*near, home, far]


def features(response: object, layer: str) -> list[dict[str, object]]:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"  # type: ignore[index]
    return decode(response.content)[layer]  # type: ignore[attr-defined]


def test_high_zoom_tile_holds_the_units_with_their_styling_properties(client: APIClient, units: list) -> None:
    found = features(client.get(url(15)), "unidades")
    by_id = {int(f["properties"]["uc_id"]): f["properties"] for f in found}  # type: ignore[index]
    assert set(by_id) == {u.uc_id for u in units[:4]}
    shop = by_id[units[2].uc_id]
    assert shop["classe"] == "CO1" and shop["segmento"] == "varejo" and shop["grupo_tensao"] == "BT"
    assert shop["energia_anual_kwh"] == 3000.0


def test_tiles_apply_the_lists_filters(client: APIClient, units: list) -> None:
    found = features(client.get(url(15, query="classe=CO")), "unidades")
    assert sorted(int(f["properties"]["uc_id"]) for f in found) == sorted(u.uc_id for u in units[:3])  # type: ignore[index]
    listed = client.get("/api/v1/leads/?classe=CO&bbox=-52,-28.1,-51.9,-28").json()["results"]
    assert len(listed) == len(found)


def test_empty_tile_is_204(client: APIClient, units: list) -> None:
    assert client.get(url(15, lon=-40.0, lat=-10.0)).status_code == 204
    assert client.get(url(15, query="classe=PP")).status_code == 204


def test_low_zoom_tiles_hold_cells_from_the_view_or_from_the_filtered_units(client: APIClient, units: list) -> None:
    services.views_refresh(concurrently=False)
    cells = features(client.get(url(6)), "celulas")  # a z6 tile reaches Porto Alegre too
    assert sum(c["properties"]["unidades"] for c in cells) == 5  # type: ignore[index,misc]
    assert sum(c["properties"]["energia_anual_kwh"] for c in cells) == 6205.0  # type: ignore[index,misc]
    assert len(cells) == 2  # Tapejara's four units share a cell
    filtered = features(client.get(url(6, query="classe=CO")), "celulas")
    assert sum(c["properties"]["unidades"] for c in filtered) == 3  # type: ignore[index,misc]
    assert "unidades" not in decode(client.get(url(6)).content)


@override_settings(MAPA_TILE_MAX_FEATURES=2)
def test_a_tile_holds_at_most_the_cap_the_largest_consumers_first(client: APIClient, units: list) -> None:
    found = features(client.get(url(15)), "unidades")
    assert sorted(f["properties"]["energia_anual_kwh"] for f in found) == [2000.0, 3000.0]  # type: ignore[index]


def test_tiles_are_cached_until_the_data_changes(client: APIClient, units: list) -> None:
    first = client.get(url(15))
    assert "max-age=" in first["Cache-Control"] and first["ETag"]
    assert client.get(url(15), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    LeadBrutoFactory(cod_id="novo", coordenada=Point(LON + 0.0005, LAT, srid=4674))
    assert len(features(client.get(url(15)), "unidades")) == 4  # served from the cache
    services.views_refresh(concurrently=False)  # what an import's chain runs
    after = client.get(url(15))
    assert len(features(after, "unidades")) == 5 and after["ETag"] != first["ETag"]


def test_an_import_changes_the_data_version(client: APIClient, units: list) -> None:
    from ingestion.models import ImportStatus

    first = client.get(url(15))["ETag"]
    ImportStatus.objects.create(
        distribuidora_id=401, ano=2024, camada="UCBT", status="completed", finalizado_em=timezone.now()
    )
    assert client.get(url(15))["ETag"] != first


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/leads/tiles/23/0/0.mvt", "z"), ("/api/v1/leads/tiles/3/8/0.mvt", "x"),
     ("/api/v1/leads/tiles/3/0/0.mvt?classe=XX9", "classe"), ("/api/v1/leads/tiles/3/0/0.mvt?cor=azul", "cor")],
)  # fmt: skip
def test_bad_tile_or_filter_is_400_naming_it(client: APIClient, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 400 and field in response.json()


def test_tiles_need_a_login_the_site_session_is_enough(units: list) -> None:
    anonymous = APIClient()
    assert anonymous.get(url(15)).status_code == 401
    anonymous.force_login(get_user_model().objects.create_user("sessao", password="senha-forte-123"))
    assert anonymous.get(url(15)).status_code == 200
