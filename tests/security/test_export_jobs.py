"""Export jobs: a per-user limit on those running, a retention after which jobs and files go, their own
queue; a job and its file are their owner's alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from leads import models, services
from tests.factories import LeadBrutoFactory
from tests.leads.test_api import token_client


@pytest.fixture
def unit(db: None) -> None:
    LeadBrutoFactory(cod_id="a", camada="UCMT")


@override_settings(EXPORT_JOBS_POR_USUARIO=2)
def test_a_user_has_at_most_so_many_export_jobs_running(unit: None) -> None:
    analyst, other = token_client("analista"), token_client("outra")
    for _ in range(2):
        assert analyst.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json").status_code == 201
    refused = analyst.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json")
    assert refused.status_code == 429 and "o limite é 2" in refused.json()["detail"]
    assert other.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json").status_code == 201
    first = models.Exportacao.objects.filter(dono__username="analista").order_by("criado_em").first()
    assert first is not None
    services.export_write(export_id=str(first.pk))  # one finishes: room for another
    assert analyst.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json").status_code == 201


def test_jobs_and_files_past_retention_are_deleted(unit: None) -> None:
    analyst = token_client("analista")
    ids = [analyst.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json").json()["id"]
           for _ in range(2)]  # fmt: skip
    for export_id in ids:
        services.export_write(export_id=export_id)
    old, recent = (models.Exportacao.objects.get(pk=i) for i in ids)
    assert Path(old.arquivo).exists() and Path(recent.arquivo).exists()
    models.Exportacao.objects.filter(pk=old.pk).update(
        criado_em=timezone.now() - timedelta(days=settings.EXPORT_RETENCAO_DIAS + 1)
    )
    assert services.exports_purge() == 1
    assert not Path(old.arquivo).exists() and Path(recent.arquivo).exists()
    assert list(models.Exportacao.objects.values_list("pk", flat=True)) == [recent.pk]
    assert services.exports_purge() == 0  # idempotent
    assert settings.CELERY_BEAT_SCHEDULE["exports-purge-daily"]["task"] == "leads.tasks.exports_purge"


def test_exports_run_on_their_own_queue() -> None:
    from youon.celery import app

    assert app.amqp.router.route({}, "leads.tasks.export_write")["queue"].name == "exports"
    assert app.amqp.router.route({}, "ingestion.tasks.bdgd_import_layer")["queue"].name == "celery"


def test_a_job_and_its_file_are_their_owners_alone(unit: None) -> None:
    owner, other = token_client("dona"), token_client("outro")
    job = owner.post("/api/v1/exportacoes/", {"formato": "csv", "filtros": {}}, format="json").json()
    services.export_write(export_id=job["id"])
    assert owner.get(f"/api/v1/exportacoes/{job['id']}/arquivo/").status_code == 200
    assert other.get(f"/api/v1/exportacoes/{job['id']}/").status_code == 404
    assert other.get(f"/api/v1/exportacoes/{job['id']}/arquivo/").status_code == 404
