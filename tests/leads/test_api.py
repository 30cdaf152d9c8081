"""The REST API over intel_lead: JWT, filters, geography, pagination, errors, exports."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import override_settings
from rest_framework.test import APIClient

from leads import models, services
from tests.factories import LeadBrutoFactory, add_monthly

pytestmark = pytest.mark.django_db
PORTO_ALEGRE = Point(-51.2177, -30.0346, srid=4674)
CAXIAS = Point(-51.1794, -29.1678, srid=4674)


def token_client(username: str, *, staff: bool = False) -> APIClient:
    user = get_user_model().objects.create_user(username=username, password="s3cret-pass", is_staff=staff)
    client = APIClient()
    response = client.post("/api/token/", {"username": user.username, "password": "s3cret-pass"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


@pytest.fixture
def analyst() -> APIClient:
    return token_client("analista")


@pytest.fixture
def staff() -> APIClient:
    return token_client("equipe", staff=True)


@pytest.fixture
def units() -> dict[str, models.LeadBruto]:
    """Four units: two commercial PJ in Porto Alegre, a residential PF in Caxias, an unlocated industry."""
    shop = LeadBrutoFactory(
        cod_id="shop", classe_consumo_id="CO1", cnae_id="4711-3/02", segmento_mercado_id="varejo", pac=120.0,
        coordenada=PORTO_ALEGRE, fonte_coordenada="ponto_notavel",
    )  # fmt: skip
    datacenter = LeadBrutoFactory(
        cod_id="dc", camada="UCMT", classe_consumo_id="CO3", cnae_id="6311-9/00", segmento_mercado_id="tic_datacenter",
        pac=900.0, livre=True, ceg_gd="GD.RS.000.111.111", grupo_tensao_id="MT", grupo_tarifario_id="A4",
        coordenada=Point(-51.23, -30.04, srid=4674), fonte_coordenada="ponto_notavel",
    )  # fmt: skip
    home = LeadBrutoFactory(
        cod_id="home", municipio_id="4305108", pac=5.0, coordenada=CAXIAS, fonte_coordenada="transformador"
    )
    factory = LeadBrutoFactory(cod_id="factory", classe_consumo_id="IN", cnae_id="2441-5/01", pac=3000.0)
    add_monthly(shop, energia=[1000.0] * 12, dic=[1.0] * 12, fic=[1.0] * 12)
    add_monthly(datacenter, energia=[50000.0] * 12, demanda=[800.0] * 12, dic=[12.0] * 12, fic=[2.0] * 12)
    add_monthly(home, energia=[150.0] * 12, dic=[0.0] * 12, fic=[0.0] * 12)
    models.LeadEnrichmentLog.objects.create(uc=datacenter, etapa="cnpj", resultado="success", detalhes={"cnpj": "x"})
    return {"shop": shop, "dc": datacenter, "home": home, "factory": factory}


def codes(response: object) -> list[str]:
    return sorted(row["cod_id"] for row in response.json()["results"])  # type: ignore[attr-defined]


def test_anonymous_and_forged_tokens_get_401(units: dict[str, models.LeadBruto]) -> None:
    client = APIClient()
    assert client.get("/api/v1/leads/").status_code == 401
    now = int(time.time())
    claims = {"token_type": "access", "exp": now + 300, "iat": now, "jti": "x", "user_id": "1"}
    forged = jwt.encode(claims, "not-the-key", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    expired = jwt.encode({**claims, "exp": now - 10}, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    other_alg = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")
    for token in (forged, unsigned, expired, other_alg, "garbage"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/v1/leads/").status_code == 401, token


def test_refresh_rotates_and_blacklists() -> None:
    get_user_model().objects.create_user(username="rot", password="s3cret-pass")
    client = APIClient()
    pair = client.post("/api/token/", {"username": "rot", "password": "s3cret-pass"}, format="json").json()
    rotated = client.post("/api/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200 and rotated.json()["refresh"] != pair["refresh"]
    # The old refresh token was blacklisted by the rotation.
    assert client.post("/api/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_list_filters(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    get = lambda query: analyst.get(f"/api/v1/leads/?{query}")  # noqa: E731
    assert codes(get("")) == ["dc", "factory", "home", "shop"]
    assert codes(get("tipo_cliente=PJ")) == ["dc", "factory", "shop"]
    assert codes(get("municipio=4305108")) == ["home"]
    assert codes(get("uf=RS&camada=UCMT")) == ["dc"]
    assert (
        codes(get("cnae=47")) == ["shop"]
        and codes(get("cnae=6311-9/00")) == ["dc"]
        and codes(get("cnae=24.4")) == ["factory"]
    )
    assert codes(get("pac_min=100&pac_max=1000")) == ["dc", "shop"]
    assert codes(get("energia_min=100000")) == ["dc"]
    assert codes(get("media_dic_min=10")) == ["dc"] and codes(get("demanda_min=500")) == ["dc"]
    assert codes(get("livre=true")) == ["dc"] and codes(get("possui_gd=true")) == ["dc"]
    assert codes(get("segmento=varejo")) == ["shop"] and codes(get("grupo_tarifario=A4")) == ["dc"]
    row = get("cnae=47").json()["results"][0]
    assert row["uc_id"] == str(units["shop"].uc_id) and (row["lat"], row["lon"]) == (-30.0346, -51.2177)


def test_geography_filters(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    get = lambda query: analyst.get(f"/api/v1/leads/?{query}")  # noqa: E731
    assert codes(get("bbox=-51.3,-30.1,-51.1,-29.9")) == ["dc", "shop"]
    square = {"type": "Polygon", "coordinates": [[[-51.3, -29.3], [-51.0, -29.3], [-51.0, -29.0], [-51.3, -29.0],
                                                  [-51.3, -29.3]]]}  # fmt: skip
    assert codes(analyst.get("/api/v1/leads/", {"poligono": json.dumps(square)})) == ["home"]
    # 1.5 km around the centre of Porto Alegre: the shop (0 m) and the data centre (about 1.3 km).
    assert codes(get("lat=-30.0346&lon=-51.2177&raio_m=1500")) == ["dc", "shop"]
    assert codes(get("lat=-30.0346&lon=-51.2177&raio_m=500")) == ["shop"]


def test_ordering_and_cursor_pagination(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    first = analyst.get("/api/v1/leads/?ordering=-energia_anual_kwh&page_size=2").json()
    assert [r["cod_id"] for r in first["results"]] == ["dc", "shop"] and "count" not in first
    second = analyst.get(first["next"]).json()
    assert [r["cod_id"] for r in second["results"]] == ["home"] and second["next"] is None
    by_pac = analyst.get("/api/v1/leads/?ordering=pac").json()["results"]
    assert [r["cod_id"] for r in by_pac] == ["home", "shop", "dc", "factory"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page_size=0", "page_size"),
        ("page_size=100000", "page_size"),
        ("page_size=ten", "page_size"),
        ("ordering=cod_id", "ordering"),
        ("pac_min=lots", "pac_min"),
        ("camada=PONNOT", "camada"),
        ("tipo_cliente=XX", "tipo_cliente"),
        ("cnae=abc", "cnae"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=10,0,0,10", "bbox"),
        ("raio_m=100", "raio_m"),
        ("lat=-30&lon=-51&raio_m=-1", "raio_m"),
        ("lat=-300&lon=-51&raio_m=10", "lat"),
        ("poligono=notjson", "poligono"),
        ('poligono={"type":"Point","coordinates":[0,0]}', "poligono"),
        ('poligono={"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}', "poligono"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(analyst: APIClient, query: str, parameter: str) -> None:
    response = analyst.get(f"/api/v1/leads/?{query}")
    assert response.status_code == 400, response.content
    assert parameter in response.json(), response.json()


def test_detail_has_descriptions_series_and_enrichment(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    body = analyst.get(f"/api/v1/leads/{units['dc'].uc_id}/").json()
    assert body["classe_consumo"] == {"codigo": "CO3", "descricao": "Serviços de comunicações e telecomunicações"}
    assert body["cnae"]["codigo"] == "6311-9/00" and body["segmento_mercado"]["descricao"] == "TIC e data centers"
    assert [m["mes"] for m in body["meses"]] == list(range(1, 13))
    assert body["meses"][0]["energia_total_kwh"] == 50000.0 and body["meses"][11]["demanda_total_kw"] == 800.0
    assert body["energia_anual_kwh"] == 600000.0 and body["media_dic"] == 12.0
    assert body["enriquecimento"][0]["detalhes"] == {"cnpj": "x"}
    assert body["fonte_coordenada"] == "ponto_notavel"
    assert analyst.get("/api/v1/leads/123/").status_code == 404
    assert analyst.get("/api/v1/leads/99999999999999999999/").status_code == 404


def test_geojson_is_built_in_the_database(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    response = analyst.get("/api/v1/leads/geojson/?uf=RS&limit=10")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 3  # factory is unlocated
    feature = next(f for f in collection["features"] if f["id"] == str(units["shop"].uc_id))
    assert feature["geometry"] == {"type": "Point", "coordinates": [-51.2177, -30.0346]}
    assert feature["properties"]["cnae"] == "4711-3/02"
    assert len(json.loads(analyst.get("/api/v1/leads/geojson/?uf=RS&limit=2").content)["features"]) == 2
    # A filter on an annotated column (the scores: these units have none) still applies.
    assert json.loads(analyst.get("/api/v1/leads/geojson/?uf=RS&score_acl_min=1").content)["features"] == []
    assert analyst.get("/api/v1/leads/geojson/?limit=0").status_code == 400


def test_csv_export_streams_the_filtered_rows(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    response = analyst.get("/api/v1/leads/csv/?tipo_cliente=PJ")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["cod_id"] for r in rows) == ["dc", "factory", "shop"]
    assert next(r for r in rows if r["cod_id"] == "dc")["energia_anual_kwh"] == "600000"


def test_aggregates_read_the_materialized_views(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    services.views_refresh()
    municipios = analyst.get("/api/v1/agregados/municipios/?uf=RS&ano=2024").json()["results"]
    porto_alegre = next(m for m in municipios if m["municipio"] == "4314902")
    assert (porto_alegre["n_ucs"], porto_alegre["n_pj"]) == (3, 3)
    distribuidoras = analyst.get("/api/v1/agregados/distribuidoras/?distribuidora=401&camada=UCMT").json()["results"]
    assert [(d["n_ucs"], d["n_livres"]) for d in distribuidoras] == [(1, 1)]
    segmentos = analyst.get("/api/v1/agregados/segmentos/?segmento=tic_datacenter").json()["results"]
    assert segmentos[0]["energia_anual_kwh"] == 600000.0
    assert analyst.get("/api/v1/agregados/municipios/?ano=abc").status_code == 400


def test_domain_tables_are_read_only(analyst: APIClient, staff: APIClient) -> None:
    assert analyst.get("/api/v1/dominios/classes-consumo/IN/").json()["descricao"] == "Industrial"
    assert analyst.get("/api/v1/dominios/cnaes/?page=1").status_code == 200
    assert staff.post("/api/v1/dominios/segmentos/", {"codigo": "x", "nome": "x"}).status_code == 405
    assert staff.delete("/api/v1/dominios/segmentos/varejo/").status_code == 405


def test_imports_are_read_by_analysts_and_started_by_staff(analyst: APIClient, staff: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.ingestion.conftest import FIXTURES, MUX_2021

    settings.DATA_DIR = FIXTURES
    assert analyst.get("/api/v1/importacoes/").status_code == 200
    assert analyst.post("/api/v1/importacoes/", {"arquivo": str(MUX_2021)}, format="json").status_code == 403
    assert analyst.post("/api/v1/atualizar-resumos/").status_code == 403
    bad = staff.post("/api/v1/importacoes/", {"arquivo": "x.gdb.zip"}, format="json")
    assert bad.status_code == 400 and "no such file" in bad.json()["arquivo"][0]
    assert str(FIXTURES) not in bad.json()["arquivo"][0]
    both = staff.post("/api/v1/importacoes/", {"arquivo": "a.gdb.zip", "item_id": "0" * 32}, format="json")
    assert both.status_code == 400
    started = staff.post("/api/v1/importacoes/", {"arquivo": str(MUX_2021), "camadas": ["UCMT"]}, format="json")
    assert started.status_code == 202
    (url,) = started.json()["importacoes"]
    report = staff.get(url).json()
    assert (report["camada"], report["status"], report["ano"]) == ("UCMT", "pending", 2021)
    assert report["arquivo"] == MUX_2021.name  # its path under DATA_DIR, not the server's


@override_settings(ADMIN_ALLOWED_IPS=["10.8.0.0/16"], DATA_DIR=Path(__file__).resolve().parent.parent / "fixtures")
def test_staff_endpoints_answer_only_allowed_networks(staff: APIClient) -> None:
    # One override for both (pytest-django's `settings` fixture inside override_settings leaks the latter).
    from tests.ingestion.conftest import MUX_2021

    body = {"arquivo": str(MUX_2021), "camadas": ["UCMT"]}
    assert staff.post("/api/v1/importacoes/", body, format="json", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert staff.post("/api/v1/importacoes/", body, format="json", REMOTE_ADDR="10.8.3.4").status_code == 202


def test_openapi_schema_and_docs(analyst: APIClient) -> None:
    schema = APIClient().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/leads/" in paths and "/api/v1/leads/{uc_id}/" in paths and "/api/v1/leads/geojson/" in paths
    names = {p["name"] for p in paths["/api/v1/leads/"]["get"]["parameters"]}
    assert {"cnae", "bbox", "poligono", "raio_m", "ordering", "page_size", "tipo_cliente"} <= names
    assert APIClient().get("/api/docs/").status_code == 200


def test_xlsx_export_is_a_workbook_of_the_filtered_rows(analyst: APIClient, units: dict[str, models.LeadBruto]) -> None:
    from openpyxl import load_workbook

    response = analyst.get("/api/v1/leads/xlsx/?tipo_cliente=PJ")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("uc_id", "cod_id") and sorted(r[1] for r in rows[1:]) == ["dc", "factory", "shop"]
    dc = next(r for r in rows[1:] if r[1] == "dc")
    assert dc[rows[0].index("energia_anual_kwh")] == 600000


@override_settings(EXPORT_SYNC_MAX_ROWS=2)
def test_large_exports_become_jobs_owned_by_their_user(
    analyst: APIClient, units: dict[str, models.LeadBruto], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    with override_settings(MEDIA_ROOT=tmp_path):
        queued = analyst.get("/api/v1/leads/csv/?uf=RS")
        assert queued.status_code == 202
        job_url = queued.json()["exportacao"]
        job_id = job_url.rstrip("/").rsplit("/", 1)[1]
        assert analyst.get(job_url).json()["status"] == "pending"
        services.export_write(export_id=job_id)  # what the Celery task runs
        job = analyst.get(job_url).json()
        assert (job["status"], job["linhas_escritas"]) == ("completed", 4)
        download = analyst.get(job["arquivo_url"])
        body = b"".join(download.streaming_content).decode()
        assert sorted(r["cod_id"] for r in csv.DictReader(io.StringIO(body))) == ["dc", "factory", "home", "shop"]

        intruder = token_client("outra-pessoa")
        assert intruder.get(job_url).status_code == 404
        assert intruder.get(job["arquivo_url"]).status_code == 404
        assert intruder.get("/api/v1/exportacoes/").json() == []

        created = analyst.post(
            "/api/v1/exportacoes/", {"formato": "xlsx", "filtros": {"camada": "UCMT"}}, format="json"
        )
        assert created.status_code == 201
        services.export_write(export_id=created.json()["id"])
        assert analyst.get(f"/api/v1/exportacoes/{created.json()['id']}/").json()["linhas_escritas"] == 1
        bad = analyst.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {"pac_min": "lots"}}, format="json")
        assert bad.status_code == 400 and "pac_min" in bad.json()


def test_staff_refresh_returns_a_status_url(staff: APIClient, analyst: APIClient) -> None:
    queued = staff.post("/api/v1/atualizar-resumos/")
    assert queued.status_code == 202
    url = queued.json()["tarefa"]
    state = staff.get(url).json()
    assert state["id"] == url.rstrip("/").rsplit("/", 1)[1] and state["estado"] in ("PENDING", "STARTED", "SUCCESS")
    assert analyst.get(url).status_code == 404  # a job is shown to whoever queued it alone


def test_list_rows_equal_the_generic_serializer(units: dict[str, models.LeadBruto]) -> None:
    """The list's fast row builder says exactly what DRF's field by field walk says, nulls included
    (an unlocated unit, one without scores, a free GD unit)."""
    from leads import selectors
    from leads.api.serializers import LeadSerializer

    rows = list(selectors.lead_list(params={}).order_by("uc_id"))
    serializer = LeadSerializer()
    assert len(rows) == 4
    for row in rows:
        generic = super(LeadSerializer, serializer).to_representation(row)
        assert serializer.to_representation(row) == dict(generic), row.cod_id
