from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3300, max_retries=3)
def views_refresh(self) -> list[str]:  # type: ignore[no-untyped-def]
    """Refresh the materialized summary views. Idempotent: a repeated run only refreshes again."""
    return services.views_refresh()


@shared_task(bind=True, acks_late=True, time_limit=600)
def tokens_flush_expired(self) -> None:  # type: ignore[no-untyped-def]
    """Delete expired refresh tokens from the blacklist tables (simplejwt's flushexpiredtokens)."""
    from django.core.management import call_command

    call_command("flushexpiredtokens")


@shared_task(bind=True, acks_late=True, time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60)
def export_write(self, export_id: str) -> str:  # type: ignore[no-untyped-def]
    """Write the file of an export job. Idempotent: a finished job is not written again."""
    return services.export_write(export_id=export_id).status


@shared_task(bind=True, acks_late=True, time_limit=3600)
def exports_purge(self) -> int:  # type: ignore[no-untyped-def]
    """Delete export jobs and files past their retention (EXPORT_RETENCAO_DIAS). Idempotent."""
    return services.exports_purge()


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3300, max_retries=3)
def score_leads(self, distribuidora: int | None = None, ano: int | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Score the units of a distributor-year (or all) for the four offers. Idempotent: a rerun rewrites them."""
    run = services.score_refresh(distribuidora=distribuidora, ano=ano)
    return {"execucao": run.pk, "unidades": run.unidades, "duracao_s": run.duracao_s}


@shared_task(bind=True, acks_late=True, time_limit=3600, autoretry_for=(OSError,), retry_backoff=600, max_retries=3)
def tariffs_fetch(self) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Download ANEEL's tariffs; when a row changed, score every unit again. Idempotent."""
    report = services.tariffs_fetch()
    if report["inseridas_ou_alteradas"]:
        report["execucao"] = services.score_refresh().pk
    return report


@shared_task(bind=True, acks_late=True, time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, max_retries=3)
def enrich_layer(  # type: ignore[no-untyped-def]
    self, distribuidora: int | None = None, ano: int | None = None, etapas: list[str] | None = None
) -> dict[str, object]:
    """Enrich the units of a distributor-year (or all layers): steps as `manage.py enrich`. Idempotent: a
    rerun on the same data writes nothing new."""
    from .enrichment import services as enrichment

    reports: dict[str, object] = {}
    for dist, year in enrichment.layers(distribuidora, ano):
        reports[f"{dist}/{year}"] = enrichment.enrich_layer(distribuidora=dist, ano=year, etapas=etapas).as_dict()
    return reports


def enrich_after_import(*, etapas: Sequence[str]) -> None:
    """Queue the given steps over every layer once the caller's transaction commits: what the register
    imports' commands and tasks call when a CNPJ release becomes active (`cnpj`), or CCEE loads (`ccee`)
    or the GD register (`gd`) change. Raises EnrichmentError on an unknown step, before anything is queued."""
    from django.db import transaction

    from .enrichment.services import etapas_validas

    steps = list(etapas_validas(etapas))
    transaction.on_commit(lambda: enrich_layer.delay(None, None, steps))
