"""N-BEATS in a forecast run: one model trained by the one Trainer across every series long enough for it, its
forecasts as `Forecast`s, and its weights saved and loaded as plain files (model.json, weights.safetensors).

The point forecast is the median: 0.5 is always among the levels the model learns, whatever quantiles the user
asked for, so the point and the intervals come from the same heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import RunConfig
from ..errors import ArtifactError
from ..forecast.baselines import Forecast
from ..forecast.learned import by_series, predict_quantiles
from ..forecast.windows import forecast_windows, lookback_length, training_windows
from ..models import build_model, model_sizes
from .process import seed_everything
from .trainer import Trainer

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.safetensors"


@dataclass
class LearnedForecaster:
    """A trained N-BEATS, the lookback it reads and its architecture's sizes (to rebuild it from its weights)."""

    model: object  # models/nbeats.py's module
    lookback: int
    sizes: dict

    def forecast(self, arrays: dict[str, np.ndarray], quantiles: list[float]) -> dict[str, Forecast]:
        """The next horizon of each series after its end, the point being the median."""
        windows = forecast_windows(arrays, self.lookback)
        levels = np.sort(self.model.quantiles.numpy().astype(np.float64))  # float32 in the model: 0.1 is 0.1000000015

        def column(values, q):
            return values[:, int(np.argmin(np.abs(levels - q)))].copy()

        return {key: Forecast(column(values, 0.5), {float(q): column(values, q) for q in quantiles})
                for key, values in by_series(windows, predict_quantiles(self.model, windows)).items()}


def eligible(arrays: dict[str, np.ndarray], horizon: int) -> dict[str, np.ndarray]:
    """The series long enough for a lookback and two horizons (one to train on, one to validate on)."""
    return {key: values for key, values in arrays.items() if len(values) >= 2 * horizon + 1}


def fit_learned(arrays: dict[str, np.ndarray], seasons: dict[str, int], config: RunConfig,
                label: str = "nbeats: ") -> LearnedForecaster:
    """N-BEATS trained on every window of `arrays` (each series' last horizon validates), as config.model says;
    `label` prefixes its epochs' log lines (which backtest window it is for)."""
    horizon = config.forecast.horizon
    lookback = lookback_length(arrays, {key: seasons[key] for key in arrays}, horizon)
    train, valid = training_windows(arrays, lookback, horizon)
    seed_everything(config.train.seed)
    sizes = model_sizes("nbeats", config.model, {"num_numeric": lookback}, horizon)
    model = build_model("nbeats", **sizes)
    Trainer(config, label=label).fit(model, "quantile", train.encoded(), train.targets, valid.encoded(), valid.targets, pad=None)
    return LearnedForecaster(model, lookback, sizes)


def save_learned(learned: LearnedForecaster, directory: Path) -> None:
    from safetensors.torch import save_file

    spec = {"name": "nbeats", "lookback": learned.lookback, "sizes": learned.sizes}
    (directory / MODEL_FILE).write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    save_file({k: v.contiguous() for k, v in learned.model.state_dict().items()}, str(directory / WEIGHTS_FILE))


def load_learned(directory: Path) -> LearnedForecaster:
    from safetensors.torch import load_file

    try:
        spec = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        model = build_model("nbeats", **spec["sizes"])
        model.load_state_dict(load_file(str(directory / WEIGHTS_FILE)))
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise ArtifactError(f"{directory}: the N-BEATS model ({MODEL_FILE}, {WEIGHTS_FILE}) cannot be loaded ({e}). "
                            "Train the run again.") from None
    model.eval()
    return LearnedForecaster(model, int(spec["lookback"]), spec["sizes"])
