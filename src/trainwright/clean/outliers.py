"""Outliers in numeric columns: per-column fences fitted on the training data, then clipped, dropped or
treated as missing.

Fences are `iqr`: [Q1 - k·IQR, Q3 + k·IQR] (Tukey; k = 3 marks "far out" values), or `zscore`: the robust
z-score, median ± t·MAD/0.6745 with t = 3.5 (Iglewicz and Hoaglin). A column whose IQR or MAD is 0 (mostly
one value) gets no fences: every other value would count as an outlier. `fences` is also what `trainwright
doctor` reports with, at Tukey's k = 1.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stage import check_is_fitted
from ._values import as_numbers
from ..config import CleaningConfig

DEFAULT_FACTOR = {"iqr": 3.0, "zscore": 3.5}
MIN_VALUES = 10  # fewer present values than this say too little about a column's spread
_MAD_TO_SD = 0.6745  # MAD / 0.6745 estimates the standard deviation of normally distributed data


class OutlierHandler:
    """Fit fences per numeric column; `clip` and `as_missing` act in transform, `drop` in fit_resample only.

    At prediction time a `drop` handler clips instead: a prediction row is never dropped.
    """

    def __init__(self, config: CleaningConfig | None = None, columns: list[str] = ()):
        self.config = config or CleaningConfig()
        self.columns = list(columns)

    def fit(self, frame: pd.DataFrame) -> "OutlierHandler":
        cfg = self.config
        factor = cfg.outlier_factor or DEFAULT_FACTOR[cfg.outlier_method]
        self.bounds_ = {}
        if cfg.outliers != "keep":
            for column in self.columns:
                bounds = fences(as_numbers(frame[column]).dropna().to_numpy(), cfg.outlier_method, factor)
                if bounds is not None:
                    self.bounds_[column] = bounds
        self.counts_ = {}  # column -> (values below, values above) in the fitted frame, for the summary
        for column, (low, high) in self.bounds_.items():
            numbers = as_numbers(frame[column])
            below, above = int((numbers < low).sum()), int((numbers > high).sum())
            if below or above:
                self.counts_[column] = (below, above)
        return self

    def fit_resample(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Training: fit, then drop the rows with an outlier (`drop`) or transform them (other modes)."""
        self.fit(frame)
        if self.config.outliers != "drop":
            return self.transform(frame)
        outside = np.zeros(len(frame), dtype=bool)
        for column, (low, high) in self.bounds_.items():
            numbers = as_numbers(frame[column]).to_numpy()
            outside |= (numbers < low) | (numbers > high)
        self.rows_dropped_ = int(outside.sum())
        return frame[~outside]

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy with values outside the fences clipped to them (clip, drop) or set to NaN (as_missing)."""
        check_is_fitted(self, "bounds_")
        frame = frame.copy()
        for column, (low, high) in self.bounds_.items():
            numbers = as_numbers(frame[column])
            if self.config.outliers == "as_missing":
                frame[column] = numbers.mask((numbers < low) | (numbers > high))
            else:
                frame[column] = numbers.clip(low, high)
        return frame

    def transform_arrays(self, numbers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """`transform` on numeric columns given as float64 arrays, {column: numbers}: the same values."""
        check_is_fitted(self, "bounds_")
        numbers = dict(numbers)
        for column, (low, high) in self.bounds_.items():
            values = numbers[column]
            if self.config.outliers == "as_missing":
                numbers[column] = np.where((values < low) | (values > high), np.nan, values)
            else:  # the comparisons of Series.clip, which keeps NaN
                numbers[column] = np.where(values < low, low, np.where(values > high, high, values))
        return numbers

    def to_dict(self) -> dict:
        check_is_fitted(self, "bounds_")
        cfg = self.config
        return {"mode": cfg.outliers, "method": cfg.outlier_method, "factor": cfg.outlier_factor,
                "columns": self.columns, "bounds": {c: list(b) for c, b in self.bounds_.items()}}

    @classmethod
    def from_dict(cls, state: dict) -> "OutlierHandler":
        config = CleaningConfig(outliers=state["mode"], outlier_method=state["method"],
                                outlier_factor=state["factor"])
        stage = cls(config, columns=state["columns"])
        stage.bounds_ = {c: (float(low), float(high)) for c, (low, high) in state["bounds"].items()}
        return stage


def fences(values: np.ndarray, method: str, factor: float) -> tuple[float, float] | None:
    """(low, high): a value outside is an outlier.

    `values` are one column's present numbers (no NaN). `method` iqr: Q1 - factor·IQR, Q3 + factor·IQR; zscore: a
    robust z-score over `factor`, median ± factor·MAD/0.6745. None for fewer than MIN_VALUES values or no spread
    (an IQR or MAD of 0, or NaN where a value is infinite).
    """
    if len(values) < MIN_VALUES:
        return None
    if method == "iqr":
        q1, q3 = np.percentile(values, [25, 75])
        spread = q3 - q1
        return (float(q1 - factor * spread), float(q3 + factor * spread)) if spread > 0 else None
    median = np.median(values)
    mad = np.median(np.abs(values - median))
    # |0.6745 (x - median) / MAD| > factor  <=>  |x - median| > factor MAD / 0.6745
    return (float(median - factor * mad / _MAD_TO_SD), float(median + factor * mad / _MAD_TO_SD)) if mad > 0 else None
