"""forecasting/ml: day shaping, calendar, features known at issue time, the Keras model, the backtest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.ml import backtest, calendar, data, features
from forecasting.ml.model import Forecaster, Settings, metrics, seasonal_naive
from forecasting.readers import ons

SHIPPED = Path(__file__).resolve().parents[2] / "forecasting" / "data" / "ons"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _daily(*years: int) -> data.Daily:
    import gzip

    rows = []
    for year in years:
        text = gzip.decompress((SHIPPED / f"CURVA_CARGA_{year}.csv.gz").read_bytes()).decode("utf-8-sig")
        rows += [(r.subsistema, r.instante, r.carga_mw) for r in ons.read(text)]
    return data.daily(data.hourly_frame(rows))


@pytest.fixture(scope="module")
def daily_2023_2024() -> data.Daily:
    return _daily(2023, 2024)


def test_days_have_24_local_hours_and_the_sin_is_the_sum(daily_2023_2024: data.Daily) -> None:
    d = daily_2023_2024
    assert d.days[0] == pd.Timestamp("2023-01-01") and d.days[-1] == pd.Timestamp("2024-11-24")
    assert all(v.shape == (len(d.days), 24) for v in d.values.values())
    i = d.index_of(date(2024, 1, 1))
    # ONS's first row of 2024 is SE 2024-01-01 00:00 local: 34,981.614 MW
    assert d.values["SE"][i, 0] == pytest.approx(34981.614, abs=0.01)
    assert np.allclose(d.values["SIN"], sum(d.values[s] for s in data.SUBSISTEMAS))
    assert d.filled == dict.fromkeys(data.SERIES, 0)


def test_spring_forward_hour_is_filled_only_in_the_model_frame() -> None:
    text = (FIXTURES / "ons" / "CURVA_CARGA_2018_dst_slice.csv").read_text(encoding="utf-8-sig")
    rows = [(r.subsistema, r.instante, r.carga_mw) for r in ons.read(text)]
    d = data.daily(data.hourly_frame(rows))
    day = d.index_of(date(2018, 11, 4))  # clocks jumped from 00:00 to 01:00
    assert not np.isnan(d.values["SE"][day, 0])
    before, after = d.values["SE"][day - 1, 23], d.values["SE"][day, 1]
    assert d.values["SE"][day, 0] == pytest.approx((before + after) / 2)  # interpolated between its neighbours
    assert d.filled["SE"] >= 1


def test_calendar_knows_carnival_bridges_and_the_2024_holiday() -> None:
    days = pd.DatetimeIndex(["2024-02-13", "2024-11-20", "2023-11-20", "2024-11-15", "2024-05-31", "2024-03-06"])
    cal = dict(zip(calendar.COLUMNS, calendar.features(days).T, strict=True))
    assert cal["facultativo"][0] == 1  # Carnival Tuesday (optional category)
    assert cal["feriado"][1] == 1 and cal["feriado"][2] == 0  # national only from 2024
    assert cal["feriado"][3] == 1  # Proclamação da República
    assert cal["ponte"][4] == 1  # Friday after Corpus Christi (Thursday 30 May 2024, optional)
    assert cal["ponte"][5] == 0 and cal["feriado"][5] == 0 and cal["dow_2"][5] == 1  # an ordinary Wednesday
    assert calendar.special(days).sum() >= 4


def test_features_use_nothing_from_the_target_day_or_later(daily_2023_2024: data.Daily) -> None:
    d = daily_2023_2024
    day = d.index_of(date(2024, 6, 12))
    before = features.design(d, np.array([day]))
    tampered = data.Daily(days=d.days, values={k: v.copy() for k, v in d.values.items()}, filled=d.filled)
    for v in tampered.values.values():
        v[day:] *= 3.0
    after = features.design(tampered, np.array([day]))
    assert np.array_equal(before.x, after.x)
    assert not np.array_equal(before.y, after.y)
    assert before.x.shape == (len(data.SERIES), len(features.columns(temperature=False)))


def test_tiny_keras_model_trains_saves_and_loads(daily_2023_2024: data.Daily, tmp_path: Path) -> None:
    d = daily_2023_2024
    design = features.design(d, np.arange(features.HISTORY, len(d.days)))
    validation = design.day >= len(d.days) - 30
    settings = Settings(hidden=(16,), epochs=3, seeds=(0,), batch=256)
    model = Forecaster.fit(design.x, design.y, validation=validation, settings=settings)
    predicted = model.predict(design.x[:5])
    assert predicted.shape == (5, 24) and np.isfinite(predicted).all()
    folder = model.save(tmp_path / "v1", {"janela": ["2023-01-15", "2024-10-25"]})
    loaded = Forecaster.load(folder)
    assert np.allclose(loaded.predict(design.x[:5]), predicted, atol=1e-5)
    assert loaded.metadata["versions"]["tensorflow"] and loaded.metadata["janela"][0] == "2023-01-15"
    assert {p.name for p in folder.iterdir()} == {"0.model.keras", "scalers.npz", "metadata.json"}


def test_backtest_scores_the_seasonal_naive_exactly(daily_2023_2024: data.Daily) -> None:
    d = daily_2023_2024
    test_days = np.arange(len(d.days) - 14, len(d.days))

    def last_week(design: features.Design, validation: np.ndarray):  # type: ignore[no-untyped-def]
        return lambda target: target.x[:, 24:48]  # the D-7 lag, already over the level

    result = backtest.run(d, test_days, {"lag7": last_week}, refit_days=7)
    table = result.table()
    for serie in data.SERIES:
        naive = metrics(d.values[serie][test_days], seasonal_naive(d.values[serie], test_days))
        assert table[serie]["naive"]["mape"] == pytest.approx(naive["mape"])
        assert table[serie]["lag7"]["mape"] == pytest.approx(naive["mape"], rel=1e-5)


def test_metrics_ignore_unknown_hours() -> None:
    actual = np.array([[100.0, np.nan, 200.0]])
    predicted = np.array([[110.0, 5.0, 180.0]])
    m = metrics(actual, predicted)
    assert m["mape"] == pytest.approx(10.0) and m["mae"] == pytest.approx(15.0) and m["horas"] == 2
