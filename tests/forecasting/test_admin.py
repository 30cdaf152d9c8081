"""Staff browse the imported series and model versions in the admin; only the importers write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from forecasting import services
from forecasting.models import PrevisaoHoraria
from tests.factories import ModeloVersaoFactory
from tests.forecasting.conftest import FIXTURES

pytestmark = pytest.mark.django_db
MODELS = ("cargahoraria", "observacaohoraria", "balancohorario", "pldhorario", "previsaohoraria", "modeloversao")


def test_series_and_versions_are_listed_and_read_only(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    services.balance_import(path=FIXTURES / "ons" / "BALANCO_ENERGIA_SUBSISTEMA_2024_slice.csv")
    services.pld_import(path=FIXTURES / "ccee" / "PLD_HORARIO_2024_slice.csv")
    version = ModeloVersaoFactory()
    at = datetime(2024, 1, 1, 3, tzinfo=UTC)
    PrevisaoHoraria.objects.create(modelo=version, serie="SIN", instante=at, emitida_em=at, carga_mw=63_000.0)
    for model in MODELS:
        assert client.get(reverse(f"admin:forecasting_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:forecasting_{model}_add")).status_code == 403, model
    listing = client.get(reverse("admin:forecasting_pldhorario_changelist") + "?submercado__exact=SE").content.decode()
    assert "61.07" in listing or "61,07" in listing
    page = client.get(reverse("admin:forecasting_modeloversao_change", args=[version.pk]))
    assert page.status_code == 200 and version.motivo in page.content.decode()
