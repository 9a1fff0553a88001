"""Lag features for a global tree forecaster: one row per (origin, horizon step) of every series, so one model
forecasts every step directly (no forecast fed back as an input, whose errors would compound).

A row holds the lookback of the target before the origin, standardized by its own mean and deviation as the
window models' inputs are (forecast/windows.py: one model then serves series of any level), the means of its
last few points and of its last season, the step (1..horizon), the calendar of the date forecast, and the
lookback of each covariate, standardized by its own lookback: covariates enter as past values only, so no
future value of them is needed to forecast. The target is the value at the step, on the lookback's scale, less
the seasonal naive forecast of that step: trees cannot extrapolate beyond the targets they saw, so they learn
the correction to a forecast that already follows the level and the season (on the classic panel the value
itself scored a geometric-mean MASE of 1.03, no better than seasonal naive). The base is the naive forecast
instead (`base_season` 1) where it is the closer of the two over the training rows, as for series without a
season such as stock prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .windows import scales_of

# calendar features by the frequency's name (forecast/frequency.py): those that vary from period to period
CALENDAR = {"monthly": ("month",), "quarterly": ("quarter",), "weekly": ("week",),
            "daily": ("day_of_week", "day", "month"), "business-daily": ("day_of_week", "day", "month"),
            "hourly": ("hour", "day_of_week"), "minutely": ("minute", "hour"), "secondly": ("second", "minute")}
MAX_ORIGINS = 400  # the latest origins kept per series: a long daily series would otherwise dominate the rows
# origins drawn from a panel with more (uniformly over series and origins, as forecast/windows.py draws its
# windows): rows, and so the boosters' time, stop growing with the panel
MAX_TRAINING_ORIGINS = 20_000


@dataclass
class History:
    """One series as a tree forecaster reads it: values (n,), their dates (n,) on the series' frequency, and
    covariates (n, k) aligned with them (k may be 0)."""

    values: np.ndarray
    dates: pd.DatetimeIndex
    covariates: np.ndarray

    @classmethod
    def of(cls, series, covariates: dict[str, np.ndarray]) -> History:
        """A RegularSeries (forecast/series.py) with its covariates from `covariates` by id, when it has them."""
        values = series.values
        found = covariates.get(series.id, np.empty((len(values), 0)))
        return cls(values.to_numpy(dtype=np.float64), values.index, found)

    def __len__(self) -> int:
        return len(self.values)

    def head(self, n: int) -> History:
        """The first n periods: the history before a backtest window."""
        return History(self.values[:n], self.dates[:n], self.covariates[:n])

    def future(self, horizon: int) -> pd.DatetimeIndex:
        """The `horizon` dates after the last one."""
        return pd.date_range(self.dates[-1], periods=horizon + 1, freq=self.dates.freq)[1:]


def calendar_features(frequency_name: str) -> tuple[str, ...]:
    """The calendar fields that tell periods of this frequency apart (none for yearly or unusual steps)."""
    return CALENDAR.get(frequency_name, ())


def feature_names(lookback: int, season: int, calendar: tuple[str, ...], covariates: list[str]) -> list[str]:
    """The columns of `rows`' features, in order."""
    return ([f"lag_{lookback - i}" for i in range(lookback)] + ["mean_3", f"mean_{min(season, lookback)}", "step"]
            + [f"calendar_{name}" for name in calendar]
            + [f"{c}_lag_{lookback - i}" for c in covariates for i in range(lookback)])


def training_rows(histories: dict[str, History], lookback: int, horizon: int, season: int,
                  calendar: tuple[str, ...], base_season: int | None = None,
                  max_origins: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(features, targets) of every complete (origin, step) of every series, the latest MAX_ORIGINS origins of
    each, `max_origins` of them drawn uniformly (seeded) when there are more; windows with a missing value are
    left out."""
    origins = {key: np.arange(lookback, len(history.values) - horizon + 1)[-MAX_ORIGINS:]
               for key, history in histories.items()}
    origins = _sampled(origins, max_origins, seed)
    features, targets = [], []
    for key, history in histories.items():
        ends = origins[key]
        if not len(ends):
            continue
        blocks = history.values[ends[:, None] - lookback + np.arange(lookback + horizon)]
        keep = ~np.isnan(blocks).any(axis=1)
        ends, blocks = ends[keep], blocks[keep]
        offsets, scales = scales_of(blocks[:, :lookback])
        scaled = (blocks - offsets[:, None]) / scales[:, None]
        dates = [history.dates[end:end + horizon] for end in ends]
        covariates = _covariate_lags(history.covariates, ends, lookback)
        features.append(_rows(scaled[:, :lookback], covariates, dates, horizon, season, calendar))
        base = seasonal_base(scaled[:, :lookback], horizon, season if base_season is None else base_season)
        targets.append((scaled[:, lookback:] - base).reshape(-1))
    if not features:
        return np.empty((0, 0)), np.empty(0)
    return np.concatenate(features), np.concatenate(targets)


def _sampled(origins: dict[str, np.ndarray], limit: int | None, seed: int) -> dict[str, np.ndarray]:
    """`limit` of the origins drawn uniformly over every series and origin (all of them when there are fewer),
    each series' kept in order."""
    total = sum(len(ends) for ends in origins.values())
    if limit is None or total <= limit:
        return origins
    chosen = np.zeros(total, dtype=bool)
    chosen[np.random.default_rng(seed).choice(total, limit, replace=False)] = True
    bounds = np.cumsum([0] + [len(ends) for ends in origins.values()])
    return {key: ends[chosen[bounds[i]:bounds[i + 1]]] for i, (key, ends) in enumerate(origins.items())}


def seasonal_base(scaled: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """(origins, horizon): the seasonal naive forecast of each scaled lookback (origins, lookback), the last
    season repeated; the rows' targets are the value less this base."""
    season = min(season, scaled.shape[1])
    return scaled[:, -season:][:, np.arange(horizon) % season]


def forecast_rows(history: History, lookback: int, horizon: int, season: int, calendar: tuple[str, ...],
                  base_season: int | None = None) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The `horizon` rows forecasting what follows the series' end, their seasonal naive base (horizon,) and
    the (offset, scale) of its lookback."""
    lookback_values = history.values[-lookback:][None, :]
    offsets, scales = scales_of(lookback_values)
    scaled = (lookback_values - offsets[:, None]) / scales[:, None]
    covariates = _covariate_lags(history.covariates, np.array([len(history.values)]), lookback)
    rows = _rows(scaled, covariates, [history.future(horizon)], horizon, season, calendar)
    base = seasonal_base(scaled, horizon, season if base_season is None else base_season)[0]
    return rows, base, float(offsets[0]), float(scales[0])


def _covariate_lags(covariates: np.ndarray, ends: np.ndarray, lookback: int) -> np.ndarray:
    """(origins, k * lookback): each covariate's lookback before each origin, standardized by itself."""
    parts = []
    for column in covariates.T:
        block = np.stack([column[end - lookback:end] for end in ends])
        offsets, scales = scales_of(block)
        parts.append((block - offsets[:, None]) / scales[:, None])
    return np.concatenate(parts, axis=1) if parts else np.empty((len(ends), 0))


def _rows(scaled: np.ndarray, covariates: np.ndarray, dates: list[pd.DatetimeIndex], horizon: int, season: int,
          calendar: tuple[str, ...]) -> np.ndarray:
    """One row per origin and step (origin-major): lags, means, step, calendar of the date forecast, covariates."""
    origins = len(scaled)
    means = np.stack([scaled[:, -3:].mean(axis=1), scaled[:, -min(season, scaled.shape[1]):].mean(axis=1)], axis=1)
    per_origin = np.concatenate([scaled, means], axis=1)
    step = np.tile(np.arange(1, horizon + 1, dtype=np.float64), origins)[:, None]
    when = pd.DatetimeIndex(np.concatenate([d.to_numpy() for d in dates])) if dates else pd.DatetimeIndex([])
    fields = [getattr(when.isocalendar(), "week").to_numpy(dtype=np.float64) if name == "week"
              else getattr(when, name).to_numpy(dtype=np.float64) for name in calendar]
    cal = np.stack(fields, axis=1) if fields else np.empty((origins * horizon, 0))
    return np.concatenate([np.repeat(per_origin, horizon, axis=0), step, cal,
                           np.repeat(covariates, horizon, axis=0)], axis=1)
