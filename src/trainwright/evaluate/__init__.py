"""Validation: metrics for a task, and evaluating a saved model on a labeled file."""

from .metrics import compute_metrics

__all__ = ["compute_metrics"]
