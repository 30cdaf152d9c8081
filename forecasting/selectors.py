"""Reads of the forecasting app: issued forecasts against actuals, model versions, the operations view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Max, QuerySet
from django.db.models.functions import Abs

from .models import BalancoHorario, ModeloVersao, PldHorario, PrevisaoHoraria, StatusModelo
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


def intermittent_naive(hours: list[datetime]) -> dict[str, list[float]] | None:
    """Wind plus solar of each subsystem for `hours`, forecast as the same hours one week before (ONS
    energy balance): the seasonal naive, known at issue time. None unless every subsystem has them all."""
    before = [h - timedelta(days=7) for h in hours]
    rows = BalancoHorario.objects.filter(subsistema__in=SUBSISTEMAS, instante__in=before).values_list(
        "subsistema", "instante", "eolica_mw", "solar_mw"
    )
    found = {(sub, at): (wind, sun) for sub, at, wind, sun in rows if wind is not None and sun is not None}
    out = {}
    for sub in SUBSISTEMAS:
        values = [found.get((sub, at)) for at in before]
        if any(v is None for v in values):
            return None
        out[sub] = [wind + sun for wind, sun in values]  # type: ignore[misc]
    return out


GENERATION_SOURCES = ("hidraulica_mw", "termica_mw", "eolica_mw", "solar_mw")


def generation_realised(hours: list[datetime]) -> dict[str, list[float | None]]:
    """The SIN's realised generation by source (ONS energy balance) at `hours`; None where not known."""
    rows = {b.instante: b for b in BalancoHorario.objects.filter(subsistema="SIN", instante__in=hours)}
    return {source: [getattr(rows[h], source) if h in rows else None for h in hours] for source in GENERATION_SOURCES}


def pld_mean(hours: list[datetime]) -> dict[str, float]:
    """Mean hourly PLD (R$/MWh) of each submarket over `hours`, where CCEE's prices cover them all."""
    rows = PldHorario.objects.filter(instante__in=hours).values("submercado").annotate(media=Avg("pld"), n=Count("id"))
    return {r["submercado"]: r["media"] for r in rows if r["n"] == len(hours)}


@dataclass
class DiaPrevisto:
    instantes: list[datetime]  # UTC starts of the forecast day's hours (23 or 25 on a DST change day)
    carga: dict[str, list[float]]  # subsystem → 24 MW values (a 23-hour day repeats its last hour)


def forecast_day_latest() -> DiaPrevisto | None:
    """The latest issued forecast of each subsystem as the load of a 24-hour dispatch, with its hours;
    None when a subsystem has none."""
    days = {sub: list(forecast_latest(serie=sub)) for sub in SUBSISTEMAS}
    if any(len(rows) < 23 for rows in days.values()):
        return None
    carga = {sub: ([p.carga_mw for p in rows] + [rows[-1].carga_mw])[:24] for sub, rows in days.items()}
    return DiaPrevisto([p.instante for p in days["SE"]], carga)


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
