"""The same labeled file through several backends (torch, ONNX fp32, ONNX int8): what exporting costs.

For each backend: the task's main metric (accuracy; micro F1 for multilabel, as the run leaderboard ranks them;
RMSE for regression), its difference from the torch backend, how often the predicted labels are identical to
torch's (multilabel: a row's whole label set), the largest difference in a predicted probability (regression: in
a predicted value), and predictions per second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import read_table
from ..data.examples import Examples, labeled_examples
from ..evaluate.metrics import compute_metrics
from ..predictor import Predictor


@dataclass
class BackendScore:
    backend: str  # "torch", "onnx fp32", "onnx int8"
    metric: str  # "accuracy", "f1" (micro, multilabel) or "rmse"
    value: float
    rows_per_second: float
    difference: float | None = None  # value - torch's value: in points (x100), in target units for RMSE
    same_labels: float | None = None  # share of rows predicted exactly as torch does (None for regression)
    max_difference: float | None = None  # largest |probability - torch's| (regression: |value - torch's|)


def read_check_file(path: str | Path, predictor: Predictor) -> Examples:
    """The labeled rows of `path` with the model's input columns; raises DataError naming the file if unusable."""
    stages = predictor.preprocessing
    return labeled_examples(read_table(path), stages.text, stages.target_column, str(path),
                            stages.numeric + stages.categorical)


def compare_backends(predictors: dict[str, Predictor], examples: Examples, source: str) -> list[BackendScore]:
    """One score per predictor, in order; the first one (torch) is what the others are compared with."""
    scores, reference = [], None
    for backend, predictor in predictors.items():
        truth = predictor.target.transform(examples.target, source)
        started = time.perf_counter()
        outputs = predictor.outputs(examples.inputs, source)
        seconds = time.perf_counter() - started
        score = BackendScore(backend, *_main_metric(predictor.task, predictor.target, truth, outputs),
                             rows_per_second=len(outputs) / max(seconds, 1e-9))
        if reference is None:
            reference = score, outputs
        else:
            _compare(score, predictor.task, outputs, *reference)
        scores.append(score)
    return scores


def _main_metric(task: str, target, truth: np.ndarray, outputs: np.ndarray) -> tuple[str, float]:
    """The figure `evaluate` reports for this task (its f1 is micro for multilabel); RMSE for regression."""
    if task == "regression":
        return "rmse", float(np.sqrt(compute_metrics(task, target.inverse(truth), outputs)["mse"]))
    metrics = compute_metrics(task, truth, outputs, list(target.classes_))
    return ("f1", metrics["f1"]) if task == "multilabel" else ("accuracy", metrics["accuracy"])


def _labels(task: str, outputs: np.ndarray) -> np.ndarray:
    """Predicted class indices (multilabel: 0/1 per label) from Predictor.outputs."""
    return (outputs > 0.5).astype(int) if task == "multilabel" else outputs.argmax(axis=1)


def _compare(score: BackendScore, task: str, outputs: np.ndarray, reference: BackendScore,
             reference_outputs: np.ndarray) -> None:
    scale = 1.0 if score.metric == "rmse" else 100.0
    score.difference = (score.value - reference.value) * scale
    score.max_difference = float(np.max(np.abs(outputs - reference_outputs), initial=0.0))
    if task != "regression":
        same = _labels(task, outputs) == _labels(task, reference_outputs)
        score.same_labels = float(np.mean(same.all(axis=1) if same.ndim == 2 else same))
