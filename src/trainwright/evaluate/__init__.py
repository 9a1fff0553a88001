"""Validation: metrics for a task, and evaluating a saved model on a labeled file."""

from ..lazy import lazy_exports

__all__ = ["compute_metrics"]
# Loaded on first use: the CLI imports this package's commands, and `--help` must not wait for scikit-learn.
__getattr__, __dir__ = lazy_exports(__name__, {"compute_metrics": ".metrics"})
