"""N-BEATS on the quantile task, trained across a panel by the one Trainer: it forecasts a seasonal panel better
than the naive forecast, its quantiles come out ordered, and its loss is the pinball loss."""

import numpy as np
import pytest
import torch

import trainwright
from trainwright import tasks
from trainwright.forecast.learned import by_series, predict_quantiles
from trainwright.forecast.windows import forecast_windows, lookback_length, training_windows
from trainwright.models import build_model, model_sizes
from trainwright.train.trainer import Trainer, logged_metrics

HORIZON, SEASON = 6, 12


def seasonal_panel(n_series: int = 4, length: int = 96, seed: int = 0) -> dict[str, np.ndarray]:
    """Monthly-like series: a level, a trend and a yearly cycle of their own, and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return {f"s{i}": 10 * (i + 1) + 0.05 * (i + 1) * t + (2 + i) * np.sin(2 * np.pi * (t + i) / SEASON)
            + rng.normal(0, 0.2, length) for i in range(n_series)}


def test_pinball_loss_against_a_hand_value():
    # one row, horizon 2, levels 0.1 and 0.9; target [1, 2]
    outputs = torch.tensor([[0.0, 2.0, 3.0, 1.0]])  # (horizon 1: q0.1=0, q0.9=2), (horizon 2: q0.1=3, q0.9=1)
    target = torch.tensor([[1.0, 2.0]])
    # errors target - forecast: 1, -1, -1, 1 -> costs 0.1 * 1, 0.1 * 1, 0.9 * 1, 0.9 * 1
    loss = tasks.loss("quantile", outputs, target, quantiles=torch.tensor([0.1, 0.9]))
    assert loss.item() == pytest.approx((0.1 + 0.1 + 0.9 + 0.9) / 4)


def test_the_quantile_task_logs_a_loss_and_no_accuracy():
    assert logged_metrics("quantile") == "val_loss, train_loss"
    assert "quantile" in tasks.TASKS


@pytest.fixture(scope="module")
def trained():
    panel = seasonal_panel()
    history = {key: values[:-HORIZON] for key, values in panel.items()}  # the last horizon is the test
    lookback = lookback_length(history, {key: SEASON for key in history}, HORIZON, seasons=2)
    train, valid = training_windows(history, lookback, HORIZON)
    config = trainwright.build_config(overrides={
        "model": {"name": "nbeats", "hidden_size": 64, "num_layers": 2, "num_blocks": 2},
        "train": {"threads": 1, "epochs": 30, "batch_size": 32, "learning_rate": 3e-3, "seed": 0,
                  "accelerator": "cpu"},
        "stopping": {"patience": 30}})
    torch.manual_seed(0)
    model = build_model("nbeats", **model_sizes("nbeats", config.model, {"num_numeric": lookback}, HORIZON))
    history_log = Trainer(config).fit(model, "quantile", train.encoded(), train.targets, valid.encoded(),
                                      valid.targets, pad=None)
    windows = forecast_windows(history, lookback)
    return panel, by_series(windows, predict_quantiles(model, windows)), history_log


def test_trained_across_the_panel_it_beats_the_naive_forecast(trained):
    panel, forecasts, history_log = trained
    assert history_log and "val_loss" in history_log[-1]
    model_error = np.mean([np.abs(forecasts[key][:, 1] - values[-HORIZON:]).mean() for key, values in panel.items()])
    naive_error = np.mean([np.abs(values[-HORIZON - 1] - values[-HORIZON:]).mean() for values in panel.values()])
    assert model_error < 0.5 * naive_error, (model_error, naive_error)


def test_quantiles_come_out_ordered(trained):
    _, forecasts, _ = trained
    for forecast in forecasts.values():
        assert forecast.shape == (HORIZON, 3)
        assert (np.diff(forecast, axis=1) >= 0).all()


def test_crossed_outputs_are_sorted_at_prediction():
    model = build_model("nbeats", num_numeric=4, num_outputs=2, quantiles=[0.1, 0.9], num_blocks=1, num_layers=1,
                        hidden_size=4)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        model.blocks[0].forecast.bias.copy_(torch.tensor([2.0, 1.0, 5.0, 3.0]))  # both points' levels crossed
    windows = forecast_windows({"a": np.ones(8)}, 4)  # a flat lookback at 1: offset 1, scale 1
    np.testing.assert_allclose(predict_quantiles(model, windows)[0], [[2.0, 3.0], [4.0, 6.0]])
