"""`trainwright export RUN --format onnx` on a forecast run: the learned window model (N-BEATS, the LSTM) as an
ONNX graph that onnxruntime runs to the model's outputs on the run's windows, with a JSON that says how to feed
it; a run of statistical models only gets a clear message."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

import trainwright
from trainwright.export.forecast import real_windows
from trainwright.train.forecast_predict import RunForecaster

onnxruntime = pytest.importorskip("onnxruntime")
HORIZON = 4


def write_panel(path, lengths=(40, 36, 30)):
    rng = np.random.default_rng(0)
    rows = []
    for k, n in enumerate(lengths):
        t = np.arange(n)
        values = 20 * (k + 1) + 0.2 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)
        rows += [{"store": f"s{k}", "month": d.strftime("%Y-%m-%d"), "sales": round(v, 3)}
                 for d, v in zip(pd.date_range("2019-01-01", periods=n, freq="MS"), values)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def train(tmp_path, models, name):
    config = trainwright.build_config(overrides={
        "data": {"task": "forecast"}, "forecast": {"horizon": HORIZON, "backtest": 1, "models": models},
        "train": {"epochs": 2, "threads": 1}, "model": {"hidden_size": 16}})  # N-BEATS's sizes; the LSTM keeps its own
    trainwright.train(write_panel(tmp_path / "sales.csv"), out=tmp_path / name, config=config)
    return tmp_path / name


@pytest.mark.parametrize("model", ["nbeats", "lstm"])
def test_learned_model_exports_with_parity_on_the_run_windows(cli, tmp_path, model):
    run = train(tmp_path, [model], "learned")
    result = cli("export", run, "--format", "onnx")
    assert result.code == 0, result.stderr
    assert "outputs within" in result.stderr and "Traceback" not in result.stderr
    record = json.loads((run / "onnx" / "forecast.json").read_text())
    learned = RunForecaster(run).window_model()
    assert record["lookback"] == learned.lookback and record["horizon"] == HORIZON
    assert record["quantiles"] == pytest.approx([0.1, 0.5, 0.9]) and "std(window)" in record["scaling"]
    assert record["parity"]["max_abs_difference"] <= 1e-4 and record["parity"]["windows"] >= 3

    # following forecast.json alone, onnxruntime gives the run's forecast of each series
    session = onnxruntime.InferenceSession(str(run / "onnx" / "forecast.onnx"), providers=["CPUExecutionProvider"])
    saved = pd.read_csv(run / "forecasts.csv")
    for key, history in RunForecaster(run).histories().items():
        window = history[-record["lookback"]:]
        mean, std = window.mean(), window.std() or 1.0
        scaled = ((window - mean) / std).astype(np.float32)[None, :]
        out = session.run(None, {"numeric": scaled})[0].reshape(1, HORIZON, -1)
        forecast = np.sort(out[0].astype(np.float64), axis=-1) * std + mean
        np.testing.assert_allclose(forecast[:, 1], saved[saved["id"] == key]["point"], rtol=1e-4, atol=1e-4)
    # every batch size, not only the traced one
    windows = real_windows(RunForecaster(run).histories(), record["lookback"])
    with torch.no_grad():
        expected = learned.model(numeric=torch.from_numpy(windows)).numpy()
    np.testing.assert_allclose(session.run(None, {"numeric": windows})[0], expected, atol=1e-4)


def test_a_statistical_run_has_nothing_to_export(cli, tmp_path):
    run = train(tmp_path, ["naive", "seasonal_naive"], "statistical")
    result = cli("export", run, "--format", "onnx")
    assert result.code != 0 and "Traceback" not in result.stderr
    assert "nothing to export" in result.stderr and "trainwright serve RUN" in result.stderr
    assert not (run / "onnx").exists()
