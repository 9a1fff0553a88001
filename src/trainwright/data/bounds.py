"""Numbers written as bounds: "90+", ">= 90", "<0.5", "≤ 0.5".

Census files top-code ages and incomes ("90+"), and laboratories write a value below the detection limit as
"<0.5". Read as text, such a value turns a whole numeric column into categories (age as 70 unordered labels). Read
as missing, it loses the one thing it says. So a bound is read as the number it states: the best single number
for "at least 90" or "below 0.5" that keeps the column's order. Files, tables and single requests read it the
same way, so a model trained on "90+" predicts the same for "90+" as for 90.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# A number with a comparison before it (<, <=, >, >=, ≤, ≥) or a plus sign after it, spaces allowed around.
BOUND = re.compile(r"\s*(?:[<>]=?|[≤≥])\s*([-+]?\d+(?:\.\d+)?)\s*|\s*([-+]?\d+(?:\.\d+)?)\s*\+\s*")


def bound_value(text: str) -> float | None:
    """The number a bound such as "90+" or "<0.5" states; None for anything else."""
    found = BOUND.fullmatch(text)
    return None if found is None else float(found.group(1) or found.group(2))


def to_numbers(values: pd.Series) -> pd.Series:
    """`pd.to_numeric(values, errors="coerce")`, with bounds read as the number they state."""
    numbers = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return numbers
    unread = numbers.isna().to_numpy()
    if not unread.any():  # the usual case, checked first: a prediction's table pays for little else
        return numbers
    unread = unread & values.notna().to_numpy()  # only these can be bounds: a regex for each is slow
    if not unread.any():
        return numbers
    bounds = [bound_value(v) if isinstance(v, str) else None for v in values[unread]]
    numbers = numbers.astype("float64")
    numbers[unread] = np.array([np.nan if b is None else b for b in bounds], dtype="float64")
    return numbers


def read_with_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """A column of strings whose values are plain numbers (at least half of them) and bounds: (its numbers, the
    bounds as written). None for any other column, and for one of bounds alone: "<=50" and ">50" are two
    classes, not one number."""
    present = values.dropna().astype(str).str.strip()
    plain = pd.to_numeric(present, errors="coerce").notna()
    bounds = present[~plain]
    if bounds.empty or plain.sum() * 2 < len(present) or bounds.map(bound_value).isna().any():
        return None
    return to_numbers(values), bounds
