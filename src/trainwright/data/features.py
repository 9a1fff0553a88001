"""Numeric and categorical columns as model inputs: standardized numbers and category ids.

Category id 0 stands for a value the training data never had (or a missing one), so prediction never fails
on a new category; the others are numbered by frequency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_is_fitted
from .target import canonical


def category_key(value) -> str | None:
    """'2', 2 and 2.0 are the same category; None for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(canonical(value))


class FeatureEncoder:
    def __init__(self, numeric: list[str], categorical: list[str]):
        self.numeric = list(numeric)
        self.categorical = list(categorical)

    def fit(self, frame: pd.DataFrame) -> "FeatureEncoder":
        numbers = self._numbers(frame)
        self.mean_ = np.nan_to_num(np.nanmean(numbers, axis=0)).tolist() if self.numeric else []
        std = np.nan_to_num(np.nanstd(numbers, axis=0)) if self.numeric else np.array([])
        self.std_ = np.where(std > 0, std, 1.0).tolist()
        self.categories_ = {}
        for column in self.categorical:
            counts = frame[column].map(category_key).value_counts()
            self.categories_[column] = [key for key in counts.index if key is not None]
        return self

    @property
    def cardinalities(self) -> list[int]:
        check_is_fitted(self, "categories_")
        return [len(self.categories_[c]) + 1 for c in self.categorical]

    def transform(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """numeric (rows, n_numeric) float32 standardized, a missing number at the mean (0);
        categorical (rows, n_categorical) int64 ids, 0 for unseen or missing."""
        check_is_fitted(self, "categories_")
        numbers = (self._numbers(frame) - np.asarray(self.mean_)) / np.asarray(self.std_)
        numeric = np.nan_to_num(numbers, nan=0.0).astype(np.float32)
        categorical = np.zeros((len(frame), len(self.categorical)), dtype=np.int64)
        for j, column in enumerate(self.categorical):
            index = {key: i + 1 for i, key in enumerate(self.categories_[column])}
            categorical[:, j] = [index.get(key, 0) for key in frame[column].map(category_key)]
        return numeric, categorical

    def to_dict(self) -> dict:
        check_is_fitted(self, "categories_")
        return {"numeric": self.numeric, "categorical": self.categorical, "mean": self.mean_, "std": self.std_,
                "categories": self.categories_}

    @classmethod
    def from_dict(cls, state: dict) -> "FeatureEncoder":
        encoder = cls(state["numeric"], state["categorical"])
        encoder.mean_, encoder.std_, encoder.categories_ = state["mean"], state["std"], state["categories"]
        return encoder

    def _numbers(self, frame: pd.DataFrame) -> np.ndarray:
        if not self.numeric:
            return np.zeros((len(frame), 0))
        return np.column_stack([pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
                                for c in self.numeric])
