"""Rolling-origin day-ahead backtest (pure): every forecast uses only data before its issue day.

The test days are cut in blocks of `refit_days`; before each block a model is trained on every day
before the block's first day, then issues the block's forecasts one day at a time (each from the
loads observed up to the day before). Refitting per block rather than per day keeps the cost in
hand; no forecast ever sees its own day or a later one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import features
from .data import SERIES, Daily
from .model import Forecaster, Settings, metrics, seasonal_naive

# A trainer gets the training design and the boolean mask of its validation rows and returns a
# function from a design to predicted ratios.
Trainer = Callable[[features.Design, NDArray[Any]], Callable[[features.Design], NDArray[Any]]]


@dataclass
class Result:
    days: NDArray[Any]  # indices into Daily.days
    actual: dict[str, NDArray[Any]]
    predicted: dict[str, dict[str, NDArray[Any]]]  # model → series → (days, 24) MW
    training_seconds: dict[str, float] = field(default_factory=dict)

    def table(self) -> dict[str, dict[str, dict[str, float]]]:
        """series → model → metrics."""
        return {
            serie: {name: metrics(self.actual[serie], by[serie]) for name, by in self.predicted.items()}
            for serie in self.actual
        }


def run(
    data: Daily,
    test_days: NDArray[Any],
    trainers: dict[str, Trainer],
    *,
    refit_days: int = 28,
    training_days: int = Settings.training_days,
    validation_days: int = Settings.validation_days,
    temperature: NDArray[Any] | None = None,
    series: tuple[str, ...] = SERIES,
    progress: Callable[[str], None] | None = None,
) -> Result:
    test_days = np.asarray(test_days, dtype=int)
    actual = {s: data.values[s][test_days] for s in series}
    predicted: dict[str, dict[str, NDArray[Any]]] = {"naive": {}}
    for s in series:
        predicted["naive"][s] = seasonal_naive(data.values[s], test_days)
    for name in trainers:
        predicted[name] = {s: np.full((len(test_days), 24), np.nan) for s in series}
    seconds = dict.fromkeys(trainers, 0.0)
    for start in range(0, len(test_days), refit_days):
        block = test_days[start : start + refit_days]
        first = max(features.HISTORY, block[0] - training_days)
        train = features.design(data, np.arange(first, block[0]), series, temperature)
        validation = train.day >= block[0] - validation_days
        target = features.design(data, block, series, temperature)
        for name, trainer in trainers.items():
            began = time.perf_counter()
            predict = trainer(train, validation)
            seconds[name] += time.perf_counter() - began
            if progress:
                progress(f"{name}: block {start // refit_days + 1}, trained in {time.perf_counter() - began:.1f} s")
            ratios = predict(target)
            for s in series:
                rows = target.serie == s
                positions = np.searchsorted(test_days, target.day[rows])
                predicted[name][s][positions] = ratios[rows] * target.level[rows, None]
    return Result(days=test_days, actual=actual, predicted=predicted, training_seconds=seconds)


def dense_trainer(settings: Settings | None = None) -> Trainer:
    def train(design: features.Design, validation: NDArray[Any]) -> Callable[[features.Design], NDArray[Any]]:
        model = Forecaster.fit(design.x, design.y, validation=validation, settings=settings or Settings())
        return lambda target: model.predict(target.x)

    return train
