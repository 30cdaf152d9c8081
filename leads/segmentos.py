"""Automatic market segments: k-means over the units' load profile, size, kind and place (pure: no Django).

Features, standardised: log energy a year, load factor, peak share, log demand, Grupo A, business (PJ
classes), rural class or area, public power. The number of segments is the k in `KS` with the best
silhouette on a sample of the units (a stated, repeatable criterion: fixed seed); the final model is a
mini-batch k-means over every unit. Each segment gets a label built from its members ("comércio
urbano, médio consumo, baixo fator de carga") and its aggregate figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .scoring import por_codigo

KS = range(4, 11)
# The score columns whose means describe a segment.
COLUNAS_SCORE = ("score_acl", "score_arbitragem", "score_backup", "score_gtd", "fator_carga", "ponta", "demanda_kw")
SAMPLE = 20_000
SILHOUETTE_SAMPLE = 5_000
FIT_SAMPLE = 200_000
SEED = 20261201
TIPOS = {"RE": "residencial", "CO": "comércio", "IN": "indústria", "RU": "rural", "PP": "poder público",
         "SP": "serviço público", "IP": "iluminação pública", "CP": "consumo próprio",
         "CS": "consumo próprio"}  # fmt: skip


@dataclass(frozen=True)
class Resultado:
    rotulos: NDArray[Any]  # a segment number per unit (-1: not segmented, no consumption)
    segmentos: pd.DataFrame  # one row per segment: numero, rotulo and its figures
    k: int
    silhuetas: dict[int, float]  # the criterion, per k tried


def _features(units: pd.DataFrame) -> pd.DataFrame:
    classe = pd.Series(por_codigo(units["classe"], lambda c: c[:2], ""), index=units.index)
    area_rural = por_codigo(units["area"], lambda c: c == "NU", False)
    return pd.DataFrame(
        {
            "log_energia": np.log10(units["energia"].fillna(0.0).clip(lower=1.0)),
            "fator_carga": units["fator_carga"].fillna(0.0),
            "ponta": units["ponta"].fillna(0.0),
            "log_demanda": np.log10(units["demanda_kw"].fillna(0.0).clip(lower=0.1)),
            "grupo_a": units["grupo_tensao"].isin(["MT", "AT"]).astype(float),
            "negocio": classe.isin(["CO", "IN"]).astype(float),
            "rural": (classe.eq("RU") | area_rural).astype(float),
            "publico": classe.isin(["PP", "SP", "IP"]).astype(float),
        },
        index=units.index,
    )


def segmentar(units: pd.DataFrame) -> Resultado:
    """Segments of `units` (columns energia, fator_carga, ponta, demanda_kw, grupo_tensao, classe, area and
    the scores score_*); units without consumption get -1."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.metrics import silhouette_score

    valid = units["energia"].fillna(0) > 0
    labels = np.full(len(units), -1, dtype=int)
    if valid.sum() < 2 * max(KS):
        return Resultado(labels, pd.DataFrame(columns=["numero", "rotulo"]), 0, {})
    # Standardised in place, in single precision, on the valid rows only (no copy of the frame).
    scaled = _features(units).to_numpy(dtype=np.float32)[valid.to_numpy()]
    scaled -= scaled.mean(axis=0)
    spread = scaled.std(axis=0)
    scaled /= np.where(spread > 0, spread, 1)
    rng = np.random.default_rng(SEED)
    sample = scaled[rng.choice(len(scaled), size=min(SAMPLE, len(scaled)), replace=False)]
    silhuetas = {}
    for k in KS:
        fitted = KMeans(n_clusters=k, n_init=1, random_state=SEED).fit(sample)
        silhuetas[k] = float(
            silhouette_score(sample, fitted.labels_, sample_size=min(SILHOUETTE_SAMPLE, len(sample)), random_state=SEED)
        )
    k = max(silhuetas, key=lambda key: silhuetas[key])
    # The final centres from a larger sample; every unit then goes to its nearest one.
    fit_rows = scaled[rng.choice(len(scaled), size=min(FIT_SAMPLE, len(scaled)), replace=False)]
    model = MiniBatchKMeans(n_clusters=k, batch_size=8192, n_init=3, random_state=SEED).fit(fit_rows)
    labels[valid.to_numpy()] = model.predict(scaled)
    del scaled, fit_rows, sample
    # Grouped by the labels in place: no copy of the members' frame (a segment's rows at a time).
    grouped = units.groupby(pd.Series(labels, index=units.index))
    rows = [_segmento(int(numero), group) for numero, group in grouped if numero >= 0]
    _distinguish(rows)
    return Resultado(labels, pd.DataFrame(rows), k, silhuetas)


def _distinguish(rows: list[dict[str, Any]]) -> None:
    """Segments that read alike get their median energy and load factor in the label."""
    from youon import formatos

    counts: dict[str, int] = {}
    for row in rows:
        counts[row["rotulo"]] = counts.get(row["rotulo"], 0) + 1
    for row in rows:
        if counts[row["rotulo"]] > 1:
            row["rotulo"] += (
                f" ({formatos.energia(row['energia_mediana_kwh'])}/ano, fator de carga "
                f"{formatos.numero(row['fator_carga_mediano'], 2)})"
            )


def _segmento(numero: int, group: pd.DataFrame) -> dict[str, Any]:
    prefix = pd.Series(por_codigo(group["classe"], lambda c: c[:2], ""), index=group.index)
    classe = prefix.map(TIPOS).fillna("outros")
    tipo = classe.mode().iat[0]
    rural = (prefix.eq("RU") | por_codigo(group["area"], lambda c: c == "NU", False)).mean() > 0.5
    energia = float(group["energia"].median())
    porte = "pequeno consumo" if energia < 3_000 else "médio consumo" if energia < 100_000 else "grande consumo"
    lf = float(group["fator_carga"].median())
    fator = "baixo fator de carga" if lf < 0.3 else "médio fator de carga" if lf < 0.6 else "alto fator de carga"
    local = "" if tipo in ("rural", "iluminação pública") else (" rural" if rural else " urbano")
    ponta = float(group["ponta"].median())
    label = f"{tipo}{local}, {porte}, {fator}" + (", ponta alta" if ponta > 0.12 else "")
    row: dict[str, Any] = {
        "numero": int(numero), "rotulo": label, "n_ucs": len(group), "energia_total_kwh": float(group["energia"].sum()),
        "energia_mediana_kwh": energia, "fator_carga_mediano": lf, "ponta_mediana": ponta,
        "participacao_tipo": float((classe == tipo).mean()),
    }  # fmt: skip
    for column in ("score_acl", "score_arbitragem", "score_backup", "score_gtd"):
        row[f"{column}_medio"] = float(group[column].mean()) if group[column].notna().any() else None
    return row
