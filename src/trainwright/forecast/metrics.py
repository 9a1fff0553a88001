"""Forecast accuracy: MASE, sMAPE, MAE, RMSE for point forecasts; weighted quantile loss and interval coverage
for probabilistic ones; the geometric mean that summarizes MASE across series.

All work on 1-D float arrays of one series: `y_true` and `y_pred` are the held-out horizon, `y_train` the
history the forecast was made from. Definitions follow the M4 competition (Makridakis et al. 2020) for MASE
and sMAPE and GluonTS for the weighted quantile loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from trainwright.errors import DataError


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise DataError(f"A forecast of {y_pred.size} values cannot be scored against {y_true.size} actual "
                        "values: pass one forecast per held-out period.")
    return y_true, y_pred


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def smape(y_true, y_pred) -> float:
    """Symmetric MAPE in percent (0 to 200), as in M4: mean of 200·|y − ŷ| / (|y| + |ŷ|).

    A period where both the actual and the forecast are 0 counts as a perfect forecast (0), not a division by 0.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    terms = np.divide(200.0 * np.abs(y_true - y_pred), denominator, out=np.zeros_like(denominator),
                      where=denominator > 0)
    return float(np.mean(terms))


def mase_scale(y_train, season_length: int) -> float:
    """The in-sample MAE of the seasonal naive forecast (y[t] predicted by y[t − m]), MASE's denominator.

    A history shorter than two seasons has too few seasonal differences to be a fair scale, so the lag falls
    back to 1 (the naive forecast), as the M4 code does for short series.
    """
    y_train = np.asarray(y_train, dtype=float).ravel()
    lag = season_length if season_length > 1 and y_train.size >= 2 * season_length else 1
    if y_train.size <= lag:
        raise DataError(f"MASE needs a history longer than {lag} value(s) to scale by; this one has "
                        f"{y_train.size}. Use MAE or RMSE for so short a series.")
    return float(np.mean(np.abs(y_train[lag:] - y_train[:-lag])))


def mase(y_true, y_pred, y_train, season_length: int) -> float:
    """Mean absolute scaled error: the forecast's MAE over the in-sample seasonal-naive MAE (`mase_scale`).

    Below 1 the forecast beats the seasonal naive method's one-step errors in the history. A history that never
    changes has scale 0: MASE is then undefined and returned as NaN (`geometric_mean` skips it).
    """
    scale = mase_scale(y_train, season_length)
    error = mae(y_true, y_pred)
    return float(error / scale) if scale > 0 else float("nan")


def geometric_mean(values: Iterable[float]) -> float:
    """Geometric mean of per-series scores such as MASE, the summary that one series' huge ratio cannot dominate.

    NaN values (undefined scores) are left out; a score of 0 (a perfect forecast) makes the mean 0.
    """
    values = np.asarray(list(values), dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    if np.any(values < 0):
        raise DataError("A geometric mean needs scores of 0 or more, such as MASE; got a negative one.")
    if np.any(values == 0):
        return 0.0
    return float(np.exp(np.mean(np.log(values))))


def _quantile_items(quantile_preds: Mapping[float, np.ndarray], size: int) -> list[tuple[float, np.ndarray]]:
    if not quantile_preds:
        raise DataError("No quantile forecasts to score: ask the model's forecast for quantiles, e.g. 0.1, 0.5, "
                        "0.9.")
    items = []
    for q, pred in sorted(quantile_preds.items()):
        if not 0 < q < 1:
            raise DataError(f"Quantile {q} is not between 0 and 1 (exclusive); use values such as 0.1, 0.5, 0.9.")
        pred = np.asarray(pred, dtype=float).ravel()
        if pred.size != size:
            raise DataError(f"The {q} quantile forecast has {pred.size} values for {size} actual values.")
        items.append((float(q), pred))
    return items


def pinball_loss(y_true, y_quantile, quantile: float) -> np.ndarray:
    """The quantile (pinball) loss of each period: q·(y − ŷ) when under-forecast, (1 − q)·(ŷ − y) when over."""
    y_true, y_quantile = _pair(y_true, y_quantile)
    diff = y_true - y_quantile
    return np.maximum(quantile * diff, (quantile - 1) * diff)


def weighted_quantile_loss(y_true, quantile_preds: Mapping[float, np.ndarray]) -> float:
    """Mean over the quantiles of 2·Σ pinball loss / Σ|y| (GluonTS `mean_wQuantileLoss`).

    `quantile_preds` maps each quantile (e.g. 0.1) to its forecast array. At the 0.5 quantile alone the figure
    equals Σ|y − ŷ| / Σ|y| (the weighted absolute percentage error). Σ|y| = 0 makes it undefined: NaN.
    """
    y_true = np.asarray(y_true, dtype=float).ravel()
    items = _quantile_items(quantile_preds, y_true.size)
    scale = np.sum(np.abs(y_true))
    if scale == 0:
        return float("nan")
    losses = [2.0 * np.sum(pinball_loss(y_true, pred, q)) / scale for q, pred in items]
    return float(np.mean(losses))


def coverage(y_true, lower, upper) -> float:
    """Share of actual values inside [lower, upper], bounds included: 0.8 is ideal for an 80% interval."""
    y_true, lower = _pair(y_true, lower)
    _, upper = _pair(y_true, upper)
    return float(np.mean((y_true >= lower) & (y_true <= upper)))
