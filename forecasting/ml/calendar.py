"""Calendar features known long before the issue of a forecast: weekday, season, Brazilian holidays.

National public holidays and the optional ones (Carnival, Ash Wednesday, Corpus Christi, ...) come from
the `holidays` package; without the optional category Carnival and Corpus Christi would be missing.
A bridge day is a Monday before a Tuesday holiday or a Friday after a Thursday holiday (the Friday
after Corpus Christi, an optional holiday, is the commonest).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

COLUMNS = (
    *(f"dow_{d}" for d in range(7)),
    "doy_sin",
    "doy_cos",
    "feriado",
    "facultativo",
    "ponte",
    "vespera",
    "pos_feriado",
    "fim_de_ano",
)


@cache
def _holidays(first: int, last: int) -> tuple[frozenset[date], frozenset[date]]:
    import holidays

    years = range(first, last + 1)
    public = holidays.country_holidays("BR", years=years, categories=("public",))
    optional = holidays.country_holidays("BR", years=years, categories=("optional",))
    return frozenset(public), frozenset(optional) - frozenset(public)


def features(days: pd.DatetimeIndex) -> NDArray[Any]:
    """(days, len(COLUMNS)) calendar features of the given local dates."""
    public, optional = _holidays(days.min().year - 1, days.max().year + 1)
    off = public | optional
    rows = np.zeros((len(days), len(COLUMNS)), dtype=np.float32)
    for i, stamp in enumerate(days):
        day = stamp.date()
        weekday = day.weekday()
        rows[i, weekday] = 1.0
        angle = 2 * np.pi * (stamp.dayofyear - 1) / 365.25
        rows[i, 7], rows[i, 8] = np.sin(angle), np.cos(angle)
        rows[i, 9] = day in public
        rows[i, 10] = day in optional
        rows[i, 11] = (weekday == 0 and day + timedelta(days=1) in off) or (
            weekday == 4 and day - timedelta(days=1) in off
        )
        tomorrow, yesterday = day + timedelta(days=1), day - timedelta(days=1)
        rows[i, 12] = weekday < 5 and (tomorrow in public or tomorrow in optional)
        rows[i, 13] = weekday in (0, 1, 2, 3, 4) and (yesterday in public or yesterday in optional)
        rows[i, 14] = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 2)
    return rows


def special(days: pd.DatetimeIndex) -> NDArray[Any]:
    """True on holidays, optional holidays and bridge days: the days a weekly lag misleads most."""
    cal = features(days)
    return np.asarray(cal[:, 9:12].any(axis=1))
