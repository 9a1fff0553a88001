"""The metrics users expect for each task, computed with scikit-learn.

Classification: loss (mean cross-entropy), accuracy, precision, recall, F1 (of the second class for binary
tasks, macro averages for more classes), ROC AUC (binary), confusion matrix. Regression: loss (MSE), MSE, MAE, R².
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def compute_metrics(task: str, truth: np.ndarray, outputs: np.ndarray, classes: list | None = None) -> dict:
    """truth: class indices or target values; outputs: (n, classes) probabilities, or (n,) predicted values."""
    if task == "regression":
        return _regression(np.asarray(truth, dtype=float), np.asarray(outputs, dtype=float))
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
    result["n"] = int(len(truth))
    result["confusion_matrix"] = {
        "labels": list(classes),  # rows: true label, columns: predicted label
        "matrix": skm.confusion_matrix(truth, predicted, labels=labels).tolist(),
    }
    return result


def _regression(truth: np.ndarray, predicted: np.ndarray) -> dict:
    mse = float(skm.mean_squared_error(truth, predicted))
    return {
        "loss": mse,
        "mse": mse,
        "mae": float(skm.mean_absolute_error(truth, predicted)),
        "r2": float(skm.r2_score(truth, predicted)) if len(truth) > 1 else float("nan"),
        "n": int(len(truth)),
    }
