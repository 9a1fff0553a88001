"""The learned candidates beside N-BEATS: the LSTM forecaster (models/lstm_forecaster.py) trained and saved as
N-BEATS is, and LightGBM and the LSTM chosen in a forecast run, saved, and forecasting a newer history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import trainwright
from trainwright.forecast.boosted import BoostedForecaster
from trainwright.models import ARCHITECTURES, build_model
from trainwright.train.forecast_learned import fit_learned, load_learned, save_learned
from trainwright.train.forecast_predict import forecast_history
from trainwright.train.forecasting import train_forecast

FAST = {"train": {"threads": 1, "epochs": 2, "batch_size": 32}}


def sine_panel(n: int = 60) -> dict[str, np.ndarray]:
    t = np.arange(float(n))
    return {f"s{i}": 10 * (i + 1) + 3 * np.sin(2 * np.pi * t / 12) for i in range(3)}


def test_lstm_forecaster_reads_a_lookback_and_outputs_each_step_per_level():
    assert "lstm_forecaster" in ARCHITECTURES
    model = build_model("lstm_forecaster", num_numeric=24, num_outputs=6, quantiles=[0.1, 0.5, 0.9], hidden_size=8)
    assert model(numeric=torch.zeros(5, 24)).shape == (5, 6 * 3)


@pytest.mark.parametrize("name", ["lstm", "nbeats"])
def test_window_models_train_save_and_load_to_identical_forecasts(name, tmp_path):
    panel = sine_panel()
    config = trainwright.build_config(overrides={**FAST, "data": {"task": "forecast"},
                                                 "model": {"name": "nbeats", "hidden_size": 16, "num_blocks": 1},
                                                 "forecast": {"horizon": 6, "quantiles": [0.1, 0.9]}})
    learned = fit_learned(panel, {key: 12 for key in panel}, config, name=name)
    before = learned.forecast(panel, [0.1, 0.9])
    save_learned(learned, tmp_path)
    files = {"lstm": ["lstm.json", "lstm.safetensors"], "nbeats": ["model.json", "weights.safetensors"]}[name]
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # N-BEATS keeps the layout of earlier runs
    after = load_learned(tmp_path, name).forecast(panel, [0.1, 0.9])
    for key, forecast in before.items():
        np.testing.assert_array_equal(after[key].point, forecast.point)
        assert np.all(forecast.quantiles[0.1] <= forecast.point) and np.all(forecast.point <= forecast.quantiles[0.9])


def write_sales(path, n: int = 54) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for k in range(3):
        t = np.arange(n)
        values = 40 * (k + 1) + 0.5 * t + 6 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, n)
        rows += [{"store": f"s{k}", "month": d.date().isoformat(), "sales": v}
                 for d, v in zip(pd.date_range("2019-01-01", periods=n, freq="MS"), values)]
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.parametrize(("model", "files"), [("lightgbm", {"lightgbm.json", "lightgbm-q0.5.txt"}),
                                              ("lstm", {"lstm.json", "lstm.safetensors"})])
def test_a_learned_candidate_is_chosen_saved_and_forecasts_a_newer_history(model, files, tmp_path):
    frame = write_sales(tmp_path / "all.csv")
    older = frame.groupby("store").head(48)
    older.to_csv(tmp_path / "older.csv", index=False)
    config = trainwright.build_config(overrides={**FAST, "data": {"task": "forecast"},
                                                 "forecast": {"horizon": 6, "backtest": 1, "models": [model]}})
    run = train_forecast(tmp_path / "older.csv", out=tmp_path / "run", config=config)
    assert {s["model"] for s in run.record["series"]} == {model}
    assert files <= {p.name for p in (tmp_path / "run").iterdir()}
    newer = forecast_history(tmp_path / "run", tmp_path / "all.csv")
    assert newer["date"].min() == "2023-07-01" and len(newer) == 3 * 6  # after the newer history's end
    assert np.isfinite(newer[["point", "0.1", "0.9"]].to_numpy()).all()
    if model == "lightgbm":  # the saved boosters, not a refit, forecast the newer history
        boosted = BoostedForecaster.load(tmp_path / "run")
        assert boosted.levels_ == [0.1, 0.5, 0.9]
    assert (newer["0.1"] <= newer["point"]).all() and (newer["point"] <= newer["0.9"]).all()
