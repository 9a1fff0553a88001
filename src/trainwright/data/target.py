"""The target column as numbers for training, and back to the user's labels for predictions.

A multilabel cell holds several labels joined by a separator ("sports;politics"); a cell with only separators
(";") has no label. Missing cells never get here: `labeled_examples` leaves those rows out.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, rows_preview
from ..log import logger
from ..stage import check_is_fitted

_MAX_INTEGER_CLASSES = 20  # an integer target with more distinct values than this is treated as a number
# task auto is multilabel when at least this share of the text cells hold the separator, and their labels are
# a small set (at most _MAX_LABELS, each in 2+ cells): a few free-text labels with a ";" in them are not enough.
_MULTILABEL_SHARE = 0.05
_MAX_LABELS = 100


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
    if not math.isfinite(number):
        return text  # "nan", "inf" are words here, not numbers
    return int(number) if number.is_integer() else number


class TargetEncoder:
    """Maps labels to class indices (classification), label sets to multi-hot rows (multilabel), or standardizes
    a numeric target (regression).

    task: "auto" decides from the values: text cells that often hold `separator` are multilabel; a numeric
    target with fractions or many distinct values is a regression; anything else is classification, binary for
    two classes. separator: between the labels of one multilabel cell.
    """

    def __init__(self, task: str = "auto", separator: str = ";"):
        self.task = task
        self.separator = separator

    def fit(self, target: pd.Series, source: str = "data") -> TargetEncoder:
        values = target.dropna()
        task = self.task if self.task != "auto" else _infer_task(values, self.separator, target.name, source)
        self.task_ = task
        if task == "multilabel":
            return self._fit_multilabel(values, target.name, source)
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

    def _fit_multilabel(self, values: pd.Series, column, source: str) -> TargetEncoder:
        if not self.separator:
            raise DataError(f"{source}: task 'multilabel' needs a label separator; data.label_separator is empty. "
                            "Set it to the character between the labels of a cell, e.g. ';'.")
        labels = {label for cell in values for label in split_labels(cell, self.separator)}
        if len(labels) < 2:
            raise DataError(
                f"{source}: multilabel target '{column}' has {len(labels)} distinct label"
                f"{'' if len(labels) == 1 else 's'} ({', '.join(map(repr, labels))}) between its "
                f"'{self.separator}' separators; it needs at least two. For one label use --task binary, or check "
                "data.label_separator.")
        self.classes_ = sorted(labels, key=lambda v: (isinstance(v, str), v))
        self.mean_ = self.std_ = None
        return self

    @property
    def num_outputs(self) -> int:
        check_is_fitted(self, "task_")
        return len(self.classes_) if self.task_ in ("multiclass", "multilabel") else 1

    def transform(self, target: pd.Series, source: str = "data") -> np.ndarray:
        """Class indices (int64), multi-hot rows (n, labels) float32 for multilabel, or standardized numbers
        (float32); unknown labels raise DataError."""
        check_is_fitted(self, "task_")
        if self.task_ == "regression":
            return ((_as_numbers(target, target.name, source) - self.mean_) / self.std_).to_numpy("float32")
        index = {c: i for i, c in enumerate(self.classes_)}
        if self.task_ == "multilabel":
            rows = [split_labels(v, self.separator) for v in target]
        else:
            rows = [[canonical(v)] for v in target]
        # The index holds each row's position in its file (see labeled_examples), so rows are named as there.
        unknown = [(int(position) + 1, key) for position, keys in zip(target.index, rows) for key in keys
                   if key not in index]
        if unknown:
            names = sorted({repr(k) for _, k in unknown})
            raise DataError(
                f"{source}: column '{target.name}' has {len(unknown)} label{'s' if len(unknown) > 1 else ''} "
                "the model never saw "
                f"({', '.join(names[:10])}) at {rows_preview(sorted({r for r, _ in unknown}))}. The model knows: "
                f"{', '.join(map(repr, self.classes_))}. Fix or remove those rows, or retrain with them."
            )
        if self.task_ == "multilabel":
            hot = np.zeros((len(rows), len(self.classes_)), dtype="float32")
            for i, keys in enumerate(rows):
                hot[i, [index[k] for k in keys]] = 1.0
            return hot
        return np.array([index[keys[0]] for keys in rows], dtype="int64")

    def inverse(self, outputs: np.ndarray) -> list:
        """Labels for class indices; multilabel: for (n, labels) indicators or probabilities, each row's list of
        labels over 0.5; regression: numbers in the target's own scale."""
        check_is_fitted(self, "task_")
        if self.task_ == "regression":
            return (np.asarray(outputs, dtype="float64") * self.std_ + self.mean_).tolist()
        if self.task_ == "multilabel":
            chosen = np.asarray(outputs, dtype="float64").reshape(-1, len(self.classes_)) > 0.5
            return [[c for c, on in zip(self.classes_, row) if on] for row in chosen]
        return [self.classes_[i] for i in np.asarray(outputs, dtype="int64")]

    def to_dict(self) -> dict:
        check_is_fitted(self, "task_")
        return {"task": self.task_, "classes": self.classes_, "mean": self.mean_, "std": self.std_,
                "separator": self.separator}

    @classmethod
    def from_dict(cls, state: dict) -> TargetEncoder:
        encoder = cls(task=state["task"], separator=state.get("separator", ";"))
        encoder.task_, encoder.classes_ = state["task"], state["classes"]
        encoder.mean_, encoder.std_ = state["mean"], state["std"]
        return encoder


def case_variants(labels: pd.Series) -> list[dict[str, int]]:
    """Groups of labels that differ only in case ("Yes", "YES"), each as {label: rows}, most rows first: in a
    file, almost always one label typed two ways, which a classifier would learn as different classes."""
    counts = pd.Series([v for v in labels if isinstance(v, str)], dtype=object).value_counts()  # any dtype
    groups: dict[str, dict[str, int]] = {}
    for label, count in counts.items():
        groups.setdefault(label.casefold(), {})[label] = int(count)
    return [group for group in groups.values() if len(group) > 1]


def warn_of_case_variants(target: pd.Series, source: str = "data") -> None:
    """Say, loudly, which labels of a classification target differ only in case: they train as classes apart."""
    for spellings in case_variants(target.dropna().map(canonical)):
        shown = " and ".join(f"'{label}' ({count} row{'s' if count > 1 else ''})" for label, count in spellings.items())
        logger.warning(f"{source}: target '{target.name}' has labels that differ only in case: {shown}. They are "
                       f"trained as {len(spellings)} different classes; if they mean the same, write them one way "
                       "in the file.")


def split_labels(value: Any, separator: str) -> list:
    """The labels of one multilabel cell, canonical, without repeats or empty parts: "b; a;;b" -> ["b", "a"]."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    parts = str(value).split(separator) if separator else [str(value)]
    return list(dict.fromkeys(canonical(p) for p in parts if p.strip()))


def _infer_task(values: pd.Series, separator: str = ";", column=None, source: str = "data") -> str:
    if _looks_multilabel(values, separator, column, source):
        return "multilabel"
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and len(values):
        fractional = bool((numeric != np.round(numeric)).any())
        if fractional or numeric.nunique() > _MAX_INTEGER_CLASSES:
            return "regression"
    return "binary" if values.map(canonical).nunique() == 2 else "multiclass"


def _looks_multilabel(values: pd.Series, separator: str, column, source: str) -> bool:
    """Text cells of which a clear share hold the separator, with a small set of labels each seen twice."""
    if not separator or not len(values) or pd.to_numeric(values, errors="coerce").notna().all():
        return False
    cells = values.astype(str)
    share = float(cells.str.contains(separator, regex=False).mean())
    if share < _MULTILABEL_SHARE:
        return False
    counts = Counter(label for cell in cells for label in split_labels(cell, separator))
    if not 2 <= len(counts) <= _MAX_LABELS or min(counts.values()) < 2:
        return False
    logger.info(f"{source}: task: multilabel, as {share:.0%} of the cells in '{column}' hold several labels "
                f"separated by '{separator}' ({len(counts)} labels in all); pass --task multiclass to treat "
                "each cell as one class")
    return True


def _as_numbers(values: pd.Series, column, source: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = [row for row, (n, v) in enumerate(zip(numbers, values), start=1) if pd.isna(n) and not pd.isna(v)]
    if bad:
        raise DataError(f"{source}: numeric target '{column}' has non-numbers at {rows_preview(bad)}.")
    return numbers.astype("float64")
