"""Hourly load series shaped as days × 24 local hours, the unit of a day-ahead forecast (pure, no Django).

Stored load is hourly in UTC and never filled. A model needs a complete local-clock grid, so here,
and only here, gaps are filled:
- the spring-forward hour (absent on the local clock) and isolated missing hours are interpolated
  along time, at most `MAX_FILL` consecutive hours;
- the fall-back hour that happens twice is averaged.
Days that still have a hole are kept as NaN rows: they are neither trained on nor scored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

LOCAL = "America/Sao_Paulo"
SUBSISTEMAS = ("N", "NE", "S", "SE")
SERIES = ("SIN", *SUBSISTEMAS)
MAX_FILL = 3


@dataclass
class Daily:
    """`values[serie]` is a (days, 24) array of MW on local hours; `days` the local dates; `filled` counts
    the hours interpolated per series (reported, never stored)."""

    days: pd.DatetimeIndex
    values: dict[str, NDArray[Any]]
    filled: dict[str, int]

    def index_of(self, day: date) -> int:
        return int(self.days.get_loc(pd.Timestamp(day)))


def hourly_frame(rows: Iterable[tuple[str, datetime, float]]) -> pd.DataFrame:
    """(subsystem, UTC instant, MW) rows → a UTC-indexed frame with one column per subsystem."""
    frame = pd.DataFrame(list(rows), columns=["subsistema", "instante", "carga_mw"])
    if frame.empty:
        return pd.DataFrame(columns=list(SUBSISTEMAS), index=pd.DatetimeIndex([], tz="UTC"))
    frame["instante"] = pd.to_datetime(frame["instante"], utc=True)
    wide = frame.pivot_table(index="instante", columns="subsistema", values="carga_mw", aggfunc="mean")
    return wide.reindex(columns=list(SUBSISTEMAS))


def daily(hourly: pd.DataFrame) -> Daily:
    """Days × 24 local hours for every subsystem and for the SIN (the sum of the four, where all are known)."""
    if hourly.empty:
        raise ValueError("no hourly load to shape into days")
    utc = hourly.sort_index()
    full = pd.date_range(utc.index[0], utc.index[-1], freq="h", tz="UTC")
    utc = utc.reindex(full)
    local = utc.tz_convert(LOCAL)
    day = local.index.tz_localize(None).normalize()
    hour = local.index.hour
    days = pd.date_range(day.min(), day.max(), freq="D")
    values: dict[str, NDArray[Any]] = {}
    filled: dict[str, int] = {}
    for serie in SUBSISTEMAS:
        grid = pd.Series(local[serie].to_numpy(), index=pd.MultiIndex.from_arrays([day, hour]))
        grid = grid.groupby(level=[0, 1]).mean()  # the repeated fall-back hour
        matrix = grid.unstack().reindex(index=days, columns=range(24))
        flat = pd.Series(matrix.to_numpy().ravel())
        interpolated = flat.interpolate(limit=MAX_FILL, limit_area="inside")
        filled[serie] = int(interpolated.notna().sum() - flat.notna().sum())
        values[serie] = interpolated.to_numpy().reshape(len(days), 24)
    values["SIN"] = np.sum([values[s] for s in SUBSISTEMAS], axis=0)
    filled["SIN"] = sum(filled[s] for s in SUBSISTEMAS)
    return Daily(days=days, values={s: values[s] for s in SERIES}, filled=filled)


def daily_temperature(hourly: pd.Series, days: pd.DatetimeIndex) -> NDArray[Any]:
    """(days, 2) daily mean and maximum air temperature on local days from a UTC-indexed hourly series."""
    local = hourly.tz_convert(LOCAL)
    by_day = local.groupby(local.index.tz_localize(None).normalize())
    table = pd.DataFrame({"mean": by_day.mean(), "max": by_day.max(), "n": by_day.count()})
    table.loc[table["n"] < 18, ["mean", "max"]] = np.nan  # too few hours to stand for the day
    return table[["mean", "max"]].reindex(days).to_numpy()
