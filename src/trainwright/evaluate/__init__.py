"""Validation: metrics for a task, and evaluating a saved model on a labeled file."""

__all__ = ["compute_metrics"]


def __getattr__(name: str):
    # Loaded on first use: the CLI imports this package's commands, and `--help` must not wait for scikit-learn.
    if name == "compute_metrics":
        from .metrics import compute_metrics

        return compute_metrics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
