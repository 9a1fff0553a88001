"""The learned candidates of a forecast run, each one model trained across every series long enough for it:
N-BEATS and the LSTM forecaster (window models, trained by the one Trainer on the quantile task over the windows
of forecast/windows.py) and LightGBM (forecast/boosted.py, on the lag rows of forecast/lags.py). Their forecasts
are `Forecast`s; they are saved and loaded as plain files:

    nbeats     model.json, weights.safetensors    (the layout of runs saved before the other learned models)
    lstm       lstm.json, lstm.safetensors
    lightgbm   lightgbm.json, lightgbm-q<level>.txt (LightGBM's text format, one booster per level)

The point forecast is the median: 0.5 is always among the levels a model learns, whatever quantiles the user
asked for, so the point and the intervals come from the same model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..config import RunConfig
from ..errors import ArtifactError
from ..forecast.baselines import Forecast
from ..forecast.boosted import BoostedForecaster
from ..forecast.learned import by_series, predict_quantiles
from ..forecast.windows import MAX_TRAINING_WINDOWS, forecast_windows, lookback_length, training_windows
from ..models import build_model, model_sizes
from .process import seed_everything
from .trainer import Trainer

WINDOW_MODELS = {"nbeats": "nbeats", "lstm": "lstm_forecaster"}  # candidate -> its architecture (models/)
LEARNED = (*WINDOW_MODELS, "lightgbm")
FILES = {"nbeats": ("model.json", "weights.safetensors"), "lstm": ("lstm.json", "lstm.safetensors")}
MODEL_FILE, WEIGHTS_FILE = FILES["nbeats"]


@dataclass
class LearnedForecaster:
    """A trained window model (`name`: nbeats or lstm), the lookback it reads and its architecture's sizes (to
    rebuild it from its weights)."""

    model: object  # the nn.Module of models/
    lookback: int
    sizes: dict
    name: str = "nbeats"

    def forecast(self, histories: dict, quantiles: list[float]) -> dict[str, Forecast]:
        """The next horizon of each series after its end (arrays, or forecast/lags.py's History), the point being
        the median."""
        windows = forecast_windows({key: _values(h) for key, h in histories.items()}, self.lookback)
        levels = np.sort(self.model.quantiles.numpy().astype(np.float64))  # float32 in the model: 0.1 is 0.1000000015

        def column(values, q):
            return values[:, int(np.argmin(np.abs(levels - q)))].copy()

        return {key: Forecast(column(values, 0.5), {float(q): column(values, q) for q in quantiles})
                for key, values in by_series(windows, predict_quantiles(self.model, windows)).items()}


def eligible(histories: dict, horizon: int) -> dict:
    """The series long enough for a lookback and two horizons (one to train on, one to validate on)."""
    return {key: values for key, values in histories.items() if len(values) >= 2 * horizon + 1}


def fit_learned(histories: dict, seasons: dict[str, int], config: RunConfig, label: str = "nbeats: ",
                name: str = "nbeats", calendar: tuple[str, ...] = ()):
    """The learned candidate `name` trained on every series of `histories` (arrays, or History for their dates
    and covariates), as config says; `label` prefixes a window model's epoch log lines (which backtest window it
    is for), `calendar` names the calendar features of LightGBM's rows."""
    horizon = config.forecast.horizon
    arrays = {key: _values(h) for key, h in histories.items()}
    lookback = lookback_length(arrays, {key: seasons[key] for key in arrays}, horizon)
    seed_everything(config.train.seed)
    if name == "lightgbm":
        season = min(math.lcm(*seasons.values()), lookback) if seasons else 1
        return BoostedForecaster(horizon=horizon, lookback=lookback, season=season, levels=_levels(config),
                                 calendar=calendar, covariates=list(config.forecast.covariates),
                                 seed=config.train.seed, threads=torch.get_num_threads()).fit(histories)
    train, valid = training_windows(arrays, lookback, horizon, max_windows=MAX_TRAINING_WINDOWS,
                                    seed=config.train.seed)
    sizes = _sizes(name, config, lookback)
    model = build_model(WINDOW_MODELS[name], **sizes)
    Trainer(config, label=label).fit(model, "quantile", train.encoded(), train.targets, valid.encoded(),
                                     valid.targets, pad=None)
    return LearnedForecaster(model, lookback, sizes, name)


def _sizes(name: str, config: RunConfig, lookback: int) -> dict:
    """N-BEATS' sizes from the model section; the LSTM forecaster's own defaults, at the run's levels."""
    horizon = config.forecast.horizon
    if name == "nbeats":
        return model_sizes("nbeats", config.model, {"num_numeric": lookback}, horizon)
    return {"num_numeric": lookback, "num_outputs": horizon, "quantiles": _levels(config)}


def _levels(config: RunConfig) -> list[float]:
    return sorted({float(q) for q in config.forecast.quantiles} | {0.5})


def _values(history) -> np.ndarray:
    return history.values if hasattr(history, "dates") else np.asarray(history, dtype=np.float64)


def save_learned(learned, directory: Path) -> None:
    """Write the learned model's files (see the module's docstring) into `directory`."""
    if isinstance(learned, BoostedForecaster):
        learned.save(directory)
        return
    from safetensors.torch import save_file

    spec_file, weights_file = FILES[learned.name]
    spec = {"name": WINDOW_MODELS[learned.name], "lookback": learned.lookback, "sizes": learned.sizes}
    (directory / spec_file).write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    save_file({k: v.contiguous() for k, v in learned.model.state_dict().items()}, str(directory / weights_file))


def load_learned(directory: Path, name: str = "nbeats"):
    """The learned model `name` saved in `directory` by save_learned."""
    if name == "lightgbm":
        return BoostedForecaster.load(directory)
    from safetensors.torch import load_file

    spec_file, weights_file = FILES[name]
    try:
        spec = json.loads((directory / spec_file).read_text(encoding="utf-8"))
        model = build_model(WINDOW_MODELS[name], **spec["sizes"])
        model.load_state_dict(load_file(str(directory / weights_file)))
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise ArtifactError(f"{directory}: the {name} model ({spec_file}, {weights_file}) cannot be loaded ({e}). "
                            "Train the run again.") from None
    model.eval()
    return LearnedForecaster(model, int(spec["lookback"]), spec["sizes"], name)
