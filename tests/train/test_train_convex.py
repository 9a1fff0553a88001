"""The TF-IDF linear model fitted by a convex solver: its forward pass gives what scikit-learn's fit predicts on
the same sparse features, for every task, and a trained model saves, loads and predicts the same."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression, Ridge

import trainwright
from trainwright import tasks
from trainwright.models import build_model
from trainwright.preprocessing import EncodedInputs
from trainwright.train import convex

VOCAB = 40


def _inputs(n: int, seed: int) -> EncodedInputs:
    rng = np.random.default_rng(seed)
    return EncodedInputs([rng.integers(3, VOCAB, rng.integers(1, 9)).astype(np.int64) for _ in range(n)],
                         None, None)


def _padded(inputs: EncodedInputs) -> torch.Tensor:
    ids = torch.zeros(len(inputs), max(inputs.lengths), dtype=torch.int64)
    for row, seq in enumerate(inputs.sequences):
        ids[row, ids.shape[1] - len(seq):] = torch.from_numpy(seq)  # pre-padding, as the tokenizer pads
    return ids


def _fit(task: str, outputs: int, y, valid_y, monkeypatch, c: float = 1.0, class_weights=None):
    monkeypatch.setattr(convex, "C_GRID", (c,))
    model = build_model("linear", vocab_size=VOCAB, num_outputs=outputs, ngrams=2, hash_buckets=64)
    train, valid = _inputs(len(y), 0), _inputs(len(valid_y), 1)
    history = convex.fit(model, task, train, y, valid, valid_y, class_weights)
    with torch.no_grad():
        logits = model.eval()(_padded(train)).double().numpy()
    return model, model.features(train.sequences), logits, history


def _labels(n: int, classes: int, seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, classes, n)


@pytest.mark.parametrize("task,classes", [("binary", 2), ("multiclass", 4)])
def test_the_forward_pass_is_scikit_learns_logistic_regression(task, classes, monkeypatch):
    y = _labels(120, classes)
    model, x, logits, _ = _fit(task, 1 if task == "binary" else classes, y, _labels(30, classes, 3), monkeypatch)
    reference = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    np.testing.assert_allclose(logits.reshape(len(y), -1), reference.decision_function(x).reshape(len(y), -1),
                               rtol=1e-4, atol=1e-4)
    probabilities = tasks.probabilities(task, torch.from_numpy(logits)).numpy()
    np.testing.assert_allclose(probabilities, reference.predict_proba(x), atol=1e-5)


def test_multilabel_is_one_logistic_regression_per_label(monkeypatch):
    y = np.stack([_labels(100, 2, seed) for seed in (4, 5, 6)], axis=1)
    _, x, logits, _ = _fit("multilabel", 3, y, y[:20], monkeypatch, c=3.0)
    for k in range(3):
        reference = LogisticRegression(C=3.0, max_iter=1000).fit(x, y[:, k])
        np.testing.assert_allclose(logits[:, k], reference.decision_function(x), rtol=1e-4, atol=1e-4)


def test_regression_is_ridge_on_the_standardized_target(monkeypatch):
    y = np.random.default_rng(7).normal(size=80).astype(np.float32)
    _, x, logits, history = _fit("regression", 1, y, y[:20], monkeypatch, c=0.5)
    np.testing.assert_allclose(logits[:, 0], Ridge(alpha=1.0).fit(x, y).predict(x), rtol=1e-4, atol=1e-4)
    assert "train_accuracy" not in history[0] and history[0]["val_loss"] >= 0


def test_soft_targets_are_fitted_by_their_cross_entropy(monkeypatch):
    """A teacher's probabilities: at the solution, the gradient of sum of cross-entropies + |w|^2 / 2C is 0."""
    p = np.random.default_rng(8).uniform(size=150)
    model, x, logits, _ = _fit("binary", 1, p, p[:30], monkeypatch, c=2.0)
    residual = 1 / (1 + np.exp(-logits[:, 0])) - p
    weight = model.weight[:, 0].detach().double().numpy()
    gradient = x.T @ residual + weight / 2.0
    at_zero = x.T @ (p.mean() - p)  # the gradient with no weights and the best bias, for scale
    assert np.abs(gradient).max() < 0.01 * np.abs(at_zero).max()
    assert abs(residual.sum()) < 1e-3  # the bias is not penalized


def test_balanced_class_weights_are_scikit_learns(monkeypatch):
    y = np.r_[np.zeros(90, int), np.ones(30, int)]
    weights = torch.tensor([120 / 180, 120 / 60])  # n / (classes * count), as train.trainer computes them
    _, x, logits, _ = _fit("binary", 1, y, y[:30], monkeypatch, class_weights=weights)
    reference = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced").fit(x, y)
    np.testing.assert_allclose(logits[:, 0], reference.decision_function(x), rtol=1e-4, atol=1e-4)


def test_a_class_no_training_row_has_is_never_predicted(monkeypatch):
    y = _labels(90, 2) * 2  # classes 0 and 2 of 3
    _, _, logits, history = _fit("multiclass", 3, y, y[:20], monkeypatch)
    assert (logits.argmax(axis=1) != 1).all() and np.isfinite(history[0]["train_loss"])
    probabilities = torch.softmax(torch.from_numpy(logits), dim=1).numpy()
    assert probabilities[:, 1].max() < 1e-6


def test_the_regularization_is_chosen_on_the_validation_rows(monkeypatch, tw_log):
    y = _labels(120, 2)
    model = build_model("linear", vocab_size=VOCAB, num_outputs=1, ngrams=2, hash_buckets=64)
    history = convex.fit(model, "binary", _inputs(120, 0), y, _inputs(40, 1), _labels(40, 2, 3), None)
    assert len(history) == 1 and {"train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(history[0])
    assert "C=" in tw_log.text and "chosen on validation" in tw_log.text


def test_a_trained_linear_model_saves_loads_and_predicts_the_same(reviews_csv, tiny_config, tmp_path):
    config = tiny_config.model_copy(deep=True)
    config.model.name = "linear"
    result = trainwright.train(reviews_csv, out=tmp_path / "linear", config=config)
    assert result.metrics["training"]["epochs_run"] == 1 and result.metrics["valid"]["accuracy"] >= 0.9
    assert {"train_loss", "val_loss", "val_accuracy"} <= set(result.history[0])
    predictor = trainwright.load(result.path)
    texts = ["the kettle was excellent", "the kettle was awful", "delivery"]
    encoded = predictor.preprocessing.encode(predictor.frame(texts))
    x = predictor.model.features(encoded.sequences)
    logits = x @ predictor.model.weight.detach().double().numpy() + predictor.model.bias.detach().double().numpy()
    expected = 1 / (1 + np.exp(-logits[:, 0]))
    np.testing.assert_allclose(predictor.predict(texts).probabilities[:, 1], expected, atol=1e-5)
    assert predictor.predict(texts[:2]).labels == ["pos", "neg"]


def test_training_the_linear_model_does_not_load_lightning(reviews_csv, tmp_path):
    """Lightning takes seconds to import, longer than the whole convex fit of a few thousand texts."""
    script = f"""
import sys
import trainwright
config = trainwright.build_config(overrides={{"model": {{"name": "linear"}}, "train": {{"threads": 1}}}})
trainwright.train({str(reviews_csv)!r}, out={str(tmp_path / "linear")!r}, config=config)
print([name for name in sys.modules if name.split(".")[0] in ("lightning", "pytorch_lightning")])
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_gradient_settings_given_for_the_linear_model_are_said_to_be_unused(reviews_csv, tmp_path, tw_log):
    config = trainwright.build_config(overrides={"model": {"name": "linear"}, "train": {"threads": 1,
                                                 "learning_rate": 0.1}, "regularization": {"l2": 1e-4}})
    trainwright.train(reviews_csv, out=tmp_path / "linear", config=config)
    assert "train.learning_rate, regularization.l2 not used" in tw_log.text


def test_the_run_diagnosis_of_a_convex_fit_speaks_of_no_epochs():
    from trainwright.evaluate.diagnosis import diagnose

    history = [{"epoch": 1, "seconds": 0.1, "samples": 200, "train_loss": 0.05, "train_accuracy": 1.0,
                "val_loss": 0.3, "val_accuracy": 0.9}]
    config = {"model": {"name": "linear"}, "train": {"epochs": 10}}
    found = diagnose(history, {"valid": {"accuracy": 0.9}}, config)
    text = " ".join([*found.lines, *found.next_steps])
    assert "One convex solve" in text and "Early stopping" not in text and "early stopping" not in text
