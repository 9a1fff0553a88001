"""Forecasts of a learned global model (models/nbeats.py), trained by the one Trainer on the quantile task over
the windows of forecast/windows.py: from its outputs on scaled windows to quantile forecasts in series units.

Quantile heads are trained independently, so two levels may cross; sorting each point's levels (the
rearrangement of Chernozhukov et al. 2010) gives ordered quantiles and never raises the pinball loss.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .windows import Windows, unscale


@torch.no_grad()
def predict_quantiles(model: nn.Module, windows: Windows, batch_size: int = 1024) -> np.ndarray:
    """(n windows, horizon, quantiles) forecasts in the series' units, sorted at each point: the last axis
    follows the levels in ascending order, `sorted(model.quantiles)`, whatever order they were given in."""
    was_training = model.training
    model.eval()
    levels = len(model.quantiles)
    parts = []
    for start in range(0, len(windows), batch_size):
        numeric = torch.from_numpy(windows.inputs[start:start + batch_size])
        parts.append(model(numeric=numeric).reshape(len(numeric), -1, levels).float().numpy())
    model.train(was_training)
    scaled = np.sort(np.concatenate(parts).astype(np.float64), axis=-1)
    return unscale(scaled, windows)


def by_series(windows: Windows, forecasts: np.ndarray) -> dict[str, np.ndarray]:
    """The forecast of each series' window, by id (one window per series, as forecast_windows gives)."""
    return {str(key): forecast for key, forecast in zip(windows.series, forecasts)}
