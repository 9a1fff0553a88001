"""Rolling-origin backtests: the only honest validation of a forecaster, since time cannot be shuffled.

The last `windows` blocks of `horizon` periods of a series are forecast one after the other, each from the
history before it (an expanding window), so the last window ends exactly where the series (or the training
part given) ends. Scores are averaged over the windows; a model is chosen on them, never on the held-out future.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from trainwright.errors import DataError
from trainwright.forecast import metrics
from trainwright.log import logger


@dataclass(frozen=True)
class Window:
    """One backtest window: train on y[:train_end], forecast and score y[train_end:test_end]."""

    train_end: int
    test_end: int

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return y[:self.train_end], y[self.train_end:self.test_end]


def backtest_windows(n: int, horizon: int, windows: int, min_train: int = 1, name: str | None = None
                     ) -> list[Window]:
    """Up to `windows` consecutive windows of `horizon` periods ending at `n`, oldest first.

    Each window keeps at least `min_train` periods of history before it; a series too short for all of them gets
    fewer (possibly none), and the logger says so once, naming the series.
    """
    if horizon < 1 or windows < 1:
        raise DataError(f"Backtests need a horizon and a number of windows of at least 1; got horizon={horizon}, "
                        f"windows={windows}.")
    fit = max(0, (n - max(min_train, 1)) // horizon)
    count = min(windows, fit)
    if count < windows:
        who = f"Series {name!r}" if name is not None else "The series"
        needed = max(min_train, 1) + windows * horizon
        got = f"{count} backtest windows instead of {windows}" if count else "no backtest window"
        logger.info(f"{who} has {n} periods, fewer than the {needed} that {windows} windows of {horizon} after "
                    f"{max(min_train, 1)} periods of history need: it gets {got}.")
    return [Window(n - (count - i) * horizon, n - (count - i - 1) * horizon) for i in range(count)]


@dataclass
class BacktestResult:
    """Per-window scores of one model on one series, and the forecasts behind them (for plots and combinations).

    `scores` holds one dict of metric name -> value per window; `forecasts` one `Forecast` per window.
    """

    windows: list[Window]
    forecasts: list = field(default_factory=list)
    scores: list[dict[str, float]] = field(default_factory=list)

    def mean(self, metric: str) -> float:
        """The metric averaged over the windows; NaN when there were none."""
        values = [s[metric] for s in self.scores if np.isfinite(s[metric])]
        return float(np.mean(values)) if values else float("nan")


def score(y_train: np.ndarray, y_test: np.ndarray, forecast, season_length: int) -> dict[str, float]:
    """All forecast metrics of one forecast: MASE, sMAPE, MAE, RMSE and, when it has quantiles, the weighted
    quantile loss and the coverage of the widest central interval it holds (0.1–0.9 gives the 80% interval)."""
    result = {
        "mase": metrics.mase(y_test, forecast.point, y_train, season_length),
        "smape": metrics.smape(y_test, forecast.point),
        "mae": metrics.mae(y_test, forecast.point),
        "rmse": metrics.rmse(y_test, forecast.point),
    }
    if forecast.quantiles:
        result["wql"] = metrics.weighted_quantile_loss(y_test, forecast.quantiles)
        low, high = min(forecast.quantiles), max(forecast.quantiles)
        if low < 0.5 < high:
            result["coverage"] = metrics.coverage(y_test, forecast.quantiles[low], forecast.quantiles[high])
    return result


def backtest(make_model: Callable[[], object], y, season_length: int, horizon: int, windows: int,
             quantiles: Sequence[float] = (), min_train: int | None = None, name: str | None = None
             ) -> BacktestResult:
    """Fit a fresh model (`make_model()`, e.g. a `BASELINES` class) on each window's history and score its forecast.

    `min_train` defaults to two seasons and two periods (at least 4), the least history on which ETS still
    considers seasonal forms.
    """
    y = np.asarray(y, dtype=float).ravel()
    if min_train is None:
        min_train = max(2 * season_length + 2, 4)
    result = BacktestResult(backtest_windows(len(y), horizon, windows, min_train, name))
    for window in result.windows:
        y_train, y_test = window.split(y)
        forecast = make_model().fit(y_train, season_length).forecast(horizon, quantiles)
        result.forecasts.append(forecast)
        result.scores.append(score(y_train, y_test, forecast, season_length))
    return result
