from __future__ import annotations

from celery import shared_task
from django.conf import settings

from leads.models import StatusImportacao

from . import services
from .models import ImportStatus
from .readers import bdgd


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def bdgd_import_layer(self, status_id: int, force: bool = False) -> int:  # type: ignore[no-untyped-def]
    """Import the layer of one `import_status` row; returns its id.

    Safe to redeliver: a finished row is left alone, and a row whose layer another worker is importing
    right now (it holds the layer's lock) is skipped. A row left 'running' by a killed worker runs again.
    """
    status = ImportStatus.objects.get(pk=status_id)
    if status.status in (StatusImportacao.COMPLETED, StatusImportacao.FAILED):
        return status_id
    if services.layer_busy(status):
        return status_id
    try:
        dataset = bdgd.open_dataset(status.arquivo)
    except bdgd.BdgdError as exc:
        services.import_failed(status, str(exc))
        return status_id
    services.bdgd_import_layer(status=status, dataset=dataset, force=force)
    return status_id
