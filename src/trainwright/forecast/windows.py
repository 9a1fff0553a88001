"""Training windows for a global forecaster: every (lookback -> horizon) pair of every series (a uniform draw of
MAX_TRAINING_WINDOWS of them on a large panel), each scaled by its own lookback, packed as table rows so the one
Trainer carries them.

Each window is standardized by its lookback: its mean subtracted, divided by its standard deviation (instance
normalization, RevIN, as PatchTST and the neuralforecast models do). One model then serves series of any level.
Dividing by the mean absolute value or the last value alone (DeepAR, N-BEATS practice) keeps the level in the
input: a series far from zero with a small cycle, such as Mauna Loa CO2 (about 350, a cycle of 3), becomes a
nearly flat line at 1 and was forecast 5 times worse than the seasonal naive forecast on the classic panel. A
flat lookback is scaled by 1.

The last `horizon` points of each series are the validation targets, forecast from the lookback just before
them; training windows end before them, so validation never sees a training target and no window is shuffled
across time (windows are independent rows, each looking only at its own past).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..models.inputs import EncodedInputs

# Training windows a learned model draws from a panel with more: about 25 s an epoch for N-BEATS on 2 cores, and
# enough for one model of every series (N-BEATS itself trains on batches sampled from all windows).
MAX_TRAINING_WINDOWS = 50_000


@dataclass
class Windows:
    """n windows: standardized lookbacks (n, lookback), targets (n, horizon) or None for forecasts, each
    window's lookback mean and scale (n,) and the id of its series (n,)."""

    inputs: np.ndarray  # float32
    targets: np.ndarray | None  # float32
    offsets: np.ndarray  # float64: the lookback's mean
    scales: np.ndarray  # float64: the lookback's standard deviation
    series: np.ndarray  # object: the id of each window's series

    def __len__(self) -> int:
        return len(self.inputs)

    def encoded(self) -> EncodedInputs:
        """The lookbacks as the numeric table features models read (batched as `numeric`)."""
        return EncodedInputs(sequences=None, numeric=self.inputs, categorical=None)


def lookback_length(arrays: dict[str, np.ndarray], season_lengths: dict[str, int], horizon: int,
                    seasons: int = 3) -> int:
    """The lookback: `seasons` seasons (fewer when the shortest series has too few points), a multiple of every
    series' season length, so each window starts at the same phase of its season as its targets do.

    Each series needs lookback + horizon points to train on before its `horizon` validation points.
    """
    season = math.lcm(*season_lengths.values()) if season_lengths else 1
    shortest = min(arrays, key=lambda key: len(arrays[key]))
    room = len(arrays[shortest]) - 2 * horizon
    fits = min(seasons, room // season)
    if fits >= 1:
        return fits * season
    if room >= 1:  # shorter than one season: the longest lookback that leaves a training window
        return room
    raise DataError(f"Series '{shortest}' has {len(arrays[shortest])} points: a learned forecaster of horizon "
                    f"{horizon} needs at least {2 * horizon + 1} (a lookback, a training horizon and a validation "
                    f"horizon). Leave it out (min_length) or forecast a shorter horizon.")


def scales_of(lookbacks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, scales), each (n,): the mean and standard deviation of each lookback (n, lookback), the
    deviation 1 where the lookback is flat."""
    scale = lookbacks.std(axis=1)
    return lookbacks.mean(axis=1), np.where(scale > 1e-12 * np.abs(lookbacks).max(axis=1, initial=0), scale, 1.0)


def unscale(values: np.ndarray, windows: Windows) -> np.ndarray:
    """Standardized values (n, horizon, ...) of `windows` back in the series' units."""
    shape = (-1,) + (1,) * (values.ndim - 1)
    return values * windows.scales.reshape(shape) + windows.offsets.reshape(shape)


def training_windows(arrays: dict[str, np.ndarray], lookback: int, horizon: int, stride: int = 1,
                     max_windows: int | None = None, seed: int = 0) -> tuple[Windows, Windows]:
    """(training, validation) windows of every series: validation forecasts each series' last `horizon`
    points; training windows end before them, every `stride` steps. Windows with a missing value are left out.

    When the series have more than `max_windows` training windows together, `max_windows` of them are drawn
    uniformly over every series and origin (seeded by `seed`), as N-BEATS samples its training windows: the
    cost of a learned model then stops growing with the panel, and a panel under the bound keeps them all.
    """
    for key, values in arrays.items():
        if len(values) < lookback + 2 * horizon:
            raise DataError(f"Series '{key}' has {len(values)} points, fewer than the {lookback + 2 * horizon} "
                            f"a lookback of {lookback} and two horizons of {horizon} need.")
    keys = list(arrays)
    flat = np.concatenate([np.asarray(arrays[key], dtype=np.float64) for key in keys])
    lengths = np.array([len(arrays[key]) for key in keys])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    counts = (lengths - horizon - lookback - horizon) // stride + 1  # windows ending before the validation horizon
    chosen = np.arange(counts.sum())
    if max_windows is not None and len(chosen) > max_windows:
        chosen = np.sort(np.random.default_rng(seed).choice(len(chosen), max_windows, replace=False))
    ends = np.cumsum(counts)
    which = np.searchsorted(ends, chosen, side="right")  # the series of each window
    first = starts[which] + (chosen - (ends - counts)[which]) * stride  # its lookback's first point
    train = flat[first[:, None] + np.arange(lookback + horizon)]
    valid = flat[(starts + lengths - horizon - lookback)[:, None] + np.arange(lookback + horizon)]
    return _windows(train, np.array(keys, dtype=object)[which], lookback), \
        _windows(valid, np.array(keys, dtype=object), lookback)


def forecast_windows(arrays: dict[str, np.ndarray], lookback: int) -> Windows:
    """One window per series: its last `lookback` points, to forecast what follows."""
    rows = []
    for key, values in arrays.items():
        values = np.asarray(values, dtype=np.float64)
        if len(values) < lookback or np.isnan(values[-lookback:]).any():
            raise DataError(f"Series '{key}' needs its last {lookback} points present to be forecast "
                            f"({len(values)} points, {int(np.isnan(values[-lookback:]).sum())} of the last missing). "
                            "Fill its gaps (fill='interpolate') or give a longer history.")
        rows.append(values[-lookback:])
    return _windows(np.array(rows).reshape(len(rows), lookback), np.array(list(arrays), dtype=object), lookback)


def _windows(blocks: np.ndarray, series: np.ndarray, lookback: int) -> Windows:
    """Windows of blocks (n, lookback [+ horizon]) and their series' ids (n,): scaled by their lookbacks, those
    with NaN dropped."""
    keep = ~np.isnan(blocks).any(axis=1)
    blocks, series = blocks[keep], series[keep]
    offsets, scales = scales_of(blocks[:, :lookback])
    scaled = (blocks - offsets[:, None]) / scales[:, None]
    targets = scaled[:, lookback:].astype(np.float32) if blocks.shape[1] > lookback else None
    return Windows(scaled[:, :lookback].astype(np.float32), targets, offsets, scales, series)
