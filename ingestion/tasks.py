from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app, shared_task, signature
from django.conf import settings
from django.utils import timezone

from leads.models import StatusImportacao
from leads.tasks import enrich_after_import

from . import catalog, cnpj, recovery, services
from .models import ImportStatus
from .readers import bdgd, hub

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def bdgd_import_layer(self, status_id: int, force: bool = False) -> int:  # type: ignore[no-untyped-def]
    """Import the layer of one `import_status` row; returns its id.

    Safe to redeliver: a finished row is left alone; while another worker still imports the layer, this
    one waits on the layer's lock and then finds the row finished. A row left 'running' by a killed
    worker (its transaction rolled back) is imported again. The rest of the chain is recorded on the row,
    so that `bdgd_import_recover` can send both again if this worker is lost.
    """
    status = ImportStatus.objects.get(pk=status_id)
    if status.status in (StatusImportacao.COMPLETED, StatusImportacao.FAILED):
        return status_id
    try:
        dataset = bdgd.open_dataset(status.arquivo)
    except bdgd.BdgdError as exc:
        services.import_failed(status, str(exc))
        return status_id
    resend = {"force": force, "chain": self.request.chain or []}
    services.bdgd_import_layer(status=status, dataset=dataset, force=force, resend=resend)
    return status_id


def send_again(status: ImportStatus) -> None:
    """Queue a layer whose worker was lost, with the rest of its chain; after its last attempt, only the rest."""
    chain = list(status.reenvio.get("chain") or [])
    if status.status == StatusImportacao.PENDING:
        bdgd_import_layer.apply_async((status.pk, bool(status.reenvio.get("force"))), chain=chain)
    elif chain:  # as after any failed layer, the next ones still import (Celery pops the next from the end)
        signature(chain[-1], app=current_app).apply_async(chain=chain[:-1])


def import_recover() -> list[ImportStatus]:
    """Find the imports whose worker was lost and queue them again (see `recovery.bdgd_import_recover`)."""
    return recovery.bdgd_import_recover(send=send_again)


@shared_task(bind=True, acks_late=True, time_limit=120)
def bdgd_import_recover(self) -> list[int]:  # type: ignore[no-untyped-def]
    """Beat, every IMPORT_RECOVERY_INTERVAL_S: queue again the imports whose worker was lost; returns their ids.

    Idempotent: a row is taken once (it leaves 'running'), and running it twice at once is safe.
    """
    return [s.pk for s in import_recover()]


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(hub.CatalogError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def bdgd_fetch_and_import(self, item_id: str, force: bool = False) -> list[int]:  # type: ignore[no-untyped-def]
    """Download a catalog item on this worker (resuming) and import all its layers here; returns status ids.

    The file lives on the worker that downloaded it, so its layers import in this same task, PONNOT first.
    Redelivery is safe: the download resumes or is skipped, and layers already imported from the same file
    are no-ops. A failed download is retried with backoff.
    """
    download = catalog.bdgd_download(item_id=item_id)
    try:
        outcome = services.bdgd_import(path=download.path, force=force, item_id=item_id)
    except services.BdgdImportError as exc:
        logger.error("catalog item %s: %s", item_id, exc)
        return []
    return [s.pk for s in outcome.statuses]


@shared_task(bind=True, acks_late=True, time_limit=600)
def bdgd_watch_releases(self) -> list[str]:  # type: ignore[no-untyped-def]
    """Queue the import of published BDGDs not imported yet (the watched years and distributors).

    Idempotent: an item with a completed import, or one queued in the last day, is not queued again.
    """
    years = settings.BDGD_WATCH_YEARS or [timezone.now().year - 1]
    watched = {int(code) for code in settings.BDGD_WATCH_DISTRIBUIDORAS}
    queued = []
    for year in years:
        for item in catalog.catalog_list(ano=int(year)):
            if watched and item.distribuidora not in watched:
                continue
            recent = timezone.now() - timedelta(days=1)
            known = ImportStatus.objects.filter(item_id=item.item_id).filter(
                status=StatusImportacao.COMPLETED
            ) | ImportStatus.objects.filter(item_id=item.item_id, criado_em__gte=recent)
            if known.exists():
                continue
            bdgd_fetch_and_import.delay(item.item_id)
            queued.append(item.item_id)
    return queued


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def cnpj_fetch_release(self, force: bool = False) -> int | None:  # type: ignore[no-untyped-def]
    """Download and import Receita's latest CNPJ release; returns the active release's id.

    Idempotent: a release already active is neither downloaded nor imported again; one import runs at a
    time (the service's advisory lock), so a redelivered task fails fast while the first still loads.
    """
    try:
        result = cnpj.cnpj_fetch_release(force=force)
    except cnpj.CnpjImportError as exc:
        logger.error("CNPJ release: %s", exc)
        return None
    if not result.skipped:
        enrich_after_import(etapas=["cnpj"])  # every layer's units matched against the new release
    return result.release.pk
