"""Forecast metrics against values worked out by hand, and rolling-origin backtest windows."""

import logging
import math

import numpy as np
import pytest

from trainwright.errors import DataError
from trainwright.forecast.backtest import backtest_windows
from trainwright.forecast.metrics import (coverage, geometric_mean, mae, mase, mase_scale, pinball_loss, rmse,
                                         smape, weighted_quantile_loss)

ACTUAL = np.array([10.0, 12.0, 8.0])
FORECAST = np.array([11.0, 12.0, 10.0])  # errors -1, 0, -2


def test_mae_and_rmse_by_hand():
    assert mae(ACTUAL, FORECAST) == pytest.approx(1.0)  # (1 + 0 + 2) / 3
    assert rmse(ACTUAL, FORECAST) == pytest.approx(math.sqrt(5 / 3))  # (1 + 0 + 4) / 3


def test_smape_by_hand_and_zero_over_zero():
    # 200 * (1/21 + 0/24 + 2/18) / 3
    assert smape(ACTUAL, FORECAST) == pytest.approx(200 * (1 / 21 + 2 / 18) / 3)
    assert smape([0.0, 4.0], [0.0, 4.0]) == 0.0
    assert smape([1.0], [-1.0]) == pytest.approx(200.0)


def test_mase_is_scaled_by_the_seasonal_naive_error_in_sample():
    history = np.array([1.0, 5.0, 2.0, 7.0, 4.0, 9.0])  # season 2: differences y[t] - y[t-2] = 1, 2, 2, 2
    assert mase_scale(history, 2) == pytest.approx(7 / 4)
    assert mase(ACTUAL, FORECAST, history, 2) == pytest.approx(1.0 / (7 / 4))


def test_mase_falls_back_to_lag_one_below_two_seasons():
    history = np.array([1.0, 3.0, 2.0, 6.0])  # 4 values < 2 seasons of 4: lag-1 differences 2, 1, 4
    assert mase_scale(history, 4) == pytest.approx(7 / 3)
    assert mase_scale(history, 2) == pytest.approx((1 + 3) / 2)  # exactly two seasons: the seasonal lag


def test_mase_of_a_constant_history_is_nan_and_a_one_value_history_is_an_error():
    assert math.isnan(mase([1.0], [2.0], [3.0, 3.0, 3.0], 1))
    with pytest.raises(DataError, match="history longer than 1"):
        mase([1.0], [2.0], [3.0], 1)


def test_geometric_mean():
    assert geometric_mean([1.0, 4.0]) == pytest.approx(2.0)
    assert geometric_mean([2.0, float("nan"), 8.0]) == pytest.approx(4.0)  # undefined scores left out
    assert geometric_mean([0.0, 3.0]) == 0.0
    assert math.isnan(geometric_mean([]))


def test_pinball_and_weighted_quantile_loss_by_hand():
    assert pinball_loss([10.0, 10.0], [8.0, 13.0], 0.9) == pytest.approx([0.9 * 2, 0.1 * 3])
    quantiles = {0.1: np.array([8.0, 10.0, 6.0]), 0.9: np.array([13.0, 14.0, 9.0])}
    # q=0.1: under-forecasts 2, 2, 2 -> 0.1 * 6 = 0.6; q=0.9: over-forecasts 3, 2, 1 -> 0.1 * 6 = 0.6
    expected = (2 * 0.6 / 30 + 2 * 0.6 / 30) / 2
    assert weighted_quantile_loss(ACTUAL, quantiles) == pytest.approx(expected)
    # At the median alone it is the weighted absolute percentage error.
    assert weighted_quantile_loss(ACTUAL, {0.5: FORECAST}) == pytest.approx(3 / 30)


def test_weighted_quantile_loss_names_bad_input():
    with pytest.raises(DataError, match="Quantile 1.5"):
        weighted_quantile_loss(ACTUAL, {1.5: FORECAST})
    with pytest.raises(DataError, match="0.5 quantile forecast has 2 values for 3"):
        weighted_quantile_loss(ACTUAL, {0.5: FORECAST[:2]})


def test_coverage_counts_bounds_as_inside():
    assert coverage(ACTUAL, [10.0, 13.0, 7.0], [11.0, 14.0, 8.0]) == pytest.approx(2 / 3)


def test_mismatched_lengths_are_a_clear_error():
    with pytest.raises(DataError, match="forecast of 2 values cannot be scored against 3"):
        mae(ACTUAL, FORECAST[:2])


# Rolling-origin backtest windows


def test_windows_end_at_the_end_of_the_training_part_in_time_order():
    windows = backtest_windows(20, horizon=3, windows=3)
    assert [(w.train_end, w.test_end) for w in windows] == [(11, 14), (14, 17), (17, 20)]
    y = np.arange(20.0)
    train, test = windows[0].split(y)
    assert train.tolist() == list(range(11)) and test.tolist() == [11.0, 12.0, 13.0]


def test_a_short_series_gets_fewer_windows_and_it_is_said(caplog):
    with caplog.at_level(logging.INFO, logger="trainwright"):
        windows = backtest_windows(10, horizon=3, windows=3, min_train=4, name="UKgas")
    assert [(w.train_end, w.test_end) for w in windows] == [(4, 7), (7, 10)]
    assert "UKgas" in caplog.text and "2 backtest windows instead of 3" in caplog.text


def test_a_series_too_short_for_any_window_gets_none(caplog):
    with caplog.at_level(logging.INFO, logger="trainwright"):
        assert backtest_windows(5, horizon=3, windows=2, min_train=4, name="short") == []
    assert "short" in caplog.text and "no backtest window" in caplog.text


def test_window_arguments_are_checked():
    with pytest.raises(DataError, match="horizon"):
        backtest_windows(10, horizon=0, windows=2)
