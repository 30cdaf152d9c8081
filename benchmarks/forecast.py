"""Rolling day-ahead backtest of the load forecast on the last twelve months of ONS data.

    .venv/bin/python benchmarks/forecast.py --data DIR_WITH_CURVA_CARGA_FILES [--inmet DIR]

Issue time: the end of day D-1 (every load up to D-1 23:00 is known). Test days: the last 365 days
available (2023-11-25 .. 2024-11-24 on the full ONS history). Models are refitted every 28 days on
all days before the block they forecast. Prints one line per series (SIN first): MAPE % of the weekly
seasonal-naive baseline, of a LightGBM baseline (same inputs: lags, calendar, holidays) and of the
product model (Keras), then the training times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.ml import backtest, calendar, data, features
from forecasting.ml.model import Settings
from forecasting.readers import inmet, ons


def load(folder: Path) -> data.Daily:
    rows = []
    for path in sorted(folder.glob("CURVA_CARGA_*.csv")):
        rows += [(r.subsistema, r.instante, r.carga_mw) for r in ons.read(path.read_text(encoding="utf-8-sig"))]
    if not rows:
        raise SystemExit(f"{folder}: no CURVA_CARGA_*.csv files")
    return data.daily(data.hourly_frame(rows))


def load_temperature(folder: Path, days: object) -> np.ndarray:
    values = {}
    for path in sorted(folder.glob("*.CSV")) + sorted(folder.glob("*.csv")):
        _, observations = inmet.read(path.read_bytes())
        values.update({o.instante: o.valores["temperatura_c"] for o in observations})
    series = pd.Series(values, dtype=float).sort_index()
    series.index = pd.to_datetime(series.index, utc=True)
    return data.daily_temperature(series, days)  # type: ignore[arg-type]


def lightgbm_trainer(design: features.Design, validation: np.ndarray):  # type: ignore[no-untyped-def]
    import lightgbm as lgb

    def hourly(d: features.Design) -> np.ndarray:
        lags = d.x[:, : 24 * len(features.LAGS)].reshape(len(d.x), len(features.LAGS), 24)
        rest = d.x[:, 24 * len(features.LAGS) :]
        day_means = lags.mean(axis=2)
        blocks = []
        for h in range(24):
            blocks.append(np.column_stack([np.full(len(d.x), h), lags[:, :, h], day_means, rest]))
        return np.concatenate(blocks)

    keep = ~np.isnan(design.y).any(axis=1)
    x, y = hourly(design)[np.tile(keep, 24)], design.y.T.ravel()[np.tile(keep, 24)]
    fit = ~np.tile(validation, 24)[np.tile(keep, 24)]
    params = {
        "objective": "l1",
        "learning_rate": 0.1,
        "num_leaves": 63,
        "min_data_in_leaf": 20,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "feature_fraction": 0.8,
        "verbose": -1,
        "num_threads": 2,
    }
    model = lgb.train(
        params,
        lgb.Dataset(x[fit], y[fit]),
        num_boost_round=1000,
        valid_sets=[lgb.Dataset(x[~fit], y[~fit])],
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )

    def predict(target: features.Design) -> np.ndarray:
        return model.predict(hourly(target)).reshape(24, len(target.x)).T

    return predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of ONS CURVA_CARGA_YYYY.csv files")
    parser.add_argument("--inmet", type=Path, help="folder of INMET A701 files (observed temperature)")
    parser.add_argument("--days", type=int, help="test days (default: the last twelve months)")
    parser.add_argument("--refit-days", type=int, default=28)
    parser.add_argument("--start", help="first test day (YYYY-MM-DD); default: the last --days days")
    parser.add_argument("--skip-lightgbm", action="store_true")
    parser.add_argument("--seeds", type=int, default=len(Settings().seeds))
    parser.add_argument("--batch", type=int, default=Settings().batch)
    parser.add_argument("--training-days", type=int, default=Settings().training_days)
    args = parser.parse_args()

    began = time.perf_counter()
    daily = load(args.data)
    last = daily.days[-1]
    start = pd.Timestamp(args.start) if args.start else last - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    first = daily.index_of(start.date())
    test_days = np.arange(first, min(first + args.days, len(daily.days)) if args.days else len(daily.days))
    temperature = load_temperature(args.inmet, daily.days) if args.inmet else None
    print(
        f"data: {daily.days[0]:%Y-%m-%d} .. {daily.days[-1]:%Y-%m-%d}, {len(daily.days)} days, "
        f"hours filled for the models: {daily.filled}, loaded in {time.perf_counter() - began:.1f} s"
    )
    print(
        f"test: {daily.days[test_days[0]]:%Y-%m-%d} .. {daily.days[test_days[-1]]:%Y-%m-%d}, "
        f"issued at the end of D-1, refit every {args.refit_days} days"
    )
    if temperature is None:
        print("temperature: not used")
    else:
        known = ~np.isnan(temperature[test_days]).any(axis=1)
        print(
            f"temperature: OBSERVED INMET A701 values stand in for a forecast ({known.sum()} of "
            f"{len(test_days)} test days have them)"
        )

    trainers: dict[str, backtest.Trainer] = {}
    if not args.skip_lightgbm:
        trainers["lightgbm"] = lightgbm_trainer
    trainers["modelo"] = backtest.dense_trainer(Settings(seeds=tuple(range(args.seeds)), batch=args.batch))
    result = backtest.run(
        daily,
        test_days,
        trainers,
        refit_days=args.refit_days,
        temperature=temperature,
        training_days=args.training_days,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    table = result.table()
    special = calendar.special(daily.days[test_days])
    names = ["naive", *trainers]
    print(
        f"\n{'serie':6}"
        + "".join(f"{n + ' MAPE %':>16}" for n in names)
        + f"{'modelo RMSE MW':>16}{'modelo MAE MW':>15}"
    )
    for serie in data.SERIES:
        row = table[serie]
        print(
            f"{serie:6}"
            + "".join(f"{row[n]['mape']:16.2f}" for n in names)
            + f"{row['modelo']['rmse']:16.0f}{row['modelo']['mae']:15.0f}"
        )
    print(f"\nholidays and bridge days in the test: {special.sum()}")
    for name, seconds in result.training_seconds.items():
        refits = -(-len(test_days) // args.refit_days)  # ceil
        print(f"training {name}: {seconds:.1f} s over {refits} refits ({seconds / refits:.1f} s each)")
    sin = table["SIN"]
    if "lightgbm" in trainers:
        beats = all(table[s]["modelo"]["mape"] < table[s]["lightgbm"]["mape"] for s in data.SERIES)
        print(f"modelo beats lightgbm on every series: {beats}")
    print(f"SIN MAPE modelo: {sin['modelo']['mape']:.2f} % (target <= 2.0)")


if __name__ == "__main__":
    main()
