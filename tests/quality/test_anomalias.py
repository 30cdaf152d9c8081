"""The anomaly detector (pure) on constructed series: it finds what was planted and stays quiet elsewhere."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quality.rules import anomalias

# A southern-Brazil residential shape: more in summer (air conditioning) and in winter (heating).
FORMA = np.array([1.25, 1.2, 1.1, 0.95, 0.9, 1.0, 1.1, 1.05, 0.9, 0.85, 0.9, 1.1])


def populacao(n: int, seed: int = 7) -> anomalias.Unidades:
    """n low-voltage units of a few classes in two municipalities: lognormal levels, the shape above
    and 12 % month-to-month noise."""
    rng = np.random.default_rng(seed)
    classe = rng.choice(["RE1", "RE1", "RE1", "CO1"], size=n).astype(object)
    nivel = np.exp(rng.normal(np.log(180), 0.45, size=n)) * np.where(classe == "CO1", 1.6, 1.0)
    energia = nivel[:, None] * FORMA[None, :] * rng.normal(1.0, 0.12, size=(n, 12)).clip(0.5, 1.5)
    return anomalias.Unidades(
        uc_id=np.arange(1, n + 1, dtype=np.int64),
        classe=classe,
        municipio=rng.choice(["4320909", "4309803"], size=n).astype(object),
        grupo_tensao=np.full(n, "BT", dtype=object),
        energia=energia,
        demanda=np.full((n, 12), np.nan),
    )


def plantar(unidades: anomalias.Unidades) -> dict[str, set[int]]:
    """Plant anomalies in known units; returns their ids per type."""
    e, ids = unidades.energia, unidades.uc_id
    planted: dict[str, set[int]] = {}
    for i in range(0, 40):  # a month at five times the unit's level
        e[i, 4 + i % 6] = e[i].mean() * 5
    planted["mes_atipico"] = set(ids[0:40])
    for i in range(40, 80):  # falls to a twentieth from July (or later) and stays there
        start = 6 + i % 3
        e[i, start:] = e[i, :start].mean() * 0.05
    planted["queda_abrupta"] = set(ids[40:80])
    for i in range(80, 95):  # sixty times the typical level, every month
        e[i] *= 60
    planted["acima_do_tipico"] = set(ids[80:95])
    for i in range(95, 100):  # low voltage above 657 MWh a year
        e[i] = 60_000.0
    planted["bt_implausivel"] = set(ids[95:100])
    # Medium-voltage units that publish demand: four months of energy with zero demand, and the reverse.
    for i in range(100, 110):
        unidades.grupo_tensao[i] = "MT"
        unidades.demanda[i] = 50.0
    for i in range(100, 105):
        unidades.demanda[i, 2:6] = 0.0
    for i in range(105, 110):
        e[i, 8:10] = 0.0
    planted["energia_sem_demanda"] = set(ids[100:105])
    planted["demanda_sem_energia"] = set(ids[105:110])
    return planted


def test_planted_anomalies_are_found_with_their_type_and_month() -> None:
    unidades = populacao(3000)
    planted = plantar(unidades)
    found = anomalias.detectar(unidades)
    by_type = {tipo: set(group["uc_id"]) for tipo, group in found.groupby("tipo")}
    for tipo, ids in planted.items():
        assert ids <= by_type.get(tipo, set()), (tipo, sorted(ids - by_type.get(tipo, set()))[:5])
    spikes = found[(found["tipo"] == "mes_atipico") & found["uc_id"].isin(planted["mes_atipico"])]
    assert all(row.mes == 5 + (row.uc_id - 1) % 6 for row in spikes.itertuples())  # the planted month
    drops = found[found["tipo"] == "queda_abrupta"].set_index("uc_id")
    assert all(drops.loc[i, "mes"] == 7 + (i - 1) % 3 for i in planted["queda_abrupta"])
    assert (drops.loc[list(planted["queda_abrupta"]), "severidade"] >= 2).all()  # to 5 %: medium or high
    assert found.loc[found["tipo"] == "bt_implausivel", "severidade"].eq(3).all()
    assert "657 MWh" in found.loc[found["tipo"] == "bt_implausivel", "explicacao"].iloc[0]
    first = found[(found["tipo"] == "queda_abrupta") & (found["uc_id"] == 41)].iloc[0]
    assert first["explicacao"].startswith("A partir de ago o consumo caiu de ")  # i = 40: from index 7
    assert set(found.columns) == set(anomalias.COLUNAS)


def test_false_alarm_rate_on_unplanted_constructed_units_is_below_half_a_percent() -> None:
    unidades = populacao(3000, seed=11)
    planted = plantar(unidades)
    flagged = set(anomalias.detectar(unidades)["uc_id"])
    clean = set(unidades.uc_id) - set().union(*planted.values())
    rate = len(flagged & clean) / len(clean)
    assert rate <= 0.005, rate  # observed: 0.0 with these seeds (see docs/quality.md)


def test_units_without_months_or_consumption_are_not_judged() -> None:
    unidades = populacao(200)
    unidades.energia[:20] = np.nan  # no month published
    unidades.energia[20:40] = 0.0  # published, all zero
    found = anomalias.detectar(unidades)
    assert not set(found["uc_id"]) & set(range(1, 41))
    empty = anomalias.detectar(anomalias.Unidades(*(np.array([]) for _ in range(4)), np.zeros((0, 12)),
                                                  np.zeros((0, 12))))  # fmt: skip
    assert list(empty.columns) == list(anomalias.COLUNAS) and len(empty) == 0
    assert isinstance(found, pd.DataFrame)
