"""The statistical baselines forecasting people trust: naive, seasonal naive, ETS, ARIMA and Theta, and their
combination.

ETS, ARIMA and Theta come from statsmodels, not hand-written: statsforecast is the field's faster standard but pins
pandas < 3, which trainwright uses; statsmodels works with it. Each model has the same two calls:

    model = BASELINES["ets"]().fit(y, season_length=12)   # y: one regular series, a 1-D float array
    forecast = model.forecast(horizon=12, quantiles=(0.1, 0.5, 0.9))
    forecast.point, forecast.quantiles[0.1]                 # arrays of `horizon` values

Quantiles come from each model's prediction intervals (the q and 1 − q quantiles are the bounds of the central
1 − 2·min(q, 1 − q) interval); the naive methods use the spread of their in-sample errors, growing with the
horizon as in Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, §5.5.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from trainwright.errors import DataError, NotFittedError
from trainwright.log import logger


@dataclass
class Forecast:
    """`point`: the point forecast, shape (horizon,); `quantiles`: quantile level -> forecast of shape (horizon,)."""

    point: np.ndarray
    quantiles: dict[float, np.ndarray] = field(default_factory=dict)


@contextmanager
def _quiet():
    """statsmodels warns on every hard optimisation (convergence, frequency-less index); a search over candidate
    models is judged by its information criterion instead, so the warnings would only be noise."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        # statsmodels' ARIMA re-enables its warnings inside fit; not showing them is the only way to hush them.
        warnings.showwarning = lambda *args, **kwargs: None
        yield


def _series(y):
    """statsmodels' prediction objects want a pandas index (0.15 fails on bare arrays); a RangeIndex is enough."""
    import pandas as pd
    return pd.Series(y)


class Baseline:
    """Shared fit/forecast contract. Subclasses implement `_fit`, `_point(horizon)` and either `_sd(horizon)`
    (Gaussian forecast errors) or `_interval(horizon, alpha)`."""

    name = "baseline"
    min_length = 2

    def fit(self, y, season_length: int = 1) -> Baseline:
        """Fit on one regular series `y` (1-D, finite values, oldest first) with `season_length` periods a season."""
        y = np.asarray(y, dtype=float)
        if y.ndim != 1:
            raise DataError(f"{self.name}: a series must be 1-D (one value per period); got shape {y.shape}.")
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            raise DataError(f"{self.name}: the series has {bad.size} missing or infinite values, first at "
                            f"positions {', '.join(map(str, bad[:5]))}. Fill its gaps before fitting.")
        if y.size < self.min_length:
            raise DataError(f"{self.name}: the series has {y.size} values; this model needs at least "
                            f"{self.min_length}.")
        if not isinstance(season_length, (int, np.integer)) or season_length < 1:
            raise DataError(f"{self.name}: season_length must be a whole number of periods, 1 or more; got "
                            f"{season_length!r}.")
        self.y_, self.season_length_ = y, int(season_length)
        with _quiet():
            self._fit(y, int(season_length))
        return self

    def forecast(self, horizon: int, quantiles: Sequence[float] = ()) -> Forecast:
        """The next `horizon` periods after the series' end: a point forecast and one array per quantile."""
        if not hasattr(self, "y_"):
            raise NotFittedError(f"{self.name}: call fit(y, season_length) before forecast().")
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise DataError(f"{self.name}: the horizon must be a whole number of periods, 1 or more; got "
                            f"{horizon!r}.")
        for q in quantiles:
            if not 0 < q < 1:
                raise DataError(f"Quantile {q} is not between 0 and 1 (exclusive); use values such as 0.1, 0.9.")
        with _quiet():
            point = np.asarray(self._point(horizon), dtype=float)
            return Forecast(point, {float(q): self._quantile(point, horizon, float(q)) for q in quantiles})

    def _quantile(self, point: np.ndarray, horizon: int, q: float) -> np.ndarray:
        if q == 0.5:
            return point.copy()
        lower, upper = self._interval(horizon, 2 * min(q, 1 - q))
        return np.asarray(lower if q < 0.5 else upper, dtype=float)

    def _interval(self, horizon: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        z = NormalDist().inv_cdf(1 - alpha / 2)
        point, sd = self._point(horizon), self._sd(horizon)
        return point - z * sd, point + z * sd

    def __repr__(self) -> str:
        return getattr(self, "spec_", None) or f"{type(self).__name__}()"


class Naive(Baseline):
    """Every future period equals the last observation: the random walk forecast."""

    name = "naive"

    def _fit(self, y, season_length):
        self.sigma_ = float(np.sqrt(np.mean(np.diff(y) ** 2)))

    def _point(self, horizon):
        return np.full(horizon, self.y_[-1])

    def _sd(self, horizon):
        return self.sigma_ * np.sqrt(np.arange(1, horizon + 1))


class SeasonalNaive(Baseline):
    """Every future period equals the same period one season earlier."""

    name = "seasonal_naive"

    def _fit(self, y, season_length):
        self.lag_ = season_length
        if y.size <= season_length:
            logger.info(f"seasonal_naive: the series has {y.size} values, not more than one season of "
                        f"{season_length}; it forecasts the last value instead (naive).")
            self.lag_ = 1
        residuals = y[self.lag_:] - y[:-self.lag_]
        self.sigma_ = float(np.sqrt(np.mean(residuals ** 2)))

    def _point(self, horizon):
        last_season = self.y_[-self.lag_:]
        return last_season[np.arange(horizon) % self.lag_]

    def _sd(self, horizon):
        # k-step error of the seasonal naive method: sigma * sqrt(number of whole seasons ahead + 1).
        return self.sigma_ * np.sqrt(np.arange(horizon) // self.lag_ + 1)


class ETS(Baseline):
    """Exponential smoothing state space model (statsmodels `ETSModel`), its form chosen by AICc.

    Candidates: additive or multiplicative error; no, additive or damped additive trend; no, additive or
    multiplicative season. Multiplicative parts need a positive series; seasonal forms need two full seasons;
    additive error with multiplicative season is left out (its forecast variance can be infinite, as R's
    `forecast::ets` restricts).
    """

    name = "ets"
    min_length = 4

    def _candidates(self, y, season_length):
        positive = bool(np.all(y > 0))
        errors = ["add", "mul"] if positive else ["add"]
        trends = [(None, False), ("add", False), ("add", True)]
        seasonals = [None]
        if season_length > 1 and y.size >= 2 * season_length + 2:
            seasonals += ["add", "mul"] if positive else ["add"]
        for error, (trend, damped), seasonal in itertools.product(errors, trends, seasonals):
            if not (error == "add" and seasonal == "mul"):
                yield error, trend, damped, seasonal

    def _fit(self, y, season_length):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        best = None
        for error, trend, damped, seasonal in self._candidates(y, season_length):
            try:
                result = ETSModel(_series(y), error=error, trend=trend, damped_trend=damped, seasonal=seasonal,
                                  seasonal_periods=season_length if seasonal else None).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue  # too few values for this form's parameters
            if np.isfinite(result.aicc) and (best is None or result.aicc < best[0]):
                best = (result.aicc, result, (error, trend, damped, seasonal))
        if best is None:
            raise DataError(f"ets: no exponential smoothing form could be fit to this series of {y.size} values; "
                            "use the naive or seasonal_naive baseline for it.")
        _, self.result_, (error, trend, damped, seasonal) = best
        letter = {None: "N", "add": "A", "mul": "M"}
        self.spec_ = f"ETS({letter[error]},{letter[trend]}{'d' if damped else ''},{letter[seasonal]})"

    def _prediction(self, horizon):
        # Multiplicative forms simulate their intervals: one fixed-seed simulation per horizon serves every
        # quantile, so forecasts repeat exactly and the quantiles come from the same draws.
        if getattr(self, "_cached", (None,))[0] != horizon:
            n = self.y_.size
            self._cached = (horizon, self.result_.get_prediction(start=n, end=n + horizon - 1, rng=0))
        return self._cached[1]

    def _point(self, horizon):
        return np.asarray(self._prediction(horizon).predicted_mean)

    def _interval(self, horizon, alpha):
        bounds = np.asarray(self._prediction(horizon).pred_int(alpha))
        return bounds[:, 0], bounds[:, 1]


class ARIMA(Baseline):
    """Seasonal ARIMA (statsmodels `ARIMA`), its orders chosen as R's `auto.arima` does, kept small.

    The seasonal difference D (0 or 1) comes from the strength of an STL seasonal component (over 0.64, Wang,
    Smith & Hyndman 2006), the difference d (0 to 2) from KPSS tests; then a stepwise search by AIC over
    p, q ≤ 3 and P, Q ≤ 1 starts from four models and moves one order at a time (Hyndman & Khandakar 2008).
    A constant (or drift, once differenced) is kept when d + D ≤ 1.
    """

    name = "arima"
    min_length = 4
    max_fits = 40  # a ceiling on the stepwise search, so that one awkward series cannot take minutes

    def _fit(self, y, season_length):
        m = season_length if season_length > 1 and y.size >= 2 * season_length + 2 else 1
        seasonal_d = _seasonal_differences(y, m)
        d = _differences(_season_diff(y, m, seasonal_d))
        trend = {0: "c", 1: "t"}.get(d + seasonal_d, "n")
        fitted: dict[tuple, object] = {}

        def aic(orders):
            if orders not in fitted and len(fitted) < self.max_fits:
                fitted[orders] = _fit_arima(y, orders, d, seasonal_d, m, trend)
            result = fitted.get(orders)
            return result.aic if result is not None else np.inf

        starts = [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
        starts = [s if m > 1 else (s[0], s[1], 0, 0) for s in starts]
        best = min(dict.fromkeys(starts), key=aic)
        improved = True
        while improved and len(fitted) < self.max_fits:
            improved = False
            for orders in _neighbours(best, seasonal=m > 1):
                if aic(orders) < aic(best):
                    best, improved = orders, True
        if not np.isfinite(aic(best)):
            raise DataError(f"arima: no ARIMA model could be fit to this series of {y.size} values; use the "
                            "naive or seasonal_naive baseline for it.")
        self.result_ = fitted[best]
        p, q, sp, sq = best
        self.spec_ = f"ARIMA({p},{d},{q})" + (f"({sp},{seasonal_d},{sq})[{m}]" if m > 1 else "")

    def _prediction(self, horizon):
        if getattr(self, "_cached", (None,))[0] != horizon:  # one state-space forecast serves every quantile
            self._cached = (horizon, self.result_.get_forecast(horizon))
        return self._cached[1]

    def _point(self, horizon):
        return np.asarray(self._prediction(horizon).predicted_mean)

    def _sd(self, horizon):
        return np.asarray(self._prediction(horizon).se_mean)


def _season_diff(y, m, times):
    for _ in range(times):
        y = y[m:] - y[:-m]
    return y


def _seasonal_differences(y, m) -> int:
    """1 when an STL decomposition finds a strong seasonal component (strength > 0.64), else 0."""
    if m == 1 or y.size < 2 * m + 2:
        return 0
    from statsmodels.tsa.seasonal import STL
    parts = STL(y, period=m).fit()
    remainder = np.var(parts.resid)
    strength = max(0.0, 1 - remainder / np.var(parts.resid + parts.seasonal))
    return int(strength > 0.64)


def _differences(y, max_d: int = 2) -> int:
    """How many first differences make the series pass a KPSS test of level stationarity at 5%."""
    from statsmodels.tsa.stattools import kpss
    for d in range(max_d + 1):
        if y.size < 4 or np.ptp(y) == 0:
            return d
        if kpss(y, regression="c", nlags="auto")[1] >= 0.05:
            return d
        if d < max_d:
            y = np.diff(y)
    return max_d


def _fit_arima(y, orders, d, seasonal_d, m, trend):
    from statsmodels.tsa.arima.model import ARIMA as StatsmodelsARIMA
    p, q, sp, sq = orders
    try:
        model = StatsmodelsARIMA(_series(y), order=(p, d, q), seasonal_order=(sp, seasonal_d, sq, m if m > 1 else 0),
                                 trend=trend)
        return model.fit()
    except (ValueError, np.linalg.LinAlgError):
        return None  # too few values for these orders, or a singular start


def _neighbours(orders, seasonal: bool):
    p, q, sp, sq = orders
    moves = [(1, 0, 0, 0), (-1, 0, 0, 0), (0, 1, 0, 0), (0, -1, 0, 0), (1, 1, 0, 0), (-1, -1, 0, 0)]
    if seasonal:
        moves += [(0, 0, 1, 0), (0, 0, -1, 0), (0, 0, 0, 1), (0, 0, 0, -1)]
    for dp, dq, dsp, dsq in moves:
        new = (p + dp, q + dq, sp + dsp, sq + dsq)
        if 0 <= new[0] <= 3 and 0 <= new[1] <= 3 and 0 <= new[2] <= 1 and 0 <= new[3] <= 1:
            yield new


class Theta(Baseline):
    """The Theta method (statsmodels `ThetaModel`, Assimakopoulos & Nikolopoulos 2000), winner of M3.

    The series is deseasonalized first (multiplicatively when positive) when a test finds seasonality.

    Its intervals are computed here, not by statsmodels' `prediction_intervals`, which are far too wide on
    seasonal series (98.5% coverage of the 80% interval on the classic panel): its σ² comes from an IMA(1,1)
    fitted to the series as given, seasonal swings counted as noise, although the forecast is made from the
    deseasonalized series. Here σ² is the variance of the one-step errors of the process Theta is equivalent to
    (Hyndman & Billah 2003: SES with drift b₀/2), on the deseasonalized series with the fitted α and b₀:
    X_t = X_{t−1} + b₀/2 + (α − 1)ε_{t−1} + ε_t. Its h-step variance is σ²·(1 + (h − 1)·α²) (ψ-weights α;
    statsmodels' 1 + (α − 1)² per step is wider still when α is small), and a multiplicative season scales it.
    """

    name = "theta"
    min_length = 4

    def _fit(self, y, season_length):
        from statsmodels.tsa.forecasting.theta import ThetaModel
        period = season_length if season_length > 1 and y.size >= 2 * season_length else 1
        self.result_ = ThetaModel(_series(y), period=period, deseasonalize=period > 1).fit()
        self.spec_ = f"Theta(period={period})"
        self.sigma_ = self._error_sd(y)

    def _seasonal(self, steps: int, start: int) -> tuple[np.ndarray, bool]:
        """The seasonal factors of periods start..start+steps-1 (0: the first observation), and whether they
        multiply; ones (or zeros) when the series was not deseasonalized."""
        n, period = self.y_.size, self.result_.model.period
        # forecast_components gives the factors of the periods after the end; they repeat every `period`
        factors = np.asarray(self.result_.forecast_components(period)["seasonal"])
        multiplicative = self.result_.model.method.startswith("mul")
        return factors[(np.arange(start, start + steps) - n) % period], multiplicative

    def _error_sd(self, y) -> float:
        factors, multiplicative = self._seasonal(y.size, 0)
        x = y / factors if multiplicative else y - factors
        # Theta (θ = 2) forecasts as SES with drift b₀/2 (Hyndman & Billah 2003): half the fitted trend
        alpha, drift = float(self.result_.params["alpha"]), float(self.result_.params["b0"]) / 2
        errors = np.zeros(x.size - 1)
        previous = 0.0
        for t, change in enumerate(np.diff(x)):
            errors[t] = previous = change - drift - (alpha - 1) * previous
        return float(np.sqrt(np.mean(errors ** 2)))

    def _point(self, horizon):
        return np.asarray(self.result_.forecast(horizon))

    def _sd(self, horizon):
        alpha = float(self.result_.params["alpha"])
        sd = self.sigma_ * np.sqrt(1 + np.arange(horizon) * alpha ** 2)
        factors, multiplicative = self._seasonal(horizon, self.y_.size)
        return sd * factors if multiplicative else sd


class Combination(Baseline):
    """The mean or median of several baselines' forecasts, point and each quantile alike.

    Combining ETS, ARIMA and Theta is a strong, simple benchmark (the M4 competition's "Comb" was of exponential
    smoothing methods); a median is robust to one member going astray.
    """

    name = "combination"
    min_length = 4

    def __init__(self, members: Sequence[str] = ("ets", "arima", "theta"), how: str = "median"):
        self.members = tuple(members)
        self.how = how

    def _fit(self, y, season_length):
        unknown = [m for m in self.members if m not in BASELINES or m == "combination"]
        if unknown or self.how not in ("mean", "median"):
            raise DataError(f"combination: members must be among {', '.join(sorted(BASELINES))} (got "
                            f"{', '.join(unknown) or 'them'}) and how 'mean' or 'median' (got {self.how!r}).")
        self.fitted_ = [BASELINES[m]().fit(y, season_length) for m in self.members]
        self.spec_ = f"{self.how} of " + ", ".join(repr(m) for m in self.fitted_)

    def forecast(self, horizon, quantiles=()):
        if not hasattr(self, "fitted_"):
            raise NotFittedError(f"{self.name}: call fit(y, season_length) before forecast().")
        return combine([m.forecast(horizon, quantiles) for m in self.fitted_], self.how)


def combine(forecasts: Sequence[Forecast], how: str = "median") -> Forecast:
    """Mean or median, period by period, of forecasts of the same horizon and quantiles."""
    reduce = np.median if how == "median" else np.mean
    point = reduce([f.point for f in forecasts], axis=0)
    quantiles = {q: reduce([f.quantiles[q] for f in forecasts], axis=0) for q in forecasts[0].quantiles}
    return Forecast(point, quantiles)


# name -> class; each is built without arguments and fit with fit(y, season_length).
BASELINES: dict[str, type[Baseline]] = {
    "naive": Naive,
    "seasonal_naive": SeasonalNaive,
    "ets": ETS,
    "arima": ARIMA,
    "theta": Theta,
    "combination": Combination,
}
