"""Disguised missing values: placeholder strings (`?`, `NA`, `null`, ...) and implausible numbers.

Which numbers are sentinels (Pima's glucose 0, a -1 or 999 code) is decided once, on the training data, by
`trainwright.data.missing`, and remembered: a prediction row with glucose 0 is then treated as the training
rows were, even though a single row says nothing about which values are plausible. Suspected sentinels that
are top-codes, or whose rows carry signal (given the training labels), are kept as values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.missing import find_missing, is_placeholder, judge_sentinels, standardize_missing
from ..stage import check_is_fitted
from ._values import as_numbers


class MissingMarker:
    """Turn placeholders (in every column) and the fitted sentinels (per numeric column) into NaN.

    sentinels: False leaves every value as it is (a `?` in a numeric column is still not a number, though).
    """

    def __init__(self, numeric: list[str] = (), sentinels: bool = True):
        self.numeric = list(numeric)
        self.sentinels = sentinels

    def fit(self, frame: pd.DataFrame, labels: pd.Series | None = None) -> "MissingMarker":
        """labels: the training target, one per row (float for regression), to keep sentinels that carry signal."""
        self.sentinels_, self.kept_ = {}, {}  # kept_: column -> {suspected sentinel: why kept}; not saved
        if self.sentinels:
            for column in self.numeric:
                numbers = as_numbers(standardize_missing(frame[[column]])[column])
                judged = judge_sentinels(numbers, labels)
                found = [float(v) for v, kept in judged.items() if not kept]
                if found:
                    self.sentinels_[column] = found
                kept = {float(v): why for v, why in judged.items() if why}
                if kept:
                    self.kept_[column] = kept
        self.counts_ = self._count(frame)  # what fit saw, for the training summary; not saved
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy with placeholders and sentinels as NaN; columns keep their other values as they were."""
        check_is_fitted(self, "sentinels_")
        return standardize_missing(frame, self.sentinels_) if self.sentinels else frame.copy()

    def transform_texts(self, values: list) -> list:
        """`transform` of one column given as a plain list (a text column: strings or None): placeholders as None.
        A numeric column's sentinels are then marked by `mark_sentinels` on its numbers."""
        check_is_fitted(self, "sentinels_")
        if not self.sentinels:
            return list(values)
        return [None if is_placeholder(value) else value for value in values]

    def mark_sentinels(self, column: str, numbers: np.ndarray) -> np.ndarray:
        """`transform`'s sentinels on one numeric column given as float64 numbers: a copy with them as NaN."""
        check_is_fitted(self, "sentinels_")
        sentinels = self.sentinels_.get(column) if self.sentinels else None
        return np.where(np.isin(numbers, sentinels), np.nan, numbers) if sentinels else numbers.copy()

    def to_dict(self) -> dict:
        check_is_fitted(self, "sentinels_")
        return {"numeric": self.numeric, "sentinels": self.sentinels, "sentinel_values": self.sentinels_}

    @classmethod
    def from_dict(cls, state: dict) -> "MissingMarker":
        stage = cls(numeric=state["numeric"], sentinels=state["sentinels"])
        stage.sentinels_ = {c: [float(v) for v in values] for c, values in state["sentinel_values"].items()}
        return stage

    def _count(self, frame: pd.DataFrame) -> dict:
        """{"tokens": {column: {"?": 21}}, "sentinels": {column: {0.0: 5}}, "kept": {column: {99999.0: (143, why)}}}
        over the training frame."""
        tokens = {}
        for column in frame.columns if self.sentinels else []:
            found = find_missing(frame[column]).tokens if not pd.api.types.is_numeric_dtype(frame[column]) else {}
            if found:
                tokens[column] = found
        sentinels = {}
        for column, values in self.sentinels_.items():
            numbers = as_numbers(standardize_missing(frame[[column]])[column])
            sentinels[column] = {value: int((numbers == value).sum()) for value in values}
        kept = {}
        for column, values in self.kept_.items():
            numbers = as_numbers(standardize_missing(frame[[column]])[column])
            kept[column] = {value: (int((numbers == value).sum()), why) for value, why in values.items()}
        return {"tokens": tokens, "sentinels": sentinels, "kept": kept}
