"""Disguised missing values: placeholder strings (`?`, `NA`, `null`, ...) and implausible numbers.

Which numbers are sentinels (Pima's glucose 0, a -1 or 999 code) is decided once, on the training data, by
`trainwright.data.missing`, and remembered: a prediction row with glucose 0 is then treated as the training
rows were, even though a single row says nothing about which values are plausible.
"""

from __future__ import annotations

import pandas as pd

from ..data.missing import find_missing, implausible_values, standardize_missing
from ..errors import check_is_fitted
from ._values import as_numbers


class MissingMarker:
    """Turn placeholders (in every column) and the fitted sentinels (per numeric column) into NaN.

    sentinels: False leaves every value as it is (a `?` in a numeric column is still not a number, though).
    """

    def __init__(self, numeric: list[str] = (), sentinels: bool = True):
        self.numeric = list(numeric)
        self.sentinels = sentinels

    def fit(self, frame: pd.DataFrame) -> "MissingMarker":
        self.sentinels_ = {}
        if self.sentinels:
            for column in self.numeric:
                numbers = as_numbers(standardize_missing(frame[[column]])[column])
                found = implausible_values(numbers)
                if found:
                    self.sentinels_[column] = [float(v) for v in found]
        self.counts_ = self._count(frame)  # what fit saw, for the training summary; not saved
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy with placeholders and sentinels as NaN; columns keep their other values as they were."""
        check_is_fitted(self, "sentinels_")
        return standardize_missing(frame, self.sentinels_) if self.sentinels else frame.copy()

    def to_dict(self) -> dict:
        check_is_fitted(self, "sentinels_")
        return {"numeric": self.numeric, "sentinels": self.sentinels, "sentinel_values": self.sentinels_}

    @classmethod
    def from_dict(cls, state: dict) -> "MissingMarker":
        stage = cls(numeric=state["numeric"], sentinels=state["sentinels"])
        stage.sentinels_ = {c: [float(v) for v in values] for c, values in state["sentinel_values"].items()}
        return stage

    def _count(self, frame: pd.DataFrame) -> dict:
        """{"tokens": {column: {"?": 21}}, "sentinels": {column: {0.0: 5}}} over the training frame."""
        tokens = {}
        for column in frame.columns if self.sentinels else []:
            found = find_missing(frame[column]).tokens if not pd.api.types.is_numeric_dtype(frame[column]) else {}
            if found:
                tokens[column] = found
        sentinels = {}
        for column, values in self.sentinels_.items():
            numbers = as_numbers(standardize_missing(frame[[column]])[column])
            sentinels[column] = {value: int((numbers == value).sum()) for value in values}
        return {"tokens": tokens, "sentinels": sentinels}
