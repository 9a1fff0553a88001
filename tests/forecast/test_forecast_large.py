"""A large panel stays affordable: learned models draw a bounded sample of training windows (all of them on a
panel under the bound), the budget keeps them at 10,000 series, and a newer history's refits in worker processes
give the serial forecasts."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from trainwright.config import build_config
from trainwright.forecast.lags import History, training_rows
from trainwright.forecast.windows import training_windows
from trainwright.train.forecast_budget import plan_candidates
from trainwright.train.forecast_predict import forecast_history
from trainwright.train.forecasting import train_forecast

forecast_predict = importlib.import_module("trainwright.train.forecast_predict")


def write_panel(path, series: int, points: int):
    """Monthly series with a level, a trend, a yearly cycle and noise, `id,ds,y`."""
    rng = np.random.default_rng(1)
    t = np.arange(points)
    dates = pd.date_range("2015-01-01", periods=points, freq="MS").strftime("%Y-%m-%d")
    pd.concat([pd.DataFrame({"id": f"s{k:02d}", "ds": dates, "y": 100 + 10 * k + 0.5 * t
                             + 8 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 1, points)})
               for k in range(series)]).to_csv(path, index=False)
    return path


def random_arrays(series: int, rng) -> dict[str, np.ndarray]:
    return {f"s{k}": rng.normal(100, 10, int(rng.integers(40, 80))) for k in range(series)}


def test_a_panel_under_the_bound_keeps_every_window_in_order():
    arrays = random_arrays(5, np.random.default_rng(0))
    every, valid = training_windows(arrays, lookback=12, horizon=6)
    bounded, bounded_valid = training_windows(arrays, lookback=12, horizon=6, max_windows=10_000, seed=3)
    assert len(every) == sum(len(a) - 12 - 2 * 6 + 1 for a in arrays.values())
    np.testing.assert_array_equal(every.inputs, bounded.inputs)
    np.testing.assert_array_equal(every.targets, bounded.targets)
    assert list(every.series) == list(bounded.series) and len(valid) == len(bounded_valid) == 5


def test_a_large_panel_draws_the_bound_uniformly_over_series_and_origins():
    arrays = random_arrays(200, np.random.default_rng(1))
    every, _ = training_windows(arrays, lookback=12, horizon=6)
    drawn, valid = training_windows(arrays, lookback=12, horizon=6, max_windows=2_000, seed=0)
    again, _ = training_windows(arrays, lookback=12, horizon=6, max_windows=2_000, seed=0)
    assert len(every) > 7_000 and len(drawn) == 2_000 and len(valid) == 200
    np.testing.assert_array_equal(drawn.inputs, again.inputs)  # seeded: the same run draws the same windows
    # every drawn window is one of the panel's, with its own series
    known = {(key, row.tobytes()) for key, row in zip(every.series, every.inputs)}
    assert all((key, row.tobytes()) in known for key, row in zip(drawn.series, drawn.inputs))
    # uniform over origins: each series' share of the draw follows its share of the windows
    share = pd.Series(drawn.series).value_counts().reindex(list(arrays)) / len(drawn)
    expected = pd.Series(every.series).value_counts().reindex(list(arrays)) / len(every)
    assert share.notna().mean() > 0.95 and abs(share.fillna(0) - expected).sum() < 0.35


def test_lightgbm_rows_are_bounded_by_sampled_origins():
    rng = np.random.default_rng(2)
    histories = {key: History(values, pd.date_range("2000-01-01", periods=len(values), freq="MS"), np.empty((len(values), 0)))
                 for key, values in random_arrays(50, rng).items()}
    features, targets = training_rows(histories, 12, 6, 12, ("month",))
    same, _ = training_rows(histories, 12, 6, 12, ("month",), max_origins=10**6)
    drawn, drawn_targets = training_rows(histories, 12, 6, 12, ("month",), max_origins=300, seed=0)
    np.testing.assert_array_equal(features, same)
    assert len(drawn) == len(drawn_targets) == 300 * 6 and len(features) > 5 * len(drawn)
    known = {row.tobytes() for row in features}
    assert all(row.tobytes() in known for row in drawn)


def test_the_budget_keeps_the_global_models_at_ten_thousand_series():
    config = build_config(None, {"forecast": {"horizon": 12, "covariates": ["promo"]}, "train": {"threads": 2}})
    plan = plan_candidates(config, [188] * 10_000, workers=2)
    assert {"nbeats", "lightgbm", "seasonal_naive"} <= set(plan.models)
    assert "arima" in plan.left_out
    # their cost no longer grows with the panel: ten times the series still afford them
    assert {"nbeats", "lightgbm"} <= set(plan_candidates(config, [188] * 100_000, workers=2).models)


@pytest.mark.slow  # a run, then worker processes that import trainwright
def test_refits_of_a_newer_history_in_workers_equal_the_serial_ones(tmp_path, monkeypatch):
    file = write_panel(tmp_path / "panel.csv", series=8, points=36)
    config = build_config(None, {"forecast": {"horizon": 6, "backtest": 1, "models": ["seasonal_naive", "ets",
                                                                                       "theta"]},
                                 "train": {"threads": 2}})
    run = train_forecast(file, out=tmp_path / "run", config=config)
    monkeypatch.setattr(forecast_predict, "refit_workers", lambda fits, threads: 1)
    serial = forecast_history(run.path, file)
    calls = []
    original = forecast_predict.map_series
    monkeypatch.setattr(forecast_predict, "refit_workers", lambda fits, threads: 2)
    monkeypatch.setattr(forecast_predict, "map_series",
                        lambda function, items, workers: calls.append(workers) or original(function, items, workers))
    parallel = forecast_history(run.path, file)
    assert calls == [2]
    pd.testing.assert_frame_equal(serial, parallel)
    assert len(serial) == 8 * 6


@pytest.mark.parametrize("seed", [0, 1])
def test_reading_a_panel_finds_what_each_series_read_alone_finds(seed):
    """read_panel places series on the grid they share; each comes out as regularize makes it alone: values,
    frequency and findings (gaps, repeats, stray dates, outliers, level shifts, series too short)."""
    from trainwright.forecast.regular import regularize
    from trainwright.forecast.series import read_panel

    rng = np.random.default_rng(seed)
    frames = []
    for k in range(120):
        freq = ["MS", "D", "W-SUN", "QS-JAN"][k % 4] if k % 7 else "MS"
        start = pd.Timestamp("2001-01-01") + pd.Timedelta(days=int(rng.integers(0, 3)) * (k % 5 == 0))
        dates = pd.date_range(start, periods=int(rng.integers(2, 60)), freq=freq)
        values = 100 + rng.normal(0, 1, len(dates)).cumsum()
        if k % 3 == 0:
            values[len(values) // 2:] += 40  # a level shift
        if k % 5 == 1 and len(values) > 6:
            values[3] *= 3  # an outlier
        frame = pd.DataFrame({"id": f"s{k}", "ds": dates, "y": values})
        frame = frame[rng.random(len(frame)) > 0.1 * (k % 2)]  # gaps in every other series
        if k % 11 == 0:
            frame = pd.concat([frame, frame.head(2)])  # repeated timestamps
        if k % 13 == 0:
            frame.loc[frame.index[:3], "y"] = np.nan  # missing values
        frames.append(frame.sample(frac=1, random_state=k))  # rows in any order
    table = pd.concat(frames, ignore_index=True)
    table["ds"] = table["ds"].dt.strftime("%Y-%m-%d")
    panel = read_panel(table, "panel.csv", id="id", time="ds", target="y", min_length=3)
    times = pd.DatetimeIndex(pd.to_datetime(table["ds"]))
    rows = np.arange(1, len(table) + 1)
    kept = 0
    for key, where in table.groupby("id", sort=False).indices.items():
        alone, frequency, found = regularize(key, times[where], table["y"].to_numpy()[where], rows[where], "x")
        if frequency is None or len(alone) < 3:
            assert key not in panel.series
            continue
        kept += 1
        pd.testing.assert_series_equal(panel[key].values, alone, check_freq=True)
        assert panel[key].frequency == frequency
        assert [(f.kind, f.message, f.rows) for f in found] == \
            [(f.kind, f.message, f.rows) for f in panel[key].findings if f.kind not in ("missing_target", "late_start")]
    assert kept > 100
