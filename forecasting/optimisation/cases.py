"""Dispatch cases of realistic size and shape, drawn from a seed (demo, benchmark, tests).

Loads follow the SIN's daily and weekly shape at 2024 levels (SE/CO ≈ 45 GW, S ≈ 13, NE ≈ 12,
N ≈ 7.5 GW on average); hydro plants sit in cascades of three, with productivities, reservoirs and
inflows of the order of Brazil's large plants; thermal units have three cost segments between
R$ 150 and R$ 1,400/MWh; interchange limits are of the order of the SIN's.
"""

from __future__ import annotations

import math
import random

from .dispatch import Hidro, Interligacao, Problema, Termica

MEAN_LOAD = {"SE": 45_000.0, "S": 13_000.0, "NE": 12_000.0, "N": 7_500.0}
WIND_SOLAR = {"SE": 3_000.0, "S": 1_000.0, "NE": 9_000.0, "N": 500.0}


def load_shape(hour: int) -> float:
    """Relative load of an hour of the week (Monday 00:00 = 0): daily peak mid-afternoon, low weekends."""
    daily = (
        1.0 + 0.12 * math.sin(2 * math.pi * ((hour % 24) - 9) / 24) - 0.06 * math.cos(2 * math.pi * (hour % 24) / 12)
    )
    weekday = (hour // 24) % 7
    return daily * (0.88 if weekday == 6 else 0.94 if weekday == 5 else 1.0)


def sized(hours: int = 168, plants: int = 100, seed: int = 7) -> Problema:
    rng = random.Random(seed)
    carga = {s: [mean * load_shape(t) for t in range(hours)] for s, mean in MEAN_LOAD.items()}
    intermitente = {
        s: [
            cap * (0.55 + 0.35 * math.sin(2 * math.pi * (t % 24 - 6) / 24)) * rng.uniform(0.85, 1.15)
            for t in range(hours)
        ]
        for s, cap in WIND_SOLAR.items()
    }
    n_hydro = plants * 2 // 5
    share = {"SE": 0.5, "S": 0.2, "NE": 0.15, "N": 0.15}
    subsystems = [s for s, f in share.items() for _ in range(round(f * n_hydro))][:n_hydro]
    hidros = []
    for i, sub in enumerate(subsystems):
        productivity = rng.uniform(0.3, 1.2)
        q_max = rng.uniform(800, 3_000)
        volume_max = rng.uniform(2_000, 20_000)
        volume = volume_max * rng.uniform(0.4, 0.8)
        inflow = q_max * rng.uniform(0.35, 0.7)
        downstream = f"UHE{i + 1:03d}" if i % 3 != 2 and i + 1 < n_hydro and subsystems[i + 1] == sub else None
        hidros.append(
            Hidro(
                nome=f"UHE{i:03d}",
                subsistema=sub,
                produtibilidade=productivity,
                volume_inicial=volume,
                volume_min=0.1 * volume_max,
                volume_max=volume_max,
                afluencia=[inflow * rng.uniform(0.95, 1.05) for _ in range(hours)],
                turbinamento_max=q_max,
                geracao_min=0.15 * productivity * q_max,
                defluencia_min=0.2 * q_max,
                rampa=0.3 * productivity * q_max,
                volume_meta=volume - 0.001 * volume_max,
                jusante=downstream,
            )
        )
    termicas = []
    for i in range(plants - n_hydro):
        sub = rng.choice(["SE", "SE", "SE", "S", "NE", "N"])
        size = rng.uniform(150, 1_200)
        base = rng.uniform(150, 900)
        termicas.append(
            Termica(
                nome=f"UTE{i:03d}",
                subsistema=sub,
                segmentos=[(size * 0.5, base), (size * 0.3, base * 1.15), (size * 0.2, base * 1.4)],
                geracao_min=size * rng.choice([0.0, 0.0, 0.3]),
                rampa=size * 0.25,
            )
        )
    interligacoes = [
        Interligacao("SE", "S", 7_500, 9_000),
        Interligacao("NE", "SE", 10_000, 6_000),
        Interligacao("N", "SE", 8_000, 4_000),
        Interligacao("N", "NE", 5_000, 4_500),
    ]
    return Problema(horas=hours, carga=carga, intermitente=intermitente, hidros=hidros, termicas=termicas,
                    interligacoes=interligacoes)  # fmt: skip
