"""Every defense against overfitting acts: penalties, dropout, early stopping, class weights, smoothing,
schedules, and a monitored metric that does not exist is a clear error."""

import json

import numpy as np
import pytest
import torch

import trainwright
from conftest import make_reviews
from trainwright import tasks
from trainwright.models import LSTMClassifier, LSTMConfig
from trainwright.train.module import lr_factor, penalized_weights
from trainwright.train.trainer import class_weights

SMALL = {"model": {"name": "lstm", "embedding_dim": 16, "hidden_size": 16},
         "train": {"threads": 1, "learning_rate": 0.01}}


def _train(tmp_path, name, frame=None, **sections):
    overrides = {k: dict(v) for k, v in SMALL.items()}
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    path = tmp_path / f"{name}.csv"
    (make_reviews(200) if frame is None else frame).to_csv(path, index=False)
    return trainwright.train(path, out=tmp_path / name, config=trainwright.build_config(overrides=overrides))


def _weight_norm(run) -> float:
    model = trainwright.load(run.path).model
    return float(sum(w.detach().pow(2).sum() for w in penalized_weights(model)))


def test_l2_and_l1_shrink_the_weights(tmp_path):
    plain = {"train": {"epochs": 4}, "stopping": {"enabled": False}}
    none = _weight_norm(_train(tmp_path, "none", **plain))
    assert _weight_norm(_train(tmp_path, "l2", regularization={"l2": 0.01}, **plain)) < 0.7 * none
    assert _weight_norm(_train(tmp_path, "l1", regularization={"l1": 0.001}, **plain)) < none
    assert _weight_norm(_train(tmp_path, "decay", regularization={"weight_decay": 0.5}, **plain)) < none


def test_dropout_acts_in_training_and_not_in_evaluation():
    torch.manual_seed(0)
    model = LSTMClassifier(LSTMConfig(vocab_size=30, num_outputs=1, dropout=0.5, embedding_dropout=0.5))
    ids = torch.randint(1, 30, (8, 6))
    model.train()
    assert not torch.equal(model(ids), model(ids))
    model.eval()
    assert torch.equal(model(ids), model(ids))


def test_early_stopping_stops_and_restores_the_best_epoch_on_data_made_to_overfit(tmp_path):
    frame = make_reviews(200)
    frame["label"] = np.random.default_rng(0).permutation(frame["label"].to_numpy())  # nothing to learn
    run = _train(tmp_path, "overfit", frame, model={"embedding_dim": 64, "hidden_size": 64},
                 train={"epochs": 30, "learning_rate": 0.02})
    losses = [row["val_loss"] for row in run.history]
    best = int(np.argmin(losses))
    assert len(run.history) == best + 1 + 2 < 30  # stopped `patience` (2) epochs after the best
    assert run.metrics["valid"]["loss"] == pytest.approx(losses[best], rel=1e-4)  # the best weights are back


def test_monitor_mode_and_min_delta(tmp_path):
    run = _train(tmp_path, "accuracy", train={"epochs": 20},
                 stopping={"monitor": "val_accuracy", "min_delta": 0.5, "patience": 1})
    assert len(run.history) == 2  # no epoch can improve accuracy by 0.5: stops after patience 1
    with pytest.raises(trainwright.ConfigError, match=r"'val_f1' is not a metric.*val_loss, val_accuracy"):
        _train(tmp_path, "missing", stopping={"monitor": "val_f1"})


def test_balanced_class_weights_and_label_smoothing():
    weights = class_weights("binary", np.array([0, 0, 0, 1]), "balanced")
    np.testing.assert_allclose(weights.numpy(), [4 / 6, 2.0])
    assert class_weights("binary", np.array([0, 1]), "none") is None
    logits, target = torch.tensor([[-3.0], [2.0]]), torch.tensor([0, 1])
    plain = tasks.loss("binary", logits, target)
    weighted = tasks.loss("binary", logits, target, class_weights=torch.tensor([1.0, 3.0]))
    per_row = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], target.float(), reduction="none")
    assert weighted == pytest.approx(float((per_row * torch.tensor([1.0, 3.0])).mean()))
    assert tasks.loss("binary", logits, target, smoothing=0.2) > plain  # confident and right costs more
    multi = tasks.loss("multiclass", torch.tensor([[5.0, 0.0, 0.0]]), torch.tensor([0]), smoothing=0.1)
    assert multi > tasks.loss("multiclass", torch.tensor([[5.0, 0.0, 0.0]]), torch.tensor([0]))


def test_learning_rate_schedules():
    assert [lr_factor(s, 100, 10, "constant") for s in (0, 4, 9, 50)] == pytest.approx([0.1, 0.5, 1.0, 1.0])
    assert [lr_factor(s, 100, 0, "cosine") for s in (0, 50, 100)] == pytest.approx([1.0, 0.5, 0.0])
    assert [lr_factor(s, 100, 0, "linear") for s in (0, 25, 50, 100)] == pytest.approx([1.0, 0.75, 0.5, 0.0])


def test_every_schedule_and_clipping_trains(tmp_path):
    for schedule in ("plateau", "cosine"):
        run = _train(tmp_path, schedule, train={"epochs": 3, "lr_schedule": schedule, "warmup_epochs": 0.5},
                     regularization={"gradient_clip": 1.0, "class_weight": "balanced", "label_smoothing": 0.1})
        config = json.loads((run.path / "config.json").read_text())
        assert config["train"]["lr_schedule"] == schedule and np.isfinite(run.metrics["valid"]["loss"])
