"""Training windows: lookback a multiple of the seasons, each window scaled by its lookback and back, the last
horizon held out for validation, and no target ever inside an input."""

import numpy as np
import pytest

from trainwright.errors import DataError
from trainwright.forecast.windows import (forecast_windows, lookback_length, scales_of, training_windows,
                                          unscale)

# the value at position t is t + 1: any window's values say where in the series they come from
RAMPS = {"long": np.arange(1.0, 101.0), "short": np.arange(1.0, 61.0)}


def test_lookback_is_whole_seasons_of_every_series_capped_by_the_shortest():
    assert lookback_length(RAMPS, {"long": 12, "short": 12}, 6) == 36
    assert lookback_length(RAMPS, {"long": 12, "short": 4}, 6) == 36  # a multiple of both seasons
    assert lookback_length(RAMPS, {"long": 12, "short": 12}, 12) == 36  # 60 - 2 x 12 leaves three seasons
    assert lookback_length(RAMPS, {"long": 12, "short": 12}, 20) == 12  # 60 - 40 leaves one
    assert lookback_length({"a": np.arange(30.0)}, {"a": 12}, 10) == 10  # less than a season: what is left


def test_a_series_too_short_for_any_window_is_named():
    with pytest.raises(DataError, match="Series 'short' has 60 points: .* horizon 30 needs at least 61"):
        lookback_length(RAMPS, {"long": 12, "short": 12}, 30)


def test_windows_scale_by_their_lookback_and_unscale_back():
    train, valid = training_windows(RAMPS, 24, 6)
    for windows in (train, valid):
        lookbacks = unscale(windows.inputs.astype(np.float64), windows)
        targets = unscale(windows.targets.astype(np.float64), windows)
        np.testing.assert_allclose(windows.inputs.mean(axis=1), 0.0, atol=1e-5)
        np.testing.assert_allclose(windows.inputs.std(axis=1), 1.0, rtol=1e-5)
        np.testing.assert_allclose(windows.offsets, lookbacks.mean(axis=1), rtol=1e-6)
        # consecutive positions: the targets continue the lookback with no gap and no overlap
        np.testing.assert_allclose(np.diff(np.hstack([lookbacks, targets]), axis=1), 1.0, rtol=1e-4)


def test_validation_holds_out_each_series_last_horizon_and_training_never_reaches_it():
    train, valid = training_windows(RAMPS, 24, 6, stride=1)
    assert list(valid.series) == ["long", "short"]
    targets = unscale(valid.targets.astype(np.float64), valid)
    np.testing.assert_allclose(targets, [np.arange(95.0, 101.0), np.arange(55.0, 61.0)], rtol=1e-6)
    for key, values in RAMPS.items():
        rows = train.series == key
        seen = unscale(train.targets.astype(np.float64), train)[rows]
        assert seen.max() == pytest.approx(len(values) - 6)  # up to the validation horizon, never into it
        assert rows.sum() == len(values) - 6 - 24 - 6 + 1  # every origin of the training part


def test_windows_with_a_missing_value_are_left_out():
    gappy = {"a": np.arange(1.0, 61.0)}
    gappy["a"][10] = np.nan
    train, _ = training_windows(gappy, 12, 6)
    full, _ = training_windows({"a": np.arange(1.0, 61.0)}, 12, 6)
    assert len(train) == len(full) - 11  # the windows of 18 points that start at 0 to 10 cover position 10
    assert not np.isnan(train.inputs).any()


def test_forecast_windows_are_each_series_last_lookback():
    windows = forecast_windows(RAMPS, 24)
    assert windows.targets is None
    np.testing.assert_allclose(unscale(windows.inputs.astype(np.float64), windows),
                               [np.arange(77.0, 101.0), np.arange(37.0, 61.0)], rtol=1e-6)
    with pytest.raises(DataError, match="Series 'short' needs its last 80 points"):
        forecast_windows(RAMPS, 80)


def test_a_flat_lookback_is_scaled_by_one():
    offsets, scales = scales_of(np.array([[0.0, 0.0], [5.0, 5.0]]))
    assert offsets.tolist() == [0.0, 5.0] and scales.tolist() == [1.0, 1.0]


def test_windows_are_table_rows_the_trainer_batches():
    train, _ = training_windows(RAMPS, 24, 6)
    encoded = train.encoded()
    assert encoded.sequences is None and encoded.categorical is None and len(encoded) == len(train)
    batch = encoded.batch([0, 3], pad=None)
    assert list(batch) == ["numeric"] and batch["numeric"].shape == (2, 24)
