"""Reads of the forecasting app: issued forecasts against actuals, model versions, the operations view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Max, QuerySet
from django.db.models.functions import Abs

from .models import ModeloVersao, PrevisaoHoraria, StatusModelo
from .optimisation.dispatch import SUBSISTEMAS


def model_active() -> ModeloVersao | None:
    return ModeloVersao.objects.filter(status=StatusModelo.ATIVO).first()


def forecast_error(*, days: int = 7, serie: str = "SIN") -> float | None:
    """MAPE (%) of the active model's scored forecasts of `serie` over the last `days` days with actuals."""
    active = model_active()
    if active is None:
        return None
    scored = PrevisaoHoraria.objects.filter(modelo=active, serie=serie, erro_pct__isnull=False)
    last = scored.aggregate(m=Max("instante"))["m"]
    if last is None:
        return None
    return scored.filter(instante__gt=last - timedelta(days=days)).aggregate(m=Avg(Abs("erro_pct")))["m"]


def forecast_latest(*, serie: str) -> QuerySet[PrevisaoHoraria]:
    """The hours of the most recently issued forecast day of `serie` (by the model that issued it last)."""
    latest = PrevisaoHoraria.objects.filter(serie=serie).order_by("-instante", "-emitida_em").first()
    if latest is None:
        return PrevisaoHoraria.objects.none()
    day_start = latest.instante - timedelta(hours=23)
    return PrevisaoHoraria.objects.filter(
        serie=serie,
        modelo_id=latest.modelo_id,
        instante__gt=day_start - timedelta(hours=1),
        instante__lte=latest.instante,
    ).order_by("instante")


def forecast_vs_actual(*, serie: str, inicio: datetime, fim: datetime) -> QuerySet[PrevisaoHoraria]:
    """Issued hours in [inicio, fim) with their actuals; where several models forecast an hour, the
    latest issue wins."""
    return (
        PrevisaoHoraria.objects.filter(serie=serie, instante__gte=inicio, instante__lt=fim)
        .order_by("instante", "-emitida_em")
        .distinct("instante")
    )


def forecast_load_latest(*, horas: int = 24) -> dict[str, list[float]] | None:
    """The latest issued forecast of each subsystem as the load of a `horas`-hour dispatch (24 only:
    a forecast day); None when a subsystem has none. A 23-hour DST day repeats its last hour."""
    if horas != 24:
        return None
    carga = {}
    for sub in SUBSISTEMAS:
        values = [p.carga_mw for p in forecast_latest(serie=sub)]
        if len(values) < 23:
            return None
        carga[sub] = (values + values[-1:])[:24]
    return carga


@dataclass
class Curva:
    instante: list[datetime]
    previsto: list[float | None]
    realizado: list[float | None]


def operations_curve(*, serie: str, dias: int = 7) -> Curva:
    """The last `dias` days up to the latest forecast hour: forecast and (scored) actual per hour."""
    last = PrevisaoHoraria.objects.filter(serie=serie).aggregate(m=Max("instante"))["m"]
    if last is None:
        return Curva([], [], [])
    start = last - timedelta(days=dias) + timedelta(hours=1)
    rows = {p.instante: p for p in forecast_vs_actual(serie=serie, inicio=start, fim=last + timedelta(hours=1))}
    hours = [start + timedelta(hours=h) for h in range(dias * 24)]
    found = [rows.get(h) for h in hours]
    return Curva(
        hours,
        [p.carga_mw if p else None for p in found],
        [p.realizado_mw if p else None for p in found],
    )
