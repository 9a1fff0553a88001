"""Column values in the forms the cleaning stages work on, and learned numbers in the form JSON stores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..data.target import canonical


def as_numbers(values: pd.Series) -> pd.Series:
    """float64, with anything that is not a finite number (a stray word, an empty cell, inf) as NaN."""
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def as_categories(values: pd.Series) -> pd.Series:
    """Category keys as strings, NaN where missing: 2, 2.0, "2" and " 2" are the same category in any file.

    The same key as the feature encoder's `category_key`, so what imputation fills is a category it knows.
    """
    keys = [np.nan if _is_missing(v) else str(canonical(v)) for v in values]
    return pd.Series(keys, index=values.index, name=values.name, dtype=object)


def number(value) -> float | None:
    """A learned number for JSON: a plain float, None for NaN (strict JSON has no NaN)."""
    value = float(value)
    return None if math.isnan(value) else value


def from_number(value) -> float:
    return math.nan if value is None else float(value)


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value))
