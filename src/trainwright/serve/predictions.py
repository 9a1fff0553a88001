"""Predictions as the server hands them out: one request's share of a batch, and JSON rows per input."""

from __future__ import annotations

from ..predictor import Predictions


def take_rows(predictions: Predictions, start: int, stop: int) -> Predictions:
    """Rows start..stop of a batch's predictions: the share of the request that contributed them."""
    probabilities = predictions.probabilities[start:stop] if predictions.probabilities is not None else None
    return Predictions(labels=predictions.labels[start:stop], probabilities=probabilities,
                       classes=predictions.classes, separator=predictions.separator)


def prediction_rows(predictions: Predictions, task: str) -> list[dict]:
    """One JSON object per input: {label, probabilities}, {labels, probabilities} (multilabel) or {value}."""
    if task == "regression":
        return [{"value": float(value)} for value in predictions.labels]
    names = [str(name) for name in predictions.classes]
    key = "labels" if task == "multilabel" else "label"
    return [{key: label, "probabilities": dict(zip(names, map(float, row)))}
            for label, row in zip(predictions.labels, predictions.probabilities)]
