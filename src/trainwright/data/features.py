"""Numeric and categorical columns as model inputs: robustly scaled numbers and category ids.

Numbers are centred on the median and divided by IQR / 1.349 (the standard deviation of normal data with that
IQR; the standard deviation where the IQR is 0), so a few huge values, which the cleaning keeps by default, do
not squash the other values into a sliver around 0. Scaled values beyond ±50 are clipped: only typos and codes
lie that far out, and one of them must not saturate the network.

Category id 0 stands for a value the training data never had (or a missing one), so prediction never fails
on a new category; the others are numbered by frequency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_is_fitted
from .target import canonical

_IQR_TO_SD = 1.349  # the IQR of normally distributed data is 1.349 standard deviations
FAR = 50.0  # scaled values beyond ± this are clipped


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
        # mean_ and std_ keep their names (saved models, the server's example rows); they hold center and scale.
        numbers = pd.DataFrame(self._numbers(frame))
        q1, median, q3 = numbers.quantile([0.25, 0.5, 0.75]).to_numpy()
        scale = np.nan_to_num((q3 - q1) / _IQR_TO_SD)
        scale = np.where(scale > 0, scale, np.nan_to_num(numbers.std(ddof=0).to_numpy()))
        self.mean_ = np.nan_to_num(median).tolist()
        self.std_ = np.where(scale > 0, scale, 1.0).tolist()
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
        """numeric (rows, n_numeric) float32 scaled, within ±FAR, a missing number at the center (0);
        categorical (rows, n_categorical) int64 ids, 0 for unseen or missing."""
        check_is_fitted(self, "categories_")
        numbers = (self._numbers(frame) - np.asarray(self.mean_)) / np.asarray(self.std_)
        numeric = np.nan_to_num(numbers, nan=0.0).clip(-FAR, FAR).astype(np.float32)
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
