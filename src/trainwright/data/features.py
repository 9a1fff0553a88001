"""Numeric and categorical columns as model inputs: standardized numbers and category ids.

Numbers are standardized by the mean and standard deviation of their plausible values: values beyond far fences
(the central 95% range widened by three of its widths each side, about ±13.7 standard deviations for normal
data) do not count, so a few huge values, which the cleaning keeps by default, do not squash the others into a
sliver around 0. Nothing is left out of ordinary data, which is standardized as before. Scaled values beyond
±50 are clipped: only typos and codes lie that far out, and one of them must not saturate the network.
(Not median/IQR scaling: a column half imputed with its median, like Pima's insulin, has a tiny IQR, which
spreads its real values out to ±50; see benchmarks/README.md.)

Category id 0 stands for a value the training data never had (or a missing one), so prediction never fails
on a new category; the others are numbered by frequency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stage import check_is_fitted
from .written_numbers import to_numbers
from .target import canonical

CENTRAL = (0.025, 0.975)  # the central 95% of a column's values ...
WIDTHS = 3.0  # ... widened by this many of its widths each side: values beyond do not count in the statistics
FAR = 50.0  # scaled values beyond ± this are clipped


def category_key(value) -> str | None:
    """'2', 2 and 2.0 are the same category; None for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(canonical(value))


def plausible(numbers: pd.DataFrame) -> pd.DataFrame:
    """The values, with those beyond the far fences (see CENTRAL, WIDTHS) made NaN."""
    low, high = numbers.quantile(list(CENTRAL)).to_numpy()
    reach = np.where(high > low, WIDTHS * (high - low), np.inf)  # mostly one value (capital gains): no fences
    return numbers.mask((numbers < low - reach) | (numbers > high + reach))


class FeatureEncoder:
    def __init__(self, numeric: list[str], categorical: list[str]):
        self.numeric = list(numeric)
        self.categorical = list(categorical)

    def fit(self, frame: pd.DataFrame) -> "FeatureEncoder":
        numbers = plausible(pd.DataFrame(self._numbers(frame)))
        self.mean_ = np.nan_to_num(numbers.mean().to_numpy()).tolist()
        std = np.nan_to_num(numbers.std(ddof=0).to_numpy())
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
        """numeric (rows, n_numeric) float32 standardized, within ±FAR, a missing number at the mean (0);
        categorical (rows, n_categorical) int64 ids, 0 for unseen or missing."""
        check_is_fitted(self, "categories_")
        return self._encode(self._numbers(frame), [frame[c].map(category_key) for c in self.categorical])

    def transform_columns(self, columns: dict[str, np.ndarray | list]) -> tuple[np.ndarray, np.ndarray]:
        """`transform` on plain columns (numbers as float64 arrays, categories as lists of keys), as the cleaning's
        `transform_columns` gives them: the same arrays, without a table."""
        check_is_fitted(self, "categories_")
        rows = len(columns[(self.numeric + self.categorical)[0]])
        numbers = np.column_stack([columns[c] for c in self.numeric]) if self.numeric else np.zeros((rows, 0))
        return self._encode(numbers, [map(category_key, columns[c]) for c in self.categorical])

    def _encode(self, numbers: np.ndarray, keys: list) -> tuple[np.ndarray, np.ndarray]:
        """numbers: (rows, n_numeric) float64; keys: each categorical column's category keys, row by row."""
        numbers = (numbers - np.asarray(self.mean_)) / np.asarray(self.std_)
        numeric = np.nan_to_num(numbers, nan=0.0).clip(-FAR, FAR).astype(np.float32)
        categorical = np.zeros((len(numbers), len(self.categorical)), dtype=np.int64)
        for j, column in enumerate(self.categorical):
            index = {key: i + 1 for i, key in enumerate(self.categories_[column])}
            categorical[:, j] = [index.get(key, 0) for key in keys[j]]
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
        return np.column_stack([to_numbers(frame[c]).to_numpy(dtype="float64", na_value=np.nan)
                                for c in self.numeric])
