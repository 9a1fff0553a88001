"""The diagnosis reads synthetic learning curves: overfitting (when it began, how much validation loss rose, the
gap), which defense acted, underfitting, ensembles, and both config schemas. No training: fast."""

from __future__ import annotations

import math

import pytest

import trainwright
from trainwright.evaluate.diagnosis import diagnose

# The seed model on SST-2 without early stopping: validation loss lowest at epoch 2, then it climbs.
OVERFIT_TRAIN_LOSS = [0.591, 0.316, 0.153, 0.078, 0.046, 0.041, 0.023, 0.013, 0.016, 0.009]
OVERFIT_VAL_LOSS = [0.483, 0.452, 0.551, 0.664, 0.740, 0.801, 0.974, 1.175, 0.982, 1.203]
OVERFIT_TRAIN_ACC = [0.681, 0.876, 0.946, 0.975, 0.985, 0.987, 0.993, 0.997, 0.996, 0.998]
OVERFIT_VAL_ACC = [0.791, 0.791, 0.788, 0.781, 0.782, 0.768, 0.782, 0.791, 0.786, 0.780]


def history(train_loss, val_loss, train_acc=None, val_acc=None, model=None) -> list[dict]:
    rows = []
    for i, (t, v) in enumerate(zip(train_loss, val_loss)):
        row = {"epoch": i + 1, "seconds": 1.0, "train_loss": t, "val_loss": v}
        if train_acc is not None:
            row.update(train_accuracy=train_acc[i], val_accuracy=val_acc[i])
        if model is not None:
            row = {"model": model, **row}
        rows.append(row)
    return rows


def old_config(early_stopping=True, restore_best=True, epochs=10, dropout=0.0) -> dict:
    """config.json as runs saved before the `stopping` section wrote it."""
    return {"model": {"name": "lstm", "dropout": dropout},
            "train": {"epochs": epochs, "early_stopping": early_stopping, "patience": 2, "restore_best": restore_best}}


def new_config(early_stopping=True, restore_best=True, epochs=10, dropout=0.0) -> dict:
    return {"model": {"name": "lstm", "dropout": dropout}, "train": {"epochs": epochs},
            "stopping": {"enabled": early_stopping, "monitor": "val_loss", "mode": "auto", "patience": 2,
                         "min_delta": 0.0, "restore_best": restore_best},
            "regularization": {"weight_decay": 0.0}}


BALANCED = {"valid": {"confusion_matrix": {"labels": [0, 1], "matrix": [[40, 10], [10, 40]]}},
            "training": {"n_train": 6911}}


@pytest.mark.parametrize("config", [old_config(False, False), new_config(False, False)], ids=["old", "new"])
def test_overfitting_names_the_epoch_the_rise_and_the_gap(config):
    d = diagnose(history(OVERFIT_TRAIN_LOSS, OVERFIT_VAL_LOSS, OVERFIT_TRAIN_ACC, OVERFIT_VAL_ACC), BALANCED, config)
    assert d.verdict == "overfitting"
    text = " ".join(d.lines)
    assert "lowest at epoch 2 (0.452)" in text and "rose from epoch 3 on" in text
    assert "by epoch 10 it was 1.203, 2.7 times its minimum" in text
    assert "accuracy 99.8% against 78.0% (21.8 points)" in text
    assert "No defense acted" in text and "epoch 10's" in text
    assert "nothing stopped it" in d.headline
    steps = " ".join(d.next_steps)
    assert "it would have stopped at epoch 4 and kept epoch 2" in steps
    assert "`--dropout 0.3`" in steps and "`--weight-decay 0.01`" in steps and "6,911 rows" in steps
    facts = d.facts["members"][0]
    assert facts["best_epoch"] == 2 and facts["rising_from"] == 3 and math.isclose(facts["rise"], 1.203 / 0.452 - 1)


@pytest.mark.parametrize("schema", [old_config, new_config], ids=["old", "new"])
def test_early_stopped_history_says_which_epoch_was_restored(schema):
    rows = history(OVERFIT_TRAIN_LOSS[:4], OVERFIT_VAL_LOSS[:4], OVERFIT_TRAIN_ACC[:4], OVERFIT_VAL_ACC[:4])
    d = diagnose(rows, BALANCED, schema())
    assert "Early stopping stopped at epoch 4 of 10 and restored epoch 2 (validation loss 0.452)." in d.lines
    assert d.verdict == "overfitting" and "caught" in d.headline and "kept epoch 2" in d.headline
    assert any("at the kept epoch 2 the gap was 8.5 points" in line for line in d.lines)
    assert any(step.startswith("Keep early stopping") for step in d.next_steps)
    assert d.facts["members"][0]["restored"] and d.facts["members"][0]["stopped_early"]


def test_early_stopping_on_but_not_triggered():
    rows = history([0.6, 0.5, 0.45], [0.52, 0.50, 0.51], [0.7, 0.8, 0.82], [0.75, 0.78, 0.77])
    d = diagnose(rows, BALANCED, new_config(epochs=3))
    assert any("did not trigger: all 3 epochs ran, and restore-best kept epoch 2" in line for line in d.lines)


def test_low_training_accuracy_is_underfitting():
    rows = history([0.69, 0.685, 0.684, 0.684], [0.69, 0.688, 0.688, 0.689], [0.52, 0.55, 0.56, 0.56],
                   [0.53, 0.54, 0.55, 0.54])
    d = diagnose(rows, BALANCED, new_config())
    assert d.verdict == "underfitting"
    assert any("Training accuracy is only 56.0%" in line and "fits even its training data poorly" in line
               for line in d.lines)
    assert any("A bigger model" in step for step in d.next_steps)


def test_losses_still_falling_at_the_epoch_limit_is_underfitting():
    train = [0.69, 0.62, 0.57, 0.53, 0.50, 0.47]
    val = [0.68, 0.63, 0.59, 0.56, 0.53, 0.51]
    d = diagnose(history(train, val, [0.6, 0.66, 0.7, 0.73, 0.75, 0.77], [0.6, 0.65, 0.69, 0.72, 0.74, 0.75]),
                 BALANCED, new_config(epochs=6))
    assert d.verdict == "underfitting" and "still falling" in d.headline
    assert "Both losses were still falling when the 6-epoch limit was reached: the model had more to learn." in d.lines
    assert any("`--epochs 12`" in step for step in d.next_steps)


def test_saturated_model_whose_loss_still_falls_is_not_underfitting():
    d = diagnose(history([0.5, 0.1, 0.02], [0.4, 0.08, 0.01], [0.8, 0.99, 1.0], [0.85, 1.0, 1.0]), BALANCED,
                 new_config(epochs=3))
    assert d.verdict == "good_fit"


def test_good_fit():
    rows = history([0.6, 0.45, 0.40, 0.38, 0.37], [0.55, 0.46, 0.42, 0.415, 0.418], [0.7, 0.8, 0.82, 0.83, 0.84],
                   [0.72, 0.8, 0.81, 0.82, 0.82])
    d = diagnose(rows, BALANCED, new_config(epochs=5))
    assert d.verdict == "good_fit" and d.headline.startswith("Good fit")


@pytest.mark.parametrize("model", [None, 1])
def test_a_settled_fit_far_ahead_on_training_is_no_good_fit_and_not_said_to_agree(model):
    """A logistic regression fitted by its solver: one row, no curve to overfit on, training 14 points ahead."""
    rows = history([0.35], [0.57], [0.88], [0.74], model=model)
    if model:  # an ensemble of five such fits
        rows = [{**row, "model": k} for k in range(1, 6) for row in rows]
    config = {"model": {"name": "table_linear"}, "train": {"epochs": 10}, "stopping": {"enabled": False}}
    d = diagnose(rows, BALANCED, config)
    assert d.verdict == "good_fit" and not d.headline.startswith("Good fit")
    assert "wide gap" in d.headline and "14.0 points above validation" in d.headline
    assert not any("agree" in step for step in d.next_steps)
    assert any("14.0 points ahead of validation" in step and "More rows" in step for step in d.next_steps)
    assert not any("Epoch kept" in line for line in d.lines)  # a solver's fit has no epochs
    close = diagnose(history([0.45], [0.47], [0.80], [0.78]), BALANCED, config)
    assert close.headline.startswith("Good fit") and any("agree" in step for step in close.next_steps)


def test_regression_uses_the_losses_only_and_ignores_noise_below_training_loss():
    d = diagnose(history([0.8, 0.3, 0.2, 0.15], [0.3, 0.1, 0.05, 0.09]), {"valid": {"r2": 0.9}}, new_config(epochs=4))
    assert d.verdict == "good_fit"  # validation loss rose 80%, but it is still below the training loss
    assert d.facts["task_metric"] is None and "accuracy" not in " ".join(d.lines)
    d = diagnose(history([0.5, 0.2, 0.1, 0.05], [0.5, 0.3, 0.4, 0.5]), {}, new_config(epochs=4))
    assert d.verdict == "overfitting"


def test_ensemble_summarizes_each_member():
    rows = (history([0.6, 0.5, 0.45, 0.44], [0.55, 0.5, 0.52, 0.53], [0.7, 0.76, 0.78, 0.79],
                    [0.72, 0.75, 0.74, 0.74], model=1)
            + history([0.6, 0.5, 0.45, 0.42, 0.41, 0.40], [0.56, 0.5, 0.48, 0.47, 0.468, 0.47],
                      [0.7, 0.75, 0.77, 0.78, 0.78, 0.79], [0.7, 0.74, 0.76, 0.77, 0.77, 0.77], model=2)
            + history([0.62, 0.52, 0.47, 0.45, 0.44], [0.57, 0.52, 0.50, 0.51, 0.515], [0.7, 0.75, 0.77, 0.78, 0.78],
                      [0.7, 0.74, 0.75, 0.75, 0.75], model=3))
    d = diagnose(rows, BALANCED, new_config())
    assert "Epoch kept of epochs run, model by model: 2 of 4, 5 of 6, 3 of 5." in d.lines
    assert "Early stopping stopped all 3." in d.lines
    assert any(line.startswith("Training and validation accuracy at the kept epochs are") for line in d.lines)
    assert [m["model"] for m in d.facts["members"]] == [1, 2, 3]


def test_no_history_and_divergence():
    assert diagnose([], {}, None).verdict == "no_history"
    d = diagnose(history([0.7, float("nan")], [0.7, float("nan")]), {}, new_config())
    assert d.verdict == "diverged" and "epoch 2" in d.lines[0]
    assert any("--learning-rate" in step for step in d.next_steps)


def test_deterministic_and_accepts_a_run_config():
    config = trainwright.build_config(overrides={"train": {"epochs": 10}})
    rows = history(OVERFIT_TRAIN_LOSS, OVERFIT_VAL_LOSS, OVERFIT_TRAIN_ACC, OVERFIT_VAL_ACC)
    first, second = diagnose(rows, BALANCED, config), diagnose(rows, BALANCED, config.model_dump())
    assert first.to_dict() == second.to_dict()
    assert first.facts["settings"]["early_stopping"] is True  # the current defaults
