"""Column values in the forms the cleaning stages work on, and learned numbers in the form JSON stores."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..data.written_numbers import to_numbers
from ..data.target import canonical


def as_numbers(values: pd.Series) -> pd.Series:
    """float64, with anything that is not a finite number (a stray word, an empty cell, inf) as NaN, and a number
    as written ("90+", "14,800", "$0.50", "33.6%") as the number it states."""
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("float64")
    numbers = to_numbers(values).astype("float64")  # "90+" as 90, "14,800" as 14800: data/written_numbers.py
    return numbers.where(np.isfinite(numbers))


def as_categories(values: pd.Series) -> pd.Series:
    """Category keys as strings, NaN where missing: 2, 2.0, "2" and " 2" are the same category in any file.

    The same key as the feature encoder's `category_key`, so what imputation fills is a category it knows.
    """
    keys = [np.nan if _is_missing(v) else str(canonical(v)) for v in values]
    return pd.Series(keys, index=values.index, name=values.name, dtype=object)


# What a list of one column's values may hold for `numbers_of` and `categories_of` to read it as a table would.
# Beyond these, how pandas reads a value depends on its neighbours (a big integer among missing values becomes
# an inexact float) or on its own parser (" 5", "1_000", "inf"): the table path reads such values.
_EXACT = 2**53  # integers up to this size are the same as floats
_DECIMAL = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][+-]?\d{1,3})?")  # where float() is pandas


def numbers_of(values: list) -> np.ndarray | None:
    """`as_numbers` of one column given as a plain list (None where missing): float64, NaN for a missing or
    infinite value. None where a value is one that only a table reads the same way: a bool, an integer beyond
    2**53, a string other than a plain decimal number, or any other type."""
    numbers = []
    for value in values:
        kind = type(value)
        if value is None:
            numbers.append(math.nan)
        elif kind is float or (kind is int and -_EXACT <= value <= _EXACT):
            numbers.append(value)
        elif kind is str and _DECIMAL.fullmatch(value):
            numbers.append(float(value))
        else:
            return None
    numbers = np.array(numbers, dtype="float64")
    return np.where(np.isfinite(numbers), numbers, np.nan)


def categories_of(values: list) -> list[str | None] | None:
    """`as_categories` of one column given as a plain list: category keys, None where missing. None where a value
    is not a string, a float or an integer up to 2**53 (a table reads those differently, see `numbers_of`)."""
    keys = []
    for value in values:
        kind = type(value)
        if value is None or (kind is float and math.isnan(value)):
            keys.append(None)
        elif kind is str or kind is float or (kind is int and -_EXACT <= value <= _EXACT):
            keys.append(str(canonical(value)))
        else:
            return None
    return keys


def number(value) -> float | None:
    """A learned number for JSON: a plain float, None for NaN (strict JSON has no NaN)."""
    value = float(value)
    return None if math.isnan(value) else value


def from_number(value) -> float:
    return math.nan if value is None else float(value)


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value))
