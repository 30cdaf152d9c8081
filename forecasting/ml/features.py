"""Day-ahead design matrices: everything known when the forecast of day D is issued, at the end of D-1.

Per series and target day D, every load is divided by the level (mean load of D-7 .. D-1), which takes
the long-run growth out and lets one model serve the four subsystems and the SIN:
- the last observed day D-1, and the same day one and two weeks before (D-7, D-14): 3 × 24 ratios;
- the calendar of D (weekday, season, holidays, bridge days, eves) and the holiday flags of D-1, D-7
  and D-14, whose loads the lags carry;
- optionally the daily mean and maximum temperature of D and D-1 (observed values standing in for a
  weather forecast: say so wherever results are reported);
- a one-hot of the series.
Target: the 24 hourly loads of D over the same level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import calendar
from .data import SERIES, Daily

LAGS = (1, 7, 14)
HISTORY = max(LAGS)


@dataclass
class Design:
    x: NDArray[Any]  # (rows, features)
    y: NDArray[Any]  # (rows, 24), ratios to level; NaN where the target day is unknown
    level: NDArray[Any]  # (rows,)
    serie: NDArray[Any]  # (rows,) series names
    day: NDArray[Any]  # (rows,) index of the target day in Daily.days


def columns(temperature: bool) -> list[str]:
    names = [f"lag{lag}_h{h}" for lag in LAGS for h in range(24)]
    names += list(calendar.COLUMNS)
    names += [f"{flag}_d{lag}" for lag in LAGS for flag in ("feriado", "facultativo", "ponte")]
    if temperature:
        names += ["temp_media", "temp_max", "temp_media_d1", "temp_max_d1", "temp_ok"]
    names += [f"serie_{s}" for s in SERIES]
    return names


def design(
    data: Daily,
    days: NDArray[Any],
    series: tuple[str, ...] = SERIES,
    temperature: NDArray[Any] | None = None,
) -> Design:
    """Rows for target days `days` (indices into `data.days`, each ≥ HISTORY) and the given series.

    Rows whose inputs have a hole are left out; rows whose target has a hole keep a NaN target.
    """
    days = np.asarray(days, dtype=int)
    if len(days) and days.min() < HISTORY:
        raise ValueError(f"a target day needs {HISTORY} days of history before it")
    cal = calendar.features(data.days)
    flags = cal[:, 9:12]
    blocks, targets, levels, names, targets_day = [], [], [], [], []
    for serie in series:
        values = data.values[serie]
        window = np.stack([values[days - k] for k in range(1, 8)], axis=1)  # (n, 7, 24)
        level = window.reshape(len(days), -1).mean(axis=1)
        parts = [values[days - lag] / level[:, None] for lag in LAGS]
        parts.append(cal[days])
        parts += [flags[days - lag] for lag in LAGS]
        if temperature is not None:
            today, before = temperature[days], temperature[days - 1]
            ok = ~(np.isnan(today).any(axis=1) | np.isnan(before).any(axis=1))
            temps = np.nan_to_num(np.concatenate([today, before], axis=1) - 20.0) / 10.0
            temps[~ok] = 0.0
            parts += [temps, ok[:, None].astype(float)]
        onehot = np.zeros((len(days), len(SERIES)))
        onehot[:, SERIES.index(serie)] = 1.0
        parts.append(onehot)
        x = np.concatenate(parts, axis=1)
        keep = ~np.isnan(x).any(axis=1)
        blocks.append(x[keep])
        targets.append(values[days[keep]] / level[keep, None])
        levels.append(level[keep])
        names.append(np.full(keep.sum(), serie))
        targets_day.append(days[keep])
    return Design(
        x=np.concatenate(blocks).astype(np.float32),
        y=np.concatenate(targets).astype(np.float32),
        level=np.concatenate(levels),
        serie=np.concatenate(names),
        day=np.concatenate(targets_day),
    )
