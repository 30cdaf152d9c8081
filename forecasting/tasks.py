"""Celery tasks of the forecasting app: daily downloads, scoring, issuing, nightly retraining (`ml` queue)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)

RETRAIN_LOCK = 5_710_001  # PostgreSQL advisory lock key: one retraining at a time, freed if the worker dies


def _years(ano: int | None, today: date) -> list[int]:
    """The year asked for, else this year's file and, in the first week of January, last year's too
    (sources publish one file per year and close the old one a few days late)."""
    return [ano] if ano else sorted({today.year, (today - timedelta(days=7)).year})


@shared_task(bind=True, acks_late=True, autoretry_for=(services.ForecastError,), retry_backoff=600, max_retries=6,
             time_limit=1800)  # fmt: skip
def load_fetch(self, ano: int | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Download and import this year's ONS load file and the last days of each INMET station; then score.

    ONS updates the year's file as days close; early in January the previous year's file is fetched too.
    """
    today = timezone.localdate()
    years = _years(ano, today)
    report: dict[str, object] = {str(y): services.load_fetch(ano=y) for y in years}
    for station in settings.INMET_STATIONS:
        try:
            report[station] = services.weather_fetch(estacao=station, inicio=today - timedelta(days=3), fim=today)
        except services.ForecastError as exc:  # weather is optional input: the load still counts
            logger.warning("weather fetch failed: %s", exc)
            report[station] = str(exc)
    report["pontuadas"] = services.forecast_score()
    return report


@shared_task(bind=True, acks_late=True, autoretry_for=(services.ForecastError,), retry_backoff=600, max_retries=6,
             time_limit=1800)  # fmt: skip
def market_fetch(self, ano: int | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Download and import this year's ONS energy balance (generation by source) and CCEE hourly PLD.

    Each source is fetched on its own: one that fails is retried later without undoing the other.
    """
    years = _years(ano, timezone.localdate())
    report: dict[str, object] = {}
    failures = []
    for name, fetch in (("balanco", services.balance_fetch), ("pld", services.pld_fetch)):
        for year in years:
            try:
                report[f"{name}_{year}"] = fetch(ano=year)
            except services.ForecastError as exc:
                logger.warning("%s %s fetch failed: %s", name, year, exc)
                report[f"{name}_{year}"] = str(exc)
                failures.append(str(exc))
    if failures:
        raise services.ForecastError("; ".join(failures))
    return report


@shared_task(bind=True, acks_late=True, time_limit=600)
def forecast_score(self) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Compute the errors of issued forecasts whose actuals arrived; queue a retraining on drift."""
    scored = services.forecast_score()
    return {"pontuadas": scored, "retreino": services.forecast_drift_check()}


@shared_task(bind=True, acks_late=True, time_limit=3600, soft_time_limit=3300)
def forecast_retrain(self, motivo: str = "nightly") -> int | None:  # type: ignore[no-untyped-def]
    """Train a candidate, gate it, promote it if it passes; returns the version id.

    One retraining at a time: a second one queued while the first runs is dropped.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RETRAIN_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("a retraining is already running; %s dropped", motivo)
            return None
    try:
        return services.forecast_train(motivo=motivo).pk
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RETRAIN_LOCK])


@shared_task(bind=True, acks_late=True, time_limit=600)
def forecast_issue(self) -> int:  # type: ignore[no-untyped-def]
    """Issue tomorrow's (the day after the last full day of data) forecast with the active model."""
    return services.forecast_issue()


@shared_task(bind=True, acks_late=True, time_limit=settings.DESPACHO_TEMPO_MAX_S + 60,
             soft_time_limit=settings.DESPACHO_TEMPO_MAX_S + 30)  # fmt: skip
def dispatch_solve(self, data: dict[str, object], carga: dict[str, list[float]]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A dispatch too large to answer within a request: {"status": 200 or 422, "corpo": the answer}."""
    problem = services.dispatch_problem(data, carga)
    code, body = services.dispatch_answer(
        problem,
        ano_pld=int(str(data["ano_pld"])),
        time_limit=settings.DESPACHO_TEMPO_MAX_S,
        work_max=settings.DESPACHO_MAX,
    )
    return {"status": code, "corpo": body}
