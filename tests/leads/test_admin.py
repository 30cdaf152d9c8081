from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import reverse

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
    fields = {f"leadbrutoresource_{name}": "on" for name in ["uc_id", "cod_id", "camada", "pac"]}
    response = staff_client.post(
        reverse("admin:leads_leadbruto_export"),
        {"format": "0", "export_items": [lead.uc_id], "resource": "0", **fields},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == ["uc_id", "cod_id", "camada", "pac"]
    assert lines[1].startswith(f"{lead.uc_id},exported-unit,UCBT")


@override_settings(ADMIN_ALLOWED_IPS=["10.8.0.0/16"])
def test_admin_answers_only_allowed_networks(admin_user) -> None:  # type: ignore[no-untyped-def]
    inside, outside = Client(REMOTE_ADDR="10.8.1.20"), Client(REMOTE_ADDR="203.0.113.9")
    inside.force_login(admin_user)
    outside.force_login(admin_user)
    assert inside.get(reverse("admin:index")).status_code == 200
    assert outside.get(reverse("admin:index")).status_code == 403
    assert outside.get("/health/").status_code == 200
