"""The operations page: forecast against actual, recent errors, the dispatch of the forecast day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import selectors, services
from .optimisation import dispatch

SERIES = ("SIN", "SE", "S", "NE", "N")
COLOURS = {
    "carga": "#212529",
    "hidro": "#1c7ed6",
    "termica": "#e8590c",
    "hidro_realizada": "#74c0fc",
    "termica_realizada": "#ffa94d",
}
WIDTH, HEIGHT, PAD = 960, 260, 40


@dataclass
class Chart:
    lines: list[dict[str, str]]
    ticks: list[dict[str, Any]]
    width: int = WIDTH
    height: int = HEIGHT


def chart(series: dict[str, list[float | None]], labels: list[str], colours: dict[str, str]) -> Chart:
    """Polylines of the given series on one scale; a None breaks a line."""
    values = [v for s in series.values() for v in s if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    span = (high - low) or 1.0
    n = max(len(labels), 2)

    def point(i: int, v: float) -> str:
        x = PAD + i * (WIDTH - 2 * PAD) / (n - 1)
        y = HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    lines = []
    for name, data in series.items():
        segments: list[str] = []
        current: list[str] = []
        for i, v in enumerate(data):
            if v is None:
                if current:
                    segments.append(" ".join(current))
                current = []
            else:
                current.append(point(i, v))
        if current:
            segments.append(" ".join(current))
        lines += [{"name": name, "points": seg, "colour": colours[name]} for seg in segments]
    step = max(1, n // 8)
    ticks = [{"x": PAD + i * (WIDTH - 2 * PAD) / (n - 1), "label": labels[i]} for i in range(0, len(labels), step)]
    ticks += [
        {"y": HEIGHT - PAD - f * (HEIGHT - 2 * PAD), "label": f"{(low + f * span) / 1000:,.1f} GW"} for f in (0, 0.5, 1)
    ]
    return Chart(lines=lines, ticks=ticks)


def _label(instant: datetime) -> str:
    return timezone.localtime(instant).strftime("%d/%m %Hh")


@login_required
def operacoes(request: HttpRequest) -> HttpResponse:
    serie = request.GET.get("serie", "SIN")
    if serie not in SERIES:
        serie = "SIN"
    curve = selectors.operations_curve(serie=serie, dias=7)
    context: dict[str, Any] = {
        "serie": serie,
        "series": SERIES,
        "modelo": selectors.model_active(),
        "erro_24h": selectors.forecast_error(days=1, serie=serie),
        "erro_7d": selectors.forecast_error(days=7, serie=serie),
        "curva": chart(
            {"previsto": curve.previsto, "realizado": curve.realizado},
            [_label(h) for h in curve.instante],
            {"previsto": "#d9480f", "realizado": "#1c7ed6"},
        ),
        "tem_curva": bool(curve.instante),
    }
    context.update(_dispatch())
    return render(request, "forecasting/operacoes.html", context)


def _dispatch() -> dict[str, Any]:
    try:
        plan = services.dispatch_forecast_day()
    except dispatch.Infeasible as exc:
        return {"despacho": None, "despacho_erro": str(exc)}
    if plan is None:
        return {"despacho": None}
    problem, result = plan.problema, plan.resultado
    hours = range(problem.horas)
    labels = [_label(h) for h in plan.instantes][: problem.horas]
    realised = selectors.generation_realised(plan.instantes)
    lines: dict[str, list[float | None]] = {
        "carga": [sum(problem.carga[s][t] for s in problem.carga) for t in hours],
        "hidro": [sum(g[t] for g in result.hidro.values()) for t in hours],
        "termica": [sum(g[t] for g in result.termica.values()) for t in hours],
    }
    known = any(v is not None for v in realised["hidraulica_mw"])
    if known:
        lines["hidro_realizada"] = realised["hidraulica_mw"]
        lines["termica_realizada"] = realised["termica_mw"]
    pld = selectors.pld_mean(plan.instantes)
    cmo = {s: sum(v) / len(v) for s, v in result.cmo.items()}
    return {
        "despacho": result,
        "despacho_curva": chart(
            lines,
            labels + [""] * (problem.horas - len(labels)),
            COLOURS,
        ),
        "realizado_conhecido": known,
        "intermitente_fonte": plan.intermitente_fonte,
        "geracao_minima_ativa": plan.geracao_minima_ativa,
        "geracao_minima_total": sum(h.geracao_min for h in problem.hidros)
        + sum(t.geracao_min for t in problem.termicas),
        "cmo_pld": [{"subsistema": s, "cmo": v, "pld": pld.get(s)} for s, v in cmo.items()],
        "sanidade": plan.sanidade,
    }
