"""The target column as numbers for training, and back to the user's labels for predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, check_is_fitted, rows_preview

_MAX_INTEGER_CLASSES = 20  # an integer target with more distinct values than this is treated as a number


def canonical(value: Any) -> Any:
    """A label as a plain JSON value, so that 1, 1.0, np.int64(1) and ' 1' from different files all match."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text  # "nan", "inf" are words here, not numbers
    return int(number) if number.is_integer() else number


class TargetEncoder:
    """Maps labels to class indices (classification) or standardizes a numeric target (regression).

    task: "auto" decides from the values: a numeric target with fractions or many distinct values is a
    regression; anything else is classification, binary for two classes.
    """

    def __init__(self, task: str = "auto"):
        self.task = task

    def fit(self, target: pd.Series, source: str = "data") -> "TargetEncoder":
        values = target.dropna()
        task = self.task if self.task != "auto" else _infer_task(values)
        self.task_ = task
        if task == "regression":
            numbers = _as_numbers(values, target.name, source)
            self.classes_ = None
            self.mean_ = float(numbers.mean())
            self.std_ = float(numbers.std(ddof=0)) or 1.0
            return self
        classes = sorted({canonical(v) for v in values}, key=lambda v: (isinstance(v, str), v))
        if len(classes) < 2:
            raise DataError(
                f"{source}: target column '{target.name}' has a single class ({classes[0]!r} in all "
                f"{len(values)} rows); a classifier needs at least two. Check --target or the file."
            )
        if task == "binary" and len(classes) != 2:
            raise DataError(f"{source}: task 'binary' needs 2 classes in '{target.name}', found {len(classes)}.")
        self.classes_ = classes
        self.mean_ = self.std_ = None
        return self

    @property
    def num_outputs(self) -> int:
        check_is_fitted(self, "task_")
        return len(self.classes_) if self.task_ == "multiclass" else 1

    def transform(self, target: pd.Series, source: str = "data") -> np.ndarray:
        """Class indices (int64) or standardized numbers (float32); unknown labels raise DataError."""
        check_is_fitted(self, "task_")
        if self.task_ == "regression":
            return ((_as_numbers(target, target.name, source) - self.mean_) / self.std_).to_numpy("float32")
        index = {c: i for i, c in enumerate(self.classes_)}
        keys = [canonical(v) for v in target]
        # The index holds each row's position in its file (see labeled_examples), so rows are named as there.
        unknown = [(int(position) + 1, key) for position, key in zip(target.index, keys) if key not in index]
        if unknown:
            names = sorted({repr(k) for _, k in unknown})
            raise DataError(
                f"{source}: column '{target.name}' has {len(unknown)} label{'s' if len(unknown) > 1 else ''} "
                "the model never saw "
                f"({', '.join(names[:10])}) at {rows_preview([r for r, _ in unknown])}. The model knows: "
                f"{', '.join(map(repr, self.classes_))}. Fix or remove those rows, or retrain with them."
            )
        return np.array([index[k] for k in keys], dtype="int64")

    def inverse(self, outputs: np.ndarray) -> list:
        """Labels for class indices, or numbers in the target's own scale for regression outputs."""
        check_is_fitted(self, "task_")
        if self.task_ == "regression":
            return (np.asarray(outputs, dtype="float64") * self.std_ + self.mean_).tolist()
        return [self.classes_[i] for i in np.asarray(outputs, dtype="int64")]

    def to_dict(self) -> dict:
        check_is_fitted(self, "task_")
        return {"task": self.task_, "classes": self.classes_, "mean": self.mean_, "std": self.std_}

    @classmethod
    def from_dict(cls, state: dict) -> "TargetEncoder":
        encoder = cls(task=state["task"])
        encoder.task_, encoder.classes_ = state["task"], state["classes"]
        encoder.mean_, encoder.std_ = state["mean"], state["std"]
        return encoder


def _infer_task(values: pd.Series) -> str:
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and len(values):
        fractional = bool((numeric != np.round(numeric)).any())
        if fractional or numeric.nunique() > _MAX_INTEGER_CLASSES:
            return "regression"
    return "binary" if values.map(canonical).nunique() == 2 else "multiclass"


def _as_numbers(values: pd.Series, column, source: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = [row for row, (n, v) in enumerate(zip(numbers, values), start=1) if pd.isna(n) and not pd.isna(v)]
    if bad:
        raise DataError(f"{source}: numeric target '{column}' has non-numbers at {rows_preview(bad)}.")
    return numbers.astype("float64")
