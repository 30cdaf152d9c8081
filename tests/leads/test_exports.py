"""Exports keep what the user asked for (filters, ordering, a row limit) and lose nothing on the way."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from leads import models, services
from tests.leads.test_api import analyst, units  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def csv_rows(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def xlsx_rows(content: bytes) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_and_xlsx_follow_the_lists_ordering_and_limit(analyst: APIClient, units) -> None:  # noqa: F811
    listed = analyst.get("/api/v1/leads/?ordering=-energia_anual_kwh&page_size=2").json()["results"]
    exported = csv_rows(analyst.get("/api/v1/leads/csv/?ordering=-energia_anual_kwh&limit=2"))
    assert [r["uc_id"] for r in exported] == [r["uc_id"] for r in listed] and len(exported) == 2
    assert [
        r["uc_id"] for r in csv_rows(analyst.get("/api/v1/leads/csv/?ordering=-energia_anual_kwh&page_size=2"))
    ] == [r["uc_id"] for r in listed]
    # Units without the value come last in an export (the list leaves them out).
    every = csv_rows(analyst.get("/api/v1/leads/csv/?ordering=-energia_anual_kwh"))
    assert [r["cod_id"] for r in every] == ["dc", "shop", "home", "factory"]
    book = xlsx_rows(analyst.get("/api/v1/leads/xlsx/?ordering=pac&limit=3").content)
    assert [r["cod_id"] for r in book] == ["home", "shop", "dc"]
    assert analyst.get("/api/v1/leads/csv/?limit=zero").status_code == 400
    assert analyst.get("/api/v1/leads/xlsx/?ordering=bairro").status_code == 400


def test_identifiers_are_text_and_rows_say_where_and_what(analyst: APIClient, units) -> None:  # noqa: F811
    units["shop"].cep = "90010-000"
    units["shop"].save(update_fields=["cep"])
    (shop,) = xlsx_rows(analyst.get("/api/v1/leads/xlsx/?cnae=47").content)
    assert shop["uc_id"] == str(units["shop"].uc_id)  # a float would lose the last digits
    assert shop["municipio"] == "4314902" and shop["distribuidora"] == "401" and shop["cep"] == "90010-000"
    assert (shop["municipio_nome"], shop["uf"]) == ("Porto Alegre", "RS")
    assert shop["classe_descricao"].startswith("Comercial") and shop["cnae_descricao"].startswith("Comércio varejista")
    assert (shop["lat"], shop["lon"], shop["fonte_coordenada"]) == (-30.0346, -51.2177, "ponto_notavel")
    assert (shop["livre"], shop["possui_gd"]) == (None, "não")
    assert isinstance(shop["energia_anual_kwh"], int | float) and shop["energia_anual_kwh"] == 12000
    (dc,) = csv_rows(analyst.get("/api/v1/leads/csv/?livre=sim"))
    assert (dc["livre"], dc["possui_gd"], dc["segmento_nome"]) == ("sim", "sim", "TIC e data centers")


@override_settings(EXPORT_XLSX_SYNC_MAX_ROWS=2)
def test_a_large_xlsx_is_a_job_and_the_job_keeps_every_parameter(analyst: APIClient, units, tmp_path) -> None:  # noqa: F811
    small = analyst.get("/api/v1/leads/xlsx/?ordering=-pac&limit=2")
    assert small.status_code == 200 and [r["cod_id"] for r in xlsx_rows(small.content)] == ["factory", "dc"]
    with override_settings(MEDIA_ROOT=tmp_path):
        queued = analyst.get("/api/v1/leads/xlsx/?classe=CO1&classe=CO3&classe=IN&ordering=-pac")
        assert queued.status_code == 202
        job = models.Exportacao.objects.get()
        assert job.filtros == {"classe": "CO1,CO3,IN", "ordering": "-pac"}
        services.export_write(export_id=str(job.pk))
        download = analyst.get(f"/api/v1/exportacoes/{job.pk}/arquivo/")
        rows = xlsx_rows(b"".join(download.streaming_content))
        assert [r["cod_id"] for r in rows] == ["factory", "dc", "shop"]
