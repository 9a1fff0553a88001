"""LightGBM as a global forecaster: gradient-boosted trees on the lag rows of forecast/lags.py, one booster per
quantile level (LightGBM's quantile objective), trained across every series.

The point forecast is the median's booster; the levels are sorted at each point (the rearrangement of
Chernozhukov et al. 2010, as forecast/learned.py does for the neural heads), so they never cross. Saved in
LightGBM's own text format, one file per level, beside a JSON spec: nothing pickled.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ArtifactError, DataError, NotFittedError
from .baselines import Forecast
from .lags import MAX_TRAINING_ORIGINS, History, forecast_rows, training_rows

SPEC_FILE = "lightgbm.json"
# small trees and a slow rate: a panel of a few series gives a few thousand rows
PARAMS = {"learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9,
          "bagging_fraction": 0.9, "bagging_freq": 1, "lambda_l2": 1.0, "verbose": -1, "deterministic": True, "force_row_wise": True}
ROUNDS = 200


class BoostedForecaster:
    """forecast `horizon` periods from a `lookback` of each series (and its covariates' lookbacks), at `levels`."""

    def __init__(self, *, horizon: int, lookback: int, season: int, levels: list[float],
                 calendar: tuple[str, ...] = (), covariates: list[str] | None = None, seed: int = 0,
                 threads: int = 0):
        self.horizon = horizon
        self.lookback = lookback
        self.season = season
        self.levels = levels
        self.calendar = calendar
        self.covariates = covariates or []
        self.seed = seed
        self.threads = threads

    def fit(self, histories: dict[str, History]) -> BoostedForecaster:
        import lightgbm

        self.base_season_ = self._closer_base(histories)
        features, targets = training_rows(histories, self.lookback, self.horizon, self.season, self.calendar,
                                          self.base_season_, MAX_TRAINING_ORIGINS, self.seed)
        if not len(targets):
            raise DataError(f"No series has {self.lookback} + {self.horizon} periods in a row without a missing value "
                            "for lightgbm to learn from. Fill the gaps (fill='interpolate') or leave lightgbm out "
                            "of --model.")
        self.levels_ = sorted(set(self.levels) | {0.5})
        self.boosters_ = {}
        for level in self.levels_:
            params = {**PARAMS, "objective": "quantile", "alpha": level, "seed": self.seed,
                      "num_threads": self.threads}
            self.boosters_[level] = lightgbm.train(params, lightgbm.Dataset(features, targets), ROUNDS)
        return self

    def _closer_base(self, histories: dict[str, History]) -> int:
        """The season of the base the boosters correct: the series' season, or 1 (the last value) when that is
        closer to the training targets (a smaller mean correction to learn)."""
        if self.season <= 1:
            return 1
        errors = {}
        for base in (self.season, 1):
            _, residuals = training_rows(histories, self.lookback, self.horizon, self.season, (), base,
                                         MAX_TRAINING_ORIGINS, self.seed)
            errors[base] = float(np.abs(residuals).mean()) if len(residuals) else np.inf
        return min(errors, key=errors.get)

    def forecast(self, histories: dict[str, History], quantiles: list[float]) -> dict[str, Forecast]:
        """The next horizon of each series after its end: the median as the point, each quantile its level's."""
        self._check_fitted()
        result = {}
        for key, history in histories.items():
            if len(history) < self.lookback or np.isnan(history.values[-self.lookback:]).any():
                raise DataError(f"Series '{key}' needs its last {self.lookback} points present to be forecast by "
                                f"lightgbm ({len(history)} points). Fill its gaps (fill='interpolate') or give a "
                                "longer history.")
            rows, base, offset, scale = forecast_rows(history, self.lookback, self.horizon, self.season,
                                                      self.calendar, self.base_season_)
            values = np.stack([self.boosters_[q].predict(rows) for q in self.levels_], axis=1) + base[:, None]
            values = np.sort(values, axis=1)
            values = values * scale + offset
            column = {q: values[:, i] for i, q in enumerate(self.levels_)}
            result[key] = Forecast(column[0.5].copy(), {float(q): column[_nearest(self.levels_, q)].copy()
                                                         for q in quantiles})
        return result

    def save(self, directory: Path) -> None:
        self._check_fitted()
        spec = {"name": "lightgbm", "horizon": self.horizon, "lookback": self.lookback, "season": self.season,
                "levels": self.levels_, "base_season": self.base_season_, "calendar": list(self.calendar), "covariates": self.covariates,
                "files": {str(q): _booster_file(q) for q in self.levels_}}
        (directory / SPEC_FILE).write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
        for level, booster in self.boosters_.items():
            booster.save_model(str(directory / _booster_file(level)))

    @classmethod
    def load(cls, directory: Path) -> BoostedForecaster:
        import lightgbm

        try:
            spec = json.loads((directory / SPEC_FILE).read_text(encoding="utf-8"))
            model = cls(horizon=spec["horizon"], lookback=spec["lookback"], season=spec["season"],
                        levels=spec["levels"], calendar=tuple(spec["calendar"]), covariates=spec["covariates"])
            model.levels_ = [float(q) for q in spec["levels"]]
            model.base_season_ = int(spec["base_season"])
            model.boosters_ = {q: lightgbm.Booster(model_file=str(directory / spec["files"][str(q)]))
                               for q in model.levels_}
        except (OSError, ValueError, KeyError, lightgbm.basic.LightGBMError) as e:
            raise ArtifactError(f"{directory}: the LightGBM forecaster ({SPEC_FILE} and its lightgbm-q*.txt files) "
                                f"cannot be loaded ({e}). Train the run again.") from None
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "boosters_"):
            raise NotFittedError("This BoostedForecaster is not fitted yet: call BoostedForecaster.fit(...).")


def _booster_file(level: float) -> str:
    return f"lightgbm-q{level:g}.txt"


def _nearest(levels: list[float], q: float) -> float:
    return min(levels, key=lambda level: abs(level - q))
