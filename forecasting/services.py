"""Writes of the forecasting app: hourly load and weather, re-import idempotent."""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from numpy.typing import NDArray

from youon.lib import http
from youon.lib.db import copy_upsert

from . import selectors
from .ml import data, features, model
from .ml.data import Daily
from .ml.model import Forecaster, Settings
from .models import CargaHoraria, ModeloVersao, StatusModelo
from .optimisation import cases, dispatch
from .readers import ccee, inmet, ons


class ForecastError(RuntimeError):
    """A forecasting step cannot run on the data or models at hand; the message says why."""


FORMAT_ERRORS = (ons.OnsFormatError, inmet.InmetFormatError, ccee.CceeFormatError, UnicodeDecodeError)


def _raw(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def _gaps(rows: list[Any], key: str) -> dict[str, int]:
    """Missing hours per subsystem (or submarket) between its first and last hour in the file."""
    by_key: dict[str, list[datetime]] = {}
    for r in rows:
        by_key.setdefault(getattr(r, key), []).append(r.instante)
    return {k: len(ons.missing_hours(sorted(v))) for k, v in sorted(by_key.items())}


@transaction.atomic
def load_import(*, path: Path) -> dict[str, object]:
    """Import an ONS hourly load file (`.csv` or `.csv.gz`); returns its report (values, empty,
    non-positive, missing hours).

    Idempotent: re-importing the same file changes nothing; a corrected file updates the hours it changes.
    """
    report = ons.Relatorio()
    rows = list(ons.read(_raw(path).decode("utf-8-sig"), report))
    written = copy_upsert(
        table=("public", "forecasting_cargahoraria"),
        key=("subsistema", "instante"),
        columns=("subsistema", "instante", "carga_mw"),
        rows=[(r.subsistema, r.instante, r.carga_mw) for r in rows],
    )
    gaps = {s: len(ons.missing_hours(sorted(r.instante for r in rows if r.subsistema == s))) for s in ons.SUBSISTEMAS}
    return {**asdict(report), "por_subsistema": dict(report.por_subsistema), "horas_ausentes": gaps,
            "gravadas": written}  # fmt: skip


@transaction.atomic
def balance_import(*, path: Path) -> dict[str, object]:
    """Import an ONS energy-balance file (BALANCO_ENERGIA_SUBSISTEMA_YYYY.csv, or .gz): generation by
    source, load and interchange per subsystem and hour. Idempotent; empty values stay NULL."""
    report = ons.Relatorio()
    rows = list(ons.read_balanco(_raw(path).decode("utf-8-sig"), report))
    written = copy_upsert(
        table=("public", "forecasting_balancohorario"),
        key=("subsistema", "instante"),
        columns=("subsistema", "instante", *ons.BALANCO_FIELDS),
        rows=[(r.subsistema, r.instante, *(r.valores[f] for f in ons.BALANCO_FIELDS)) for r in rows],
    )
    gaps = _gaps(rows, "subsistema")
    counts = dict(report.por_subsistema)
    return {**asdict(report), "por_subsistema": counts, "horas_ausentes": gaps, "gravadas": written}


@transaction.atomic
def pld_import(*, path: Path) -> dict[str, object]:
    """Import a CCEE hourly PLD file (PLD_HORARIO_YYYY.csv, Latin-1 or UTF-8, or .gz). Idempotent."""
    report = ons.Relatorio()
    rows = list(ccee.read(_raw(path), report))
    written = copy_upsert(
        table=("public", "forecasting_pldhorario"),
        key=("submercado", "instante"),
        columns=("submercado", "instante", "pld"),
        rows=[(r.submercado, r.instante, r.pld) for r in rows],
    )
    summary = asdict(report)
    summary["por_submercado"] = dict(summary.pop("por_subsistema"))
    return {**summary, "horas_ausentes": _gaps(rows, "submercado"), "gravadas": written}


@transaction.atomic
def weather_import(*, path: Path) -> dict[str, object]:
    """Import an INMET station file (either layout, UTF-8 or Latin-1). Idempotent."""
    code, observations = inmet.read(path.read_bytes())
    columns = ("estacao", "instante", *inmet.COLUMNS)
    rows = [(o.estacao, o.instante, *(o.valores[c] for c in inmet.COLUMNS)) for o in observations]
    written = copy_upsert(
        table=("public", "forecasting_observacaohoraria"), key=("estacao", "instante"), columns=columns, rows=rows
    )
    missing_temperature = sum(1 for r in rows if r[columns.index("temperatura_c")] is None)
    return {"estacao": code, "linhas": len(rows), "sem_temperatura": missing_temperature, "gravadas": written}


# --- Model lifecycle -----------------------------------------------------------------------------

SANITY_MAX_MW = {"SIN": 200_000.0, "SE": 120_000.0, "S": 50_000.0, "NE": 50_000.0, "N": 30_000.0}


def load_daily(*, since: datetime | None = None) -> Daily:
    """Stored hours of load (from `since`, default all), as days × 24 local hours (gaps filled for the
    models only)."""
    rows = CargaHoraria.objects.order_by("instante")
    if since is not None:
        rows = rows.filter(instante__gte=since)
    values = rows.values_list("subsistema", "instante", "carga_mw")
    return data.daily(data.hourly_frame(values.iterator(chunk_size=20_000)))


def data_hash(daily: Daily) -> str:
    digest = hashlib.sha256()
    digest.update(np.asarray(daily.days.asi8).tobytes())
    for serie in data.SERIES:
        digest.update(np.nan_to_num(daily.values[serie], nan=-1.0).round(3).tobytes())
    return digest.hexdigest()


def data_sanity(daily: Daily, *, recent_days: int = 28, min_coverage: float = 0.95) -> dict[str, object]:
    """Gate on the data a model is trained on: no absurd loads, enough hours in the recent weeks."""
    problems = []
    for serie in data.SERIES:
        values = daily.values[serie]
        known = values[~np.isnan(values)]
        if (known <= 0).any() or (known > SANITY_MAX_MW[serie]).any():
            problems.append(f"{serie}: loads outside (0, {SANITY_MAX_MW[serie]:,.0f}] MW")
        coverage = float(np.mean(~np.isnan(values[-recent_days:]))) if len(values) >= recent_days else 0.0
        if coverage < min_coverage:
            problems.append(f"{serie}: {coverage:.0%} of the last {recent_days} days' hours known")
    return {"passou": not problems, "detalhe": "; ".join(problems) or "ok"}


def _settings(epochs: int | None = None) -> Settings:
    return Settings(epochs=epochs or django_settings.FORECAST_EPOCHS)


def _holdout(daily: Daily, holdout_days: int) -> NDArray[Any]:
    """The last `holdout_days` days whose SIN is fully known."""
    known = np.flatnonzero(~np.isnan(daily.values["SIN"]).any(axis=1))
    return known[-holdout_days:]


def _evaluate(predict: Any, daily: Daily, days: NDArray[Any]) -> dict[str, dict[str, float]]:
    target = features.design(daily, days)
    ratios = predict(target.x)
    out = {}
    for serie in data.SERIES:
        rows = target.serie == serie
        predicted = ratios[rows] * target.level[rows, None]
        out[serie] = model.metrics(daily.values[serie][target.day[rows]], predicted)
    return out


def forecast_train(
    *,
    motivo: str,
    holdout_days: int | None = None,
    epochs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ModeloVersao:
    """Train a candidate on every day before the holdout weeks, run the gates, promote it if it passes.

    Gates: the data are sane; on the holdout the candidate beats the weekly seasonal-naive baseline on
    every series; and its SIN MAPE is no worse than the active model's by more than
    FORECAST_GATE_TOLERANCE. A candidate that fails is kept as `rejeitado` with the reasons.
    """
    began = time.perf_counter()
    holdout_days = holdout_days or django_settings.FORECAST_HOLDOUT_DAYS
    daily = load_daily()
    sanity = data_sanity(daily)
    holdout = _holdout(daily, holdout_days)
    if len(holdout) < holdout_days or holdout[0] < features.HISTORY + 56:
        raise ForecastError(f"not enough load history to train and hold out {holdout_days} days")
    ml_settings = _settings(epochs)
    first = max(features.HISTORY, holdout[0] - ml_settings.training_days)
    train = features.design(daily, np.arange(first, holdout[0]))
    validation = train.day >= holdout[0] - min(ml_settings.validation_days, (holdout[0] - first) // 4)
    forecaster = Forecaster.fit(train.x, train.y, validation=validation, settings=ml_settings, progress=progress)
    candidate_metrics = _evaluate(forecaster.predict, daily, holdout)
    naive_metrics = {
        s: model.metrics(daily.values[s][holdout], model.seasonal_naive(daily.values[s], holdout)) for s in data.SERIES
    }
    active = selectors.model_active()
    active_metrics = None
    if active is not None:
        active_metrics = _evaluate(Forecaster.load(Path(active.artefato)).predict, daily, holdout)
    gates = _gates(sanity, candidate_metrics, naive_metrics, active_metrics)
    days = daily.days
    version = ModeloVersao.objects.create(
        artefato="",
        motivo=motivo,
        janela_inicio=days[first].date(),
        janela_fim=days[holdout[0] - 1].date(),
        dados_hash=data_hash(daily),
        metricas={
            "modelo": candidate_metrics,
            "ingenuo": naive_metrics,
            "ativo": active_metrics,
            "holdout": [days[holdout[0]].date().isoformat(), days[holdout[-1]].date().isoformat()],
        },
        gates=gates,
        segundos_treino=time.perf_counter() - began,
    )
    folder = Path(django_settings.FORECAST_MODEL_DIR) / f"v{version.pk:04d}"
    forecaster.save(
        folder,
        {
            "versao": version.pk,
            "features": features.columns(temperature=False),
            "janela": [version.janela_inicio.isoformat(), version.janela_fim.isoformat()],
            "dados_hash": version.dados_hash,
            "metricas": version.metricas,
        },
    )
    version.artefato = str(folder)
    version.save(update_fields=["artefato"])
    if all(g["passou"] for g in gates.values()):
        forecast_promote(version=version)
    else:
        ModeloVersao.objects.filter(pk=version.pk).update(status=StatusModelo.REJEITADO)
    version.refresh_from_db()
    return version


def _gates(
    sanity: dict[str, object],
    candidate: dict[str, dict[str, float]],
    naive: dict[str, dict[str, float]],
    active: dict[str, dict[str, float]] | None,
) -> dict[str, dict[str, object]]:
    losing = [s for s in data.SERIES if not candidate[s]["mape"] < naive[s]["mape"]]
    gates: dict[str, dict[str, object]] = {
        "dados": sanity,
        "vence_ingenuo": {
            "passou": not losing,
            "detalhe": "ok" if not losing else f"no better than the seasonal naive on {', '.join(losing)}",
        },
    }
    if active is None:
        gates["nao_pior_que_ativo"] = {"passou": True, "detalhe": "no active model"}
    else:
        limit = active["SIN"]["mape"] * (1 + django_settings.FORECAST_GATE_TOLERANCE)
        gates["nao_pior_que_ativo"] = {
            "passou": candidate["SIN"]["mape"] <= limit,
            "detalhe": f"SIN MAPE {candidate['SIN']['mape']:.2f} % vs active {active['SIN']['mape']:.2f} %",
        }
    return gates


@transaction.atomic
def forecast_promote(*, version: ModeloVersao) -> ModeloVersao:
    """Make `version` the active model; the previous active one is retired (kept for rollback)."""
    ModeloVersao.objects.select_for_update().filter(status=StatusModelo.ATIVO).exclude(pk=version.pk).update(
        status=StatusModelo.APOSENTADO
    )
    ModeloVersao.objects.filter(pk=version.pk).update(status=StatusModelo.ATIVO, promovido_em=timezone.now())
    version.refresh_from_db()
    return version


@transaction.atomic
def forecast_rollback() -> ModeloVersao:
    """Put back the version that was active before the current one; the current one becomes `rejeitado`."""
    current = ModeloVersao.objects.select_for_update().filter(status=StatusModelo.ATIVO).first()
    previous = (
        ModeloVersao.objects.select_for_update()
        .filter(status=StatusModelo.APOSENTADO, promovido_em__isnull=False)
        .order_by("-promovido_em")
        .first()
    )
    if previous is None:
        raise ForecastError("no earlier active version to roll back to")
    if current is not None:
        ModeloVersao.objects.filter(pk=current.pk).update(status=StatusModelo.REJEITADO)
    ModeloVersao.objects.filter(pk=previous.pk).update(status=StatusModelo.ATIVO, promovido_em=timezone.now())
    previous.refresh_from_db()
    return previous


def forecast_issue(*, dia: date | None = None) -> int:
    """Issue the active model's 24 hourly loads of `dia` (default: the day after the last full day of
    data) for the SIN and each subsystem; returns hours written. Re-issuing the same day replaces it."""
    active = selectors.model_active()
    if active is None:
        raise ForecastError("no active model: train one first (manage.py forecast_train)")
    latest = CargaHoraria.objects.aggregate(m=Max("instante"))["m"]
    if latest is None:
        raise ForecastError("no load stored yet")
    # The lags reach two weeks back; a month of data covers them and the last full day.
    daily = load_daily(since=latest - timedelta(days=31))
    complete = np.flatnonzero(~np.isnan(daily.values["SIN"]).any(axis=1))
    last = daily.days[complete[-1]].date()
    dia = dia or last + timedelta(days=1)
    if dia > last + timedelta(days=1):
        raise ForecastError(f"{dia}: the load of {dia - timedelta(days=1)} is not known yet (last full day {last})")
    daily = _extend(daily, dia)
    index = daily.index_of(dia)
    target = features.design(daily, np.array([index]))
    if len(target.x) != len(data.SERIES):
        raise ForecastError(f"{dia}: the lags of the last two weeks have holes")
    ratios = Forecaster.load(Path(active.artefato)).predict(target.x)
    issued = timezone.now()
    rows = []
    for i, serie in enumerate(target.serie):
        for hour, mw in zip(_local_hours(dia), ratios[i] * target.level[i], strict=True):
            if hour is not None:
                rows.append((active.pk, serie, hour, issued, float(mw)))
    with transaction.atomic():
        return copy_upsert(
            table=("public", "forecasting_previsaohoraria"),
            key=("serie", "instante", "modelo_id"),
            columns=("modelo_id", "serie", "instante", "emitida_em", "carga_mw"),
            rows=rows,
        )


def _extend(daily: Daily, dia: date) -> Daily:
    """`daily` with an empty row for `dia` when it lies just past the data (the day being forecast)."""
    if pd.Timestamp(dia) in daily.days:
        return daily
    days = daily.days.append(pd.DatetimeIndex([pd.Timestamp(dia)]))
    values = {s: np.vstack([v, np.full((1, 24), np.nan)]) for s, v in daily.values.items()}
    return Daily(days=days, values=values, filled=daily.filled)


def _local_hours(dia: date) -> list[datetime | None]:
    """The UTC start of each local hour 0..23 of `dia`; None for the hour that does not exist (DST)."""
    out: list[datetime | None] = []
    for hour in range(24):
        local = datetime.combine(dia, datetime.min.time()).replace(hour=hour, tzinfo=ons.LOCAL)
        utc = local.astimezone(ons.UTC)
        out.append(utc if utc.astimezone(ons.LOCAL).hour == hour else None)
    return out


def forecast_score() -> int:
    """Fill in the actual load and the error of every issued hour whose actual has arrived; returns rows."""
    with connection.cursor() as cursor:
        cursor.execute(SCORE_SQL)
        return cursor.rowcount


# Actuals of the hours that have forecasts; a revised ONS file or a re-issued forecast re-scores the
# hour. The SIN is the sum of the four subsystems where all four are known.
SCORE_SQL = """
WITH hours AS (
    SELECT instante, subsistema, carga_mw FROM forecasting_cargahoraria
    WHERE instante >= (SELECT min(instante) FROM forecasting_previsaohoraria)
), actual AS (
    SELECT instante, subsistema AS serie, carga_mw FROM hours
    UNION ALL
    SELECT instante, 'SIN', sum(carga_mw) FROM hours GROUP BY instante HAVING count(*) = 4
)
UPDATE forecasting_previsaohoraria p
SET realizado_mw = a.carga_mw, erro_pct = (p.carga_mw - a.carga_mw) / a.carga_mw * 100
FROM actual a
WHERE a.instante = p.instante AND a.serie = p.serie
  AND (p.realizado_mw IS DISTINCT FROM a.carga_mw
       OR p.erro_pct IS DISTINCT FROM (p.carga_mw - a.carga_mw) / a.carga_mw * 100)
"""


def forecast_drift_check() -> bool:
    """True, and a retraining queued, when the live SIN MAPE of the last 7 days passes the threshold."""
    from . import tasks

    error = selectors.forecast_error(days=7, serie="SIN")
    if error is None or error <= django_settings.FORECAST_DRIFT_MAPE:
        return False
    transaction.on_commit(lambda: tasks.forecast_retrain.delay(motivo="drift"))
    return True


# --- Daily downloads -----------------------------------------------------------------------------


def _download(url: str, target: Path) -> Path:
    """GET `url` into `target` (written whole or not at all)."""
    try:
        return http.download(url, target, timeout=django_settings.FORECAST_HTTP_TIMEOUT)
    except http.DownloadError as exc:
        raise ForecastError(str(exc)) from exc


def fetch_import(url: str, importer: Any, *, folder: str, name: str) -> dict[str, object]:
    """Download `url` into DATA_DIR/`folder`/`name` and import it with `importer`; a file that is not
    what the importer reads raises ForecastError naming the URL, with nothing written."""
    path = _download(url, Path(django_settings.DATA_DIR) / folder / name)
    try:
        return {"url": url, **importer(path=path)}
    except FORMAT_ERRORS as exc:
        raise ForecastError(f"{url}: {exc}") from exc


def load_fetch(*, ano: int | None = None, url: str | None = None) -> dict[str, object]:
    """Download ONS's hourly-load file of `ano` (default: this year) or `url`, and import it. Idempotent."""
    ano = ano or timezone.localdate().year
    url = url or django_settings.ONS_CARGA_URL.format(ano=ano)
    return fetch_import(url, load_import, folder="ons", name=http.file_name(url, f"CURVA_CARGA_{ano}.csv"))


def balance_fetch(*, ano: int | None = None, url: str | None = None) -> dict[str, object]:
    """Download ONS's energy-balance file of `ano` (default: this year) or `url`, and import it."""
    ano = ano or timezone.localdate().year
    url = url or django_settings.ONS_BALANCO_URL.format(ano=ano)
    return fetch_import(
        url, balance_import, folder="ons", name=http.file_name(url, f"BALANCO_ENERGIA_SUBSISTEMA_{ano}.csv")
    )


def pld_fetch(*, ano: int | None = None, url: str | None = None) -> dict[str, object]:
    """Download CCEE's hourly PLD file of `ano` (default: this year) and import it.

    CCEE's download addresses carry tokens that change, so the file is found through the open-data
    portal's catalogue (CKAN `package_show` of CCEE_PLD_PACKAGE_URL): the CSV resource whose name or
    address has the year. `url` skips the catalogue."""
    ano = ano or timezone.localdate().year
    if url is None:
        catalogue = django_settings.CCEE_PLD_PACKAGE_URL
        try:
            response = requests.get(catalogue, timeout=django_settings.FORECAST_HTTP_TIMEOUT)
            response.raise_for_status()
            resources = response.json()["result"]["resources"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise ForecastError(f"{catalogue}: no CCEE catalogue ({exc})") from exc
        matches = [
            r["url"]
            for r in resources
            if str(r.get("format", "")).upper() == "CSV" and str(ano) in f"{r.get('name', '')} {r.get('url', '')}"
        ]
        if not matches:
            raise ForecastError(f"{catalogue}: no CSV resource for {ano}")
        url = matches[0]
    return fetch_import(url, pld_import, folder="ccee", name=f"PLD_HORARIO_{ano}.csv")


@transaction.atomic
def weather_fetch(*, estacao: str, inicio: date, fim: date) -> dict[str, object]:
    """Fetch a station's hours between two dates from the INMET API and store them. Idempotent."""
    url = django_settings.INMET_API_URL.format(inicio=inicio.isoformat(), fim=fim.isoformat(), estacao=estacao)
    try:
        response = requests.get(url, timeout=django_settings.FORECAST_HTTP_TIMEOUT)
        response.raise_for_status()
        observations = inmet.read_api(response.json())
    except (requests.RequestException, ValueError) as exc:
        raise ForecastError(f"{url}: {exc}") from exc
    columns = ("estacao", "instante", *inmet.COLUMNS)
    rows = [(o.estacao, o.instante, *(o.valores[c] for c in inmet.COLUMNS)) for o in observations]
    written = copy_upsert(
        table=("public", "forecasting_observacaohoraria"), key=("estacao", "instante"), columns=columns, rows=rows
    )
    return {"estacao": estacao, "url": url, "linhas": len(rows), "gravadas": written}


# --- Dispatch of the forecast day ----------------------------------------------------------------


@dataclass
class PlanoDia:
    problema: dispatch.Problema
    resultado: dispatch.Resultado
    geracao_minima_ativa: list[str]  # plants whose minimum generation binds in some hour
    sanidade: dict[str, object]
    instantes: list[datetime]  # the forecast day's hours (UTC starts)
    intermitente_fonte: str  # where wind and solar came from


def dispatch_forecast_day(*, ano_pld: int | None = None) -> PlanoDia | None:
    """The 24-hour dispatch of the reference system (`cases.sized`) for the latest issued forecast of
    each subsystem; None when a subsystem has no forecast. Wind and solar are the ONS energy balance of
    the same hours a week before where it is stored, else the reference profile. Raises
    dispatch.Infeasible."""
    day = selectors.forecast_day_latest()
    if day is None:
        return None
    hours = day.instantes
    problem = cases.sized(hours=24)
    problem.carga = day.carga
    source = "perfil de referência (sem balanço ONS da semana anterior)"
    naive = selectors.intermittent_naive(hours)
    if naive is not None:
        problem.intermitente = {s: (v + v[-1:])[:24] for s, v in naive.items()}  # a 23-hour day repeats its last
        source = "balanço ONS, mesmas horas de 7 dias antes"
    result = dispatch.solve(problem, time_limit=20)
    binding = {
        name.partition("[")[2].split(",")[0] for name in result.restricoes_ativas if name.startswith("geracao_min[")
    }
    sanity = dispatch.cmo_sanity(result.cmo, ano_pld or timezone.localtime(hours[0]).year)
    return PlanoDia(problem, result, sorted(binding), sanity, hours, source)


def dispatch_problem(data: dict[str, Any], carga: dict[str, list[float]]) -> dispatch.Problema:
    """The dispatch problem of a request's validated body (plain JSON data, as a queued job carries
    it); raises dispatch.DispatchError naming what does not hold."""
    problem = dispatch.Problema(
        horas=data["horas"],
        carga=carga,
        intermitente=data.get("intermitente") or {},
        hidros=[dispatch.Hidro(**h) for h in data.get("hidros", [])],
        termicas=[
            dispatch.Termica(**{**t, "segmentos": [tuple(s) for s in t["segmentos"]]}) for t in data.get("termicas", [])
        ],
        interligacoes=[dispatch.Interligacao(**i) for i in data.get("interligacoes", [])],
        custo_deficit=data.get("custo_deficit", 7643.82),
    )
    problem.validate()
    return problem


# Above this share of the load met by deficit, the plan says the plants given cannot carry the load.
DEFICIT_WARNING_SHARE = 0.05


def dispatch_answer(
    problem: dispatch.Problema, *, ano_pld: int, time_limit: float, work_max: int
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of a solved dispatch: 200 with the plan, its CMO sanity check and warnings,
    or 422 with the limits that cannot all hold. The same for a request and for a queued job. The
    conflicting limits are named only when the elastic model (ELASTIC_FACTOR × the size) fits `work_max`."""
    diagnose = dispatch.ELASTIC_FACTOR * sum(problem.tamanho()) <= work_max
    try:
        result = dispatch.solve(problem, time_limit=time_limit, diagnose=diagnose)
    except dispatch.Infeasible as exc:
        return 422, {"detail": str(exc), "limites": [{"limite": n, "violacao": g} for n, g in exc.limits]}
    return 200, {
        **asdict(result),
        "sanidade_cmo": dispatch.cmo_sanity(result.cmo, ano_pld),
        "avisos": _dispatch_warnings(result, problem.carga),
    }


def _dispatch_warnings(result: dispatch.Resultado, carga: dict[str, list[float]]) -> list[str]:
    """What a reader of the plan must know before trusting its cost and CMO."""
    load = sum(sum(values) for values in carga.values())
    deficit = sum(sum(values) for values in result.deficit.values())
    if load <= 0 or deficit <= 0:
        return []
    share = deficit / load
    words = f"{share:.1%}".replace(".", ",")
    if share >= DEFICIT_WARNING_SHARE:
        return [
            f"o déficit atende {words} da carga: as usinas e interligações dadas não bastam, e custo e CMO "
            "refletem o custo do déficit, não a operação"
        ]
    return [f"há déficit em algumas horas ({words} da carga)"]
