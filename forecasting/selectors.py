"""Reads of the forecasting app: issued forecasts against actuals, model versions, the operations view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, QuerySet

from .models import CargaHoraria, ModeloVersao, PrevisaoHoraria, StatusModelo


def model_active() -> ModeloVersao | None:
    return ModeloVersao.objects.filter(status=StatusModelo.ATIVO).first()


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


@dataclass
class Curva:
    instante: list[datetime]
    previsto: list[float | None]
    realizado: list[float | None]


def operations_curve(*, serie: str, dias: int = 7) -> Curva:
    """The last `dias` days up to the latest forecast hour: forecast and actual per hour."""
    last = PrevisaoHoraria.objects.filter(serie=serie).aggregate(m=Max("instante"))["m"]
    if last is None:
        return Curva([], [], [])
    start = last - timedelta(days=dias) + timedelta(hours=1)
    forecasts = {
        p.instante: p.carga_mw for p in forecast_vs_actual(serie=serie, inicio=start, fim=last + timedelta(hours=1))
    }
    loads = CargaHoraria.objects.filter(instante__gte=start, instante__lte=last)
    if serie != "SIN":
        loads = loads.filter(subsistema=serie)
    actual: dict[datetime, float] = {}
    counts: dict[datetime, int] = {}
    for instante, mw in loads.values_list("instante", "carga_mw"):
        actual[instante] = actual.get(instante, 0.0) + mw
        counts[instante] = counts.get(instante, 0) + 1
    if serie == "SIN":
        actual = {k: v for k, v in actual.items() if counts[k] == 4}
    hours = [start + timedelta(hours=h) for h in range(dias * 24)]
    return Curva(hours, [forecasts.get(h) for h in hours], [actual.get(h) for h in hours])
