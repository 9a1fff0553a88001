"""The metrics users expect for each task, computed with scikit-learn.

Classification: loss (mean cross-entropy), accuracy, precision, recall, F1 (of the second class for binary
tasks, macro averages for more classes), ROC AUC (binary), confusion matrix. Multilabel: loss (binary
cross-entropy averaged over labels, as in training), accuracy (subset accuracy: every label of a row right),
Hamming loss (share of wrong labels), precision, recall and F1 micro-averaged over all (row, label) pairs,
macro (mean over labels) and samples (mean over rows) F1, ROC AUC macro-averaged over the labels both present
and absent somewhere, and per label its precision, recall, F1 and support. Regression: loss (MSE), MSE, MAE, R².
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def compute_metrics(task: str, truth: np.ndarray, outputs: np.ndarray, classes: list | None = None) -> dict:
    """truth: class indices, (n, labels) 0/1 indicators for multilabel, or target values; outputs: (n, classes)
    probabilities, (n, labels) per-label probabilities, or (n,) predicted values."""
    if task == "regression":
        return _regression(np.asarray(truth, dtype=float), np.asarray(outputs, dtype=float))
    if task == "multilabel":
        return _multilabel(np.asarray(truth).astype(int), np.asarray(outputs, dtype=float), classes)
    return _classification(task, np.asarray(truth), np.asarray(outputs), classes)


def _classification(task: str, truth: np.ndarray, probs: np.ndarray, classes: list) -> dict:
    predicted = probs.argmax(axis=1)
    labels = list(range(probs.shape[1]))
    average = "binary" if task == "binary" else "macro"
    precision, recall, f1, _ = skm.precision_recall_fscore_support(
        truth, predicted, labels=labels if average == "macro" else None, average=average, zero_division=0)
    result = {
        "loss": float(skm.log_loss(truth, probs / probs.sum(axis=1, keepdims=True), labels=labels)),
        "accuracy": float(skm.accuracy_score(truth, predicted)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }
    if task == "binary" and len(np.unique(truth)) == 2:
        result["roc_auc"] = float(skm.roc_auc_score(truth, probs[:, 1]))
    result["n"] = len(truth)
    result["confusion_matrix"] = {
        "labels": list(classes),  # rows: true label, columns: predicted label
        "matrix": skm.confusion_matrix(truth, predicted, labels=labels).tolist(),
    }
    return result


def _multilabel(truth: np.ndarray, probs: np.ndarray, labels: list) -> dict:
    predicted = (probs > 0.5).astype(int)
    clipped = probs.clip(1e-15, 1 - 1e-15)
    bce = -(truth * np.log(clipped) + (1 - truth) * np.log(1 - clipped))
    precision, recall, f1, _ = skm.precision_recall_fscore_support(truth, predicted, average="micro",
                                                                   zero_division=0)
    result = {
        "loss": float(bce.mean()),
        "accuracy": float(skm.accuracy_score(truth, predicted)),
        "hamming_loss": float(skm.hamming_loss(truth, predicted)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "f1_macro": float(skm.f1_score(truth, predicted, average="macro", zero_division=0)),
        # a row with no label, predicted with none, is right: F1 1 (zero_division only arises there)
        "f1_samples": float(skm.f1_score(truth, predicted, average="samples", zero_division=1)),
    }
    both = (truth.min(axis=0) == 0) & (truth.max(axis=0) == 1)  # ROC AUC needs positives and negatives
    if both.any():
        result["roc_auc"] = float(skm.roc_auc_score(truth[:, both], probs[:, both], average="macro"))
    result["n"] = len(truth)
    per_label = skm.precision_recall_fscore_support(truth, predicted, average=None, zero_division=0)
    result["per_label"] = [  # as the report's per-class table: one row per label, in the model's label order
        {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, *per_label)]
    return result


def _regression(truth: np.ndarray, predicted: np.ndarray) -> dict:
    mse = float(skm.mean_squared_error(truth, predicted))
    return {
        "loss": mse,
        "mse": mse,
        "mae": float(skm.mean_absolute_error(truth, predicted)),
        "r2": float(skm.r2_score(truth, predicted)) if len(truth) > 1 else float("nan"),
        "n": len(truth),
    }
