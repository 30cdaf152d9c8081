"""The day-ahead load models: the weekly seasonal-naive baseline and the product model in Keras.

The product model is a dense network over the design of `features` (lags, calendar, holidays,
series), with a linear skip path, trained on a MAPE loss with early stopping on the most recent
days of its training window. A saved model is a folder: `model.keras`, `scalers.npz` (input mean and
standard deviation) and `metadata.json` (features, training window, data hash, metrics, versions).

TensorFlow is imported inside the functions that need it: nothing a web process imports pulls it in.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ARTEFACT = "model.keras"
SCALERS = "scalers.npz"
METADATA = "metadata.json"


def seasonal_naive(values: NDArray[Any], days: NDArray[Any], period: int = 7) -> NDArray[Any]:
    """The same hours `period` days before each target day: (len(days), 24) MW."""
    return values[np.asarray(days) - period]


@dataclass
class Settings:
    hidden: tuple[int, ...] = (256, 128)
    dropout: float = 0.1
    learning_rate: float = 2e-3
    batch: int = 512
    epochs: int = 150
    patience: int = 12
    validation_days: int = 182
    seeds: tuple[int, ...] = (0,)
    training_days: int = 12 * 365  # the most recent years weigh most; older ones add little


@dataclass
class Forecaster:
    """A trained ensemble of dense networks with their input scaler."""

    settings: Settings
    mean: NDArray[Any]
    std: NDArray[Any]
    networks: list[Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        x: NDArray[Any],
        y: NDArray[Any],
        *,
        validation: NDArray[Any],
        settings: Settings | None = None,
        verbose: int = 0,
        progress: Callable[[str], None] | None = None,
    ) -> Forecaster:
        """Train on rows `~validation`, stop early on rows `validation` (the most recent ones).

        `progress`, when given, hears a line every PROGRESS_EVERY epochs of each network and at its end."""
        import tensorflow as tf

        settings = settings or Settings()
        keep = ~np.isnan(y).any(axis=1)
        x, y, validation = x[keep], y[keep], np.asarray(validation)[keep]
        if validation.all() or not validation.any():
            raise ValueError("training needs both fitting and validation rows")
        mean = x[~validation].mean(axis=0)
        std = x[~validation].std(axis=0)
        std[std < 1e-6] = 1.0
        scaled = (x - mean) / std
        networks = []
        for number, seed in enumerate(settings.seeds, start=1):
            tf.keras.utils.set_random_seed(seed)
            network = _network(x.shape[1], y.shape[1], settings)
            stop = tf.keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=settings.patience, restore_best_weights=True
            )
            network.fit(
                scaled[~validation],
                y[~validation],
                validation_data=(scaled[validation], y[validation]),
                epochs=settings.epochs,
                batch_size=settings.batch,
                callbacks=[stop, *_progress(progress, number, len(settings.seeds), settings.epochs)],
                verbose=verbose,
            )
            networks.append(network)
        return cls(settings=settings, mean=mean, std=std, networks=networks)

    def predict(self, x: NDArray[Any]) -> NDArray[Any]:
        scaled = ((x - self.mean) / self.std).astype(np.float32)
        return np.mean([n(scaled, training=False).numpy() for n in self.networks], axis=0)

    def save(self, folder: Path, metadata: dict[str, Any]) -> Path:
        import tensorflow as tf

        folder.mkdir(parents=True, exist_ok=True)
        for i, network in enumerate(self.networks):
            network.save(folder / f"{i}.{ARTEFACT}")
        np.savez(folder / SCALERS, mean=self.mean, std=self.std)
        self.metadata = {
            **metadata,
            "settings": {**self.settings.__dict__},
            "networks": len(self.networks),
            "versions": {
                "python": platform.python_version(),
                "tensorflow": tf.__version__,
                "numpy": np.__version__,
            },
        }
        (folder / METADATA).write_text(json.dumps(self.metadata, indent=2, default=str))
        return folder

    @classmethod
    def load(cls, folder: Path) -> Forecaster:
        import tensorflow as tf

        metadata = json.loads((folder / METADATA).read_text())
        scalers = np.load(folder / SCALERS)
        networks = [
            tf.keras.models.load_model(folder / f"{i}.{ARTEFACT}", compile=False) for i in range(metadata["networks"])
        ]
        stored: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in metadata["settings"].items()}
        settings = Settings(**stored)
        return cls(settings=settings, mean=scalers["mean"], std=scalers["std"], networks=networks, metadata=metadata)


def _network(inputs: int, outputs: int, settings: Settings) -> Any:
    import tensorflow as tf

    layer = tf.keras.layers
    x_in = layer.Input(shape=(inputs,))
    hidden = x_in
    for width in settings.hidden:
        hidden = layer.Dense(width, activation="relu")(hidden)
        hidden = layer.Dropout(settings.dropout)(hidden)
    out = layer.Add()([layer.Dense(outputs)(hidden), layer.Dense(outputs)(x_in)])
    network = tf.keras.Model(x_in, out)
    network.compile(optimizer=tf.keras.optimizers.Adam(settings.learning_rate), loss=mape_loss)
    return network


def mape_loss(y_true: Any, y_pred: Any) -> Any:
    import tensorflow as tf

    return tf.reduce_mean(tf.abs(y_true - y_pred) / y_true)


def metrics(actual: NDArray[Any], predicted: NDArray[Any]) -> dict[str, float]:
    """MAPE (%), RMSE and MAE (MW) over the hours where both are known."""
    known = ~(np.isnan(actual) | np.isnan(predicted))
    a, p = actual[known], predicted[known]
    if not len(a):
        return {"mape": float("nan"), "rmse": float("nan"), "mae": float("nan"), "horas": 0}
    error = p - a
    return {
        "mape": float(np.mean(np.abs(error) / a) * 100),
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
        "horas": len(a),
    }


PROGRESS_EVERY = 10


def _progress(report: Callable[[str], None] | None, network: int, networks: int, epochs: int) -> list[Any]:
    """A Keras callback telling `report` how training goes (none without a listener)."""
    if report is None:
        return []
    import tensorflow as tf

    def on_epoch_end(epoch: int, logs: dict[str, float] | None = None) -> None:
        if (epoch + 1) % PROGRESS_EVERY == 0:
            loss = (logs or {}).get("val_loss")
            shown = f"{loss:.4f}" if loss is not None else "—"
            report(f"  rede {network}/{networks}: época {epoch + 1}/{epochs}, perda de validação {shown}")

    def on_train_end(logs: dict[str, float] | None = None) -> None:
        report(f"  rede {network}/{networks}: treinada")

    return [tf.keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end, on_train_end=on_train_end)]
