from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.gis.geos import Point
from django.test import Client, override_settings
from django.urls import reverse

from leads import models
from tests.factories import LeadBrutoFactory, PontoNotavelFactory, add_monthly

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(admin_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    return client


def test_every_registered_changelist_renders(staff_client: Client) -> None:
    LeadBrutoFactory()
    PontoNotavelFactory()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_lead_page_shows_monthly_series_and_final_coordinate(staff_client: Client) -> None:
    PontoNotavelFactory(cod_id="PNX")
    lead = LeadBrutoFactory(pn_con="PNX")
    add_monthly(lead, energia=[1234.5] * 12, dic=[0.5] * 12, fic=[1.0] * 12)
    response = staff_client.get(reverse("admin:leads_leadbruto_change", args=[lead.uc_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1,234.50" in body
    assert "-30.000000, -51.200000 (ponto_notavel)" in body


def test_domain_tables_are_read_only_in_the_admin(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:leads_municipio_change", args=["4314902"]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = staff_client.post(reverse("admin:leads_municipio_delete", args=["4314902"]), {"post": "yes"})
    assert response.status_code == 403


def test_lead_list_exports_csv(staff_client: Client) -> None:
    lead = LeadBrutoFactory(cod_id="exported-unit")
    fields = {f"leadbrutoresource_{name}": "on" for name in ["uc_id", "cod_id", "camada", "pac_kw"]}
    response = staff_client.post(
        reverse("admin:leads_leadbruto_export"),
        {"format": "0", "export_items": [lead.uc_id], "resource": "0", **fields},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == ["uc_id", "cod_id", "camada", "pac_kw"]
    assert lines[1].startswith(f"{lead.uc_id},exported-unit,UCBT")


def test_admin_xlsx_export_has_the_api_columns_with_text_identifiers(staff_client: Client) -> None:
    from openpyxl import load_workbook

    from leads.admin import LeadBrutoAdmin
    from leads.selectors import EXPORT_COLUMNS

    lead = LeadBrutoFactory(cod_id="xlsx-unit", coordenada=Point(-51.2177, -30.0346, srid=4674), livre=True)
    formats = [f().get_title() for f in LeadBrutoAdmin(models.LeadBruto, admin.site).get_export_formats()]
    response = staff_client.post(
        reverse("admin:leads_leadbruto_export"),
        {"format": str(formats.index("xlsx")), "export_items": [lead.uc_id], "resource": "0",
         **{f"leadbrutoresource_{name}": "on" for name in EXPORT_COLUMNS}},
    )  # fmt: skip
    assert response.status_code == 200
    header, row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(header) == EXPORT_COLUMNS
    unit = dict(zip(header, row, strict=True))
    assert unit["uc_id"] == str(lead.uc_id) and unit["municipio"] == "4314902"
    assert (unit["municipio_nome"], unit["uf"], unit["livre"]) == ("Porto Alegre", "RS", "sim")
    assert (unit["lat"], unit["lon"]) == (-30.0346, -51.2177)


@override_settings(ADMIN_ALLOWED_IPS=["10.8.0.0/16"])
def test_admin_answers_only_allowed_networks(admin_user) -> None:  # type: ignore[no-untyped-def]
    inside, outside = Client(REMOTE_ADDR="10.8.1.20"), Client(REMOTE_ADDR="203.0.113.9")
    inside.force_login(admin_user)
    outside.force_login(admin_user)
    assert inside.get(reverse("admin:index")).status_code == 200
    assert outside.get(reverse("admin:index")).status_code == 403
    assert outside.get("/health/").status_code == 200


def test_imported_data_is_read_only_in_the_admin(staff_client: Client) -> None:
    from ingestion.models import ImportStatus

    lead = LeadBrutoFactory()
    point = PontoNotavelFactory()
    report = ImportStatus.objects.create(distribuidora_id=401, ano=2024, camada="UCBT", arquivo="x.gdb.zip")
    for name, pk in (("leads_leadbruto", lead.uc_id), ("leads_pontonotavel", point.pn_id),
                     ("ingestion_importstatus", report.pk)):  # fmt: skip
        page = staff_client.get(reverse(f"admin:{name}_change", args=[pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), name
        assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 403, name
        assert staff_client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403, name
        changelist = staff_client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "delete_selected" not in changelist, name


def test_unit_list_shows_what_analysts_sort_by_and_search_finds_them(staff_client: Client) -> None:
    shop = LeadBrutoFactory(cod_id="loja", classe_consumo_id="CO1", cnae_id="4711-3/02", municipio_id="4305108")
    add_monthly(shop, energia=[6430.0] * 12, dic=[0.132] * 12, fic=[1.0] * 12)
    LeadBrutoFactory(cod_id="fabrica", classe_consumo_id="IN", cnae_id="2441-5/01", municipio_id="4314902")
    url = reverse("admin:leads_leadbruto_changelist")
    body = staff_client.get(url).content.decode()
    assert "Caxias do Sul/RS" in body and "77,2 MWh" in body and "0,132 h" in body
    for column in ("municipio__nome", "classe_consumo_id", "energia_anual_kwh", "pac", "media_dic"):
        assert staff_client.get(url, {"o": {"municipio_uf": 2, "classe": 3, "energia": 4, "pac_kw": 5, "dic": 6}[
            {"municipio__nome": "municipio_uf", "classe_consumo_id": "classe", "energia_anual_kwh": "energia",
             "pac": "pac_kw", "media_dic": "dic"}[column]]}).status_code == 200  # fmt: skip

    def found(term: str) -> set[str]:
        page = staff_client.get(url, {"q": term}).content.decode()
        return {code for code in ("loja", "fabrica") if f">{code}<" in page}

    assert found("caxias do sul") == {"loja"} and found("Porto Alegre/RS") == {"fabrica"}
    assert found("4711-3/02") == {"loja"} and found("2441") == {"fabrica"}
    assert found("supermercados") == {"loja"}  # CNAE text (4711-3/02: ... supermercados)
    assert found("fabrica") == {"fabrica"}  # exact COD_ID


def test_distributor_filter_lists_only_distributors_with_units(staff_client: Client) -> None:
    LeadBrutoFactory()
    body = staff_client.get(reverse("admin:leads_leadbruto_changelist")).content.decode()
    assert "?distribuidora=401" in body
    others = [cod for cod in models.Distribuidora.objects.exclude(cod_aneel=401).values_list("cod_aneel", flat=True)]
    assert others and not any(f'?distribuidora={cod}"' in body for cod in others)


def test_labels_are_portuguese_with_accents(staff_client: Client) -> None:
    lead = LeadBrutoFactory()
    body = staff_client.get(reverse("admin:leads_leadbruto_change", args=[lead.uc_id])).content.decode()
    for label in ("Situação", "Média DIC", "Classe de consumo", "Município", "Subgrupo tarifário"):
        assert label in body, label


def test_admin_view_site_and_login_land_on_the_home_page(staff_client: Client) -> None:
    assert 'href="/"' in staff_client.get(reverse("admin:index")).content.decode()
    home = staff_client.get("/")
    assert home.status_code == 200
    body = home.content.decode()
    for link in ("/operacoes/", "/admin/", "/api/docs/", "/admin/ingestion/importstatus/"):
        assert f'href="{link}"' in body, link
    assert Client().get("/").status_code == 302
