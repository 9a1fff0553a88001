"""Multilabel classification end to end: several labels per row ("sports;politics") are learned, evaluated,
predicted (Python API and CLI), reported and compared."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
import torch

import trainwright
from trainwright import tasks
from trainwright.evaluate.compare import compare_runs
from trainwright.evaluate.metrics import compute_metrics
from trainwright.evaluate.report import diagnose_run
from trainwright.evaluate.report_html import write_report
from trainwright.train.splits import make_folds
from trainwright.train.trainer import class_weights

_KEYWORDS = {"sports": ["football", "goal", "match", "league"], "politics": ["election", "senate", "vote", "minister"],
             "tech": ["software", "laptop", "robot", "internet"]}
_FILLER = ["the", "today", "news", "people", "said", "new", "big", "report", "after", "week", "city", "about"]
_SETS = [["sports"], ["politics"], ["tech"], ["sports", "politics"], ["politics", "tech"], ["sports", "tech"], []]


def make_headlines(n: int = 280, seed: int = 0) -> pd.DataFrame:
    """Headlines whose topics are carried by keywords among filler words; 7 label sets, one of them empty (";")."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        labels = _SETS[i % len(_SETS)]
        words = rng.sample(_FILLER, 4) + [rng.choice(_KEYWORDS[label]) for label in labels]
        rng.shuffle(words)
        rows.append({"headline": " ".join(words), "topics": ";".join(labels) or ";"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def headlines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("multilabel")
    make_headlines().to_csv(folder / "train.csv", index=False)
    make_headlines(70, seed=1).to_csv(folder / "test.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def trained(headlines, tiny_config):
    config = tiny_config.model_copy(deep=True)
    config.model.name = "lstm"
    config.train.learning_rate = 0.02
    return trainwright.train(headlines / "train.csv", test=headlines / "test.csv", out=headlines / "run",
                             config=config)


# --- the head: loss, probabilities, predictions, accuracy ---------------------------------------------------------

def test_each_label_is_its_own_sigmoid_and_binary_cross_entropy():
    logits = torch.tensor([[2.0, -1.0, 0.0], [-3.0, 0.5, 1.0]])
    target = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    torch.testing.assert_close(tasks.probabilities("multilabel", logits), torch.sigmoid(logits))
    assert tasks.predicted_index("multilabel", logits).tolist() == [[1, 0, 0], [0, 1, 1]]
    assert tasks.accuracy("multilabel", logits, target) == 0.5  # subset accuracy: the second row only
    torch.testing.assert_close(tasks.loss("multilabel", logits, target),
                               torch.nn.functional.binary_cross_entropy_with_logits(logits, target))
    smoothed = tasks.loss("multilabel", logits, target, smoothing=0.2)  # targets 0.1 / 0.9
    torch.testing.assert_close(smoothed, torch.nn.functional.binary_cross_entropy_with_logits(
        logits, target * 0.8 + 0.1))
    weighted = tasks.loss("multilabel", logits, target, class_weights=torch.tensor([1.0, 4.0, 1.0]))
    assert weighted > tasks.loss("multilabel", logits, target)  # the missed positive of label 2 costs more


def test_balanced_weights_are_per_label_positive_weights():
    y = np.array([[1, 0, 1], [0, 0, 1], [0, 1, 1], [0, 0, 1]], dtype="float32")
    weights = class_weights("multilabel", y, "balanced")
    assert weights.tolist() == [3.0, 3.0, 1.0]  # negatives / positives; an always-present label stays at 1


def test_folds_of_label_sets_are_plain_shuffled_folds():
    y = np.eye(3, dtype="float32")[np.arange(30) % 3]
    folds = make_folds(y, "multilabel", 5, seed=0)
    assert len(folds) == 5 and sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(30))


def test_metrics_of_a_known_prediction():
    truth = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]])
    probs = np.array([[0.9, 0.2, 0.8], [0.1, 0.4, 0.3], [0.2, 0.1, 0.3], [0.7, 0.6, 0.9]])
    m = compute_metrics("multilabel", truth, probs, ["a", "b", "c"])
    assert m["accuracy"] == 0.5  # rows 1 and 3 exactly right (row 3: no label, none predicted)
    assert m["hamming_loss"] == pytest.approx(2 / 12)
    assert m["precision"] == pytest.approx(4 / 5) and m["recall"] == pytest.approx(4 / 5)  # 4 hits, 1 extra, 1 missed
    assert m["f1_samples"] == pytest.approx((1 + 0 + 1 + 0.8) / 4)
    assert m["roc_auc"] == pytest.approx((1 + 1 + 2 / 3) / 3) and m["n"] == 4
    per_label = {row["label"]: row for row in m["per_label"]}
    assert per_label["b"] == {"label": "b", "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                              "support": 2}
    assert "confusion_matrix" not in m


# --- training, evaluation, prediction -----------------------------------------------------------------------------

def test_a_model_learns_several_labels_per_row(trained, headlines):
    valid, test = trained.metrics["valid"], trained.metrics["test"]
    assert json.loads((trained.path / "config.json").read_text())["data"]["task"] == "multilabel"
    # 7 equally common label sets: always guessing one is right 1 time in 7
    assert valid["accuracy"] > 0.6 and test["accuracy"] > 0.6
    assert test["f1"] > 0.8 and test["hamming_loss"] < 0.15
    assert [row["label"] for row in test["per_label"]] == ["politics", "sports", "tech"]
    assert trainwright.evaluate(trained.path, headlines / "test.csv") == test
    history = trained.history
    assert {"train_accuracy", "val_accuracy"} <= history[-1].keys()


def test_predictions_are_label_lists_joined_for_files(trained):
    predictions = trainwright.load(trained.path).predict(
        ["the football match after the election vote", "a new laptop", "the city people said"])
    assert predictions.classes == ["politics", "sports", "tech"]
    assert predictions.labels[0] == ["politics", "sports"] and predictions.labels[1] == ["tech"]
    assert predictions.probabilities.shape == (3, 3)
    frame = predictions.to_frame("predicted_topics")
    assert frame["predicted_topics"][0] == "politics;sports"
    assert list(frame.columns) == ["predicted_topics", "probability_politics", "probability_sports",
                                   "probability_tech"]
    records = predictions.to_records()
    assert records[1]["label"] == ["tech"] and set(records[1]["probabilities"]) == {"politics", "sports", "tech"}
    assert predictions.labels[2] == [] and frame["predicted_topics"][2] == ""  # no keyword: no label


def test_the_cli_writes_joined_labels_and_one_probability_per_label(trained, headlines, cli):
    out = headlines / "predictions.csv"
    result = cli("predict", trained.path, headlines / "test.csv", "-o", out)
    assert result.code == 0, result.stderr
    written = pd.read_csv(out, keep_default_na=False)
    assert len(written) == 70
    assert {"predicted_topics", "probability_politics", "probability_sports", "probability_tech"} <= set(written)
    hits = (written["predicted_topics"].str.split(";").map(set)
            == written["topics"].str.split(";").map(lambda labels: {x for x in labels if x} or {""}))
    assert hits.mean() > 0.6


def test_class_weights_and_label_smoothing_train_a_multilabel_model(headlines, tiny_config, tmp_path):
    config = tiny_config.model_copy(deep=True)
    config.model.name, config.train.epochs = "lstm", 2
    config.regularization.class_weight, config.regularization.label_smoothing = "balanced", 0.1
    result = trainwright.train(headlines / "train.csv", out=tmp_path / "weighted", config=config)
    assert np.isfinite(result.metrics["valid"]["loss"])


def test_cross_validation_of_label_sets(headlines, tiny_config, tmp_path):
    config = tiny_config.model_copy(deep=True)
    config.model.name, config.train.epochs = "lstm", 2
    result = trainwright.cross_validate(headlines / "train.csv", folds=2, out=tmp_path / "cv", config=config)
    assert [fold["n_test"] for fold in result.folds] == [140, 140]
    assert {"accuracy", "hamming_loss", "f1_samples"} <= result.summary.keys()
    assert "per_label" not in result.folds[0]


# --- report, diagnosis, leaderboard -------------------------------------------------------------------------------

def test_the_report_shows_per_label_metrics_and_no_confusion_matrix(trained):
    page = write_report(trained.path)
    html = page.read_text(encoding="utf-8")
    figures = {p.name for p in page.parent.glob("*.png")}
    assert "confusion_matrix.png" not in figures
    assert {"learning_curves.png", "per_class.png", "calibration.png"} <= figures
    assert "subset accuracy" in html and "Hamming loss" in html and "<th>Label</th>" in html
    assert "politics" in html and "task <b>multilabel</b>" in html
    assert diagnose_run(trained.path).verdict in ("good_fit", "overfitting", "underfitting")
    row = compare_runs([trained.path])[0]
    assert row["task"] == "multilabel" and row["ranked_by"] == "valid_f1" and row["valid_hamming_loss"] < 0.15


def test_an_ensemble_averages_each_labels_probability():
    from trainwright.models import EnsembleConfig, EnsembleModel

    class Fixed(torch.nn.Module):
        def __init__(self, logits):
            super().__init__()
            self.logits = torch.tensor(logits)

        def forward(self, **inputs):
            return self.logits

    members = [Fixed([[2.0, -2.0, 0.0]]), Fixed([[0.0, -1.0, 4.0]])]
    ensemble = EnsembleModel(EnsembleConfig("multilabel", [{}, {}]), members)
    expected = torch.stack([torch.sigmoid(m.logits) for m in members]).mean(dim=0)
    torch.testing.assert_close(tasks.probabilities("multilabel", ensemble()), expected)
