"""A forecast run on a large panel: per-series fits in worker processes give the serial run's results, the
candidate budget leaves out what a panel cannot afford (and says so) but honours an explicit list, and the run's
record keeps backtest forecasts only where they are shown."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trainwright.config import DEFAULT_FORECAST_MODELS, build_config
from trainwright.train import forecast_parallel
from trainwright.train.forecast_budget import DEFAULT_BUDGET_S, plan_candidates, worker_count
from trainwright.train.forecasting import train_forecast

forecasting = importlib.import_module("trainwright.train.forecasting")  # trainwright.train.train hides the name


def write_panel(path: Path, series: int, points: int) -> Path:
    """Monthly series with a level, a trend, a yearly cycle and noise, `id,ds,y`."""
    rng = np.random.default_rng(1)
    t = np.arange(points)
    dates = pd.date_range("2015-01-01", periods=points, freq="MS").strftime("%Y-%m-%d")
    frames = [pd.DataFrame({"id": f"s{k:02d}", "ds": dates, "y": 100 + 10 * k + 0.5 * t
                            + 8 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 1, points)})
              for k in range(series)]
    pd.concat(frames).to_csv(path, index=False)
    return path


def config(**forecast):
    return build_config(None, {"forecast": {"horizon": 6, "backtest": 2, **forecast}, "train": {"threads": 2}})


def record(run: Path) -> dict:
    return json.loads((run / "forecast.json").read_text(encoding="utf-8"))


@pytest.mark.slow  # two runs, one with worker processes that import trainwright
def test_parallel_fits_equal_the_serial_ones(tmp_path, monkeypatch, caplog):
    file = write_panel(tmp_path / "panel.csv", series=8, points=36)
    models = ["seasonal_naive", "naive", "ets", "theta"]  # ARIMA's search is the same code, and slow
    caplog.set_level(logging.INFO, logger="trainwright")
    monkeypatch.setattr(forecasting, "worker_count", lambda config, lengths, threads: 1)
    serial = train_forecast(file, out=tmp_path / "serial", config=config(models=models))
    serial_log = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Series")]
    caplog.clear()
    calls = []
    pool = forecast_parallel.ProcessPoolExecutor
    monkeypatch.setattr(forecast_parallel, "ProcessPoolExecutor", lambda **kw: calls.append(kw) or pool(**kw))
    monkeypatch.setattr(forecasting, "worker_count", lambda config, lengths, threads: 2)
    parallel = train_forecast(file, out=tmp_path / "parallel", config=config(models=models))
    parallel_log = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Series")]
    assert len(calls) == 2 and calls[0]["max_workers"] == 2  # backtests and refits, each on 2 processes
    assert record(serial.path) == record(parallel.path)
    assert serial_log == parallel_log and len(serial_log) >= 8  # the workers' messages, told in the serial order
    assert (serial.path / "forecasts.csv").read_bytes() == (parallel.path / "forecasts.csv").read_bytes()


def test_a_small_panel_keeps_every_candidate():
    plan = plan_candidates(config(), [144] * 6, workers=2)  # the classic panel's size
    assert plan.left_out == [] and plan.message(6) is None
    assert plan.models == [m for m in DEFAULT_FORECAST_MODELS if m != "lightgbm"]  # it reads covariates


def test_lightgbm_is_a_default_candidate_only_with_covariates_or_when_named():
    with_covariates = plan_candidates(config(covariates=["promo"]), [144] * 6, workers=2)
    assert with_covariates.models == list(DEFAULT_FORECAST_MODELS)
    assert plan_candidates(config(models=["ets", "lightgbm"]), [144] * 6, workers=2).models == ["ets", "lightgbm"]


def test_a_large_panel_leaves_out_what_it_cannot_afford():
    plan = plan_candidates(config(), [188] * 10_000, workers=2)
    assert "arima" in plan.left_out and "combination" in plan.left_out
    assert "seasonal_naive" in plan.models and plan.seconds <= DEFAULT_BUDGET_S
    message = plan.message(10_000)
    assert message.startswith("10,000 series: ") and "arima" in message and "left out to fit the budget" in message
    assert "--model " + ",".join(plan.models + plan.left_out) in message
    # more cores or a larger --time-limit afford more
    assert set(plan_candidates(config(), [188] * 10_000, workers=64).models) > set(plan.models)
    generous = build_config(None, {"forecast": {"horizon": 6}, "train": {"time_limit": 10 * DEFAULT_BUDGET_S}})
    assert len(plan_candidates(generous, [188] * 1_000, workers=2).left_out) < len(plan.left_out)


def test_an_explicit_model_list_is_always_honoured():
    wanted = ["seasonal_naive", "arima"]
    plan = plan_candidates(config(models=wanted), [188] * 10_000, workers=2)
    assert plan.models == wanted and plan.left_out == []


def test_a_tight_time_limit_keeps_the_fallback_and_says_so(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="trainwright")
    monkeypatch.setattr(importlib.import_module("trainwright.train.forecast_record"), "BACKTESTS_KEPT", 1)
    file = write_panel(tmp_path / "panel.csv", series=3, points=40)
    tight = build_config(None, {"forecast": {"horizon": 6, "backtest": 2}, "train": {"time_limit": 0.01, "threads": 1}})
    run = train_forecast(file, out=tmp_path / "run", config=tight)
    told = [r.getMessage() for r in caplog.records if "left out to fit the budget" in r.getMessage()]
    assert len(told) == 1 and told[0].startswith("3 series: ")
    saved = json.loads((run.path / "config.json").read_text(encoding="utf-8"))
    assert "arima" not in saved["forecast"]["models"] and "seasonal_naive" in saved["forecast"]["models"]
    assert {row["model"] for row in record(run.path)["leaderboard"]} - {"chosen"} <= set(saved["forecast"]["models"])
    # backtest forecasts are kept only for the worst series, the one a report draws first
    series = record(run.path)["series"]
    worst = max(series, key=lambda s: s["scores"][s["model"]]["mase"])
    assert [s["id"] for s in series if s["backtests"]] == [worst["id"]] and len(worst["backtests"]) == 2


def test_workers_only_when_the_fits_are_worth_them():
    assert worker_count(config(), [40] * 3, threads=8) == 1
    assert worker_count(config(), [188] * 1_000, threads=8) == 8
