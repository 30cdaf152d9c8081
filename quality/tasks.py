from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3300, max_retries=3)
def quality_refresh(self, distribuidora: int | None = None, ano: int | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """After an import and nightly: indicators, anomalies of the scope, every alert rule, the e-mails.
    Idempotent: a rerun records and notifies nothing new."""
    done = services.quality_refresh(distribuidora=distribuidora, ano=ano)
    return {
        "anomalias": done.anomalias,
        "eventos": done.avaliacao.eventos,
        "notificacoes": done.avaliacao.notificacoes,
        "emails": done.emails,
        "duracao_s": done.duracao_s,
    }


@shared_task(bind=True, acks_late=True, time_limit=600, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def emails_send(self) -> int:  # type: ignore[no-untyped-def]
    """Send the pending one-per-event e-mails. Idempotent: each notification is mailed once."""
    return services.emails_send()


@shared_task(bind=True, acks_late=True, time_limit=600, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def digest_send(self) -> int:  # type: ignore[no-untyped-def]
    """Daily: each user's digest of pending notifications. Idempotent: a notification goes in one digest."""
    return services.digest_send()
