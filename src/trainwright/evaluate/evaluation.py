"""Evaluate a model on labeled examples or on a labeled file."""

from __future__ import annotations

from pathlib import Path

from ..data import read_table
from ..data.examples import Examples, labeled_examples
from ..predictor import Predictor
from .metrics import compute_metrics


def evaluate_examples(predictor: Predictor, examples: Examples, source: str) -> dict:
    truth = predictor.target.transform(examples.target, source)
    outputs = predictor.outputs(examples.inputs, source)
    if predictor.task == "regression":
        truth = predictor.target.inverse(truth)
    return compute_metrics(predictor.task, truth, outputs, predictor.target.classes_)


def evaluate(model: str | Path | Predictor, data: str | Path, encoding: str | None = None) -> dict:
    """Metrics of a saved model (or a Predictor) on the labeled table `data`."""
    predictor = model if isinstance(model, Predictor) else Predictor.load(model)
    frame = read_table(data, encoding)
    stages = predictor.preprocessing
    examples = labeled_examples(frame, stages.text, stages.target_column, str(data),
                                stages.numeric + stages.categorical)
    return evaluate_examples(predictor, examples, str(data))
