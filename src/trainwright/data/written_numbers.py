"""Numbers as people write them in tables: bounds ("90+", "<0.5", "≤ 0.5"), thousands separators ("14,800",
"14 800"), currency signs ("$1,200.50", "12 €") and percent signs ("33.6%").

Read as text, any of these turns a numeric column into categories: glucose written "14,800" becomes a hundred
unordered labels, and the model loses its best feature. So each is read as the number it states:

- a bound as the best single number for "at least 90" or "below 0.5" that keeps the column's order (census files
  top-code ages and incomes, laboratories write a value under the detection limit as "<0.5");
- a grouped, priced or percent number as the number written, without its grouping and signs: "14,800" as 14800,
  "$0.50" as 0.5, "33.6%" as 33.6 (so "33.6%" and 33.6 mean the same).

Files, tables and single requests read them the same way, so a model trained on "90+" predicts the same for
"90+" as for 90. Decimal commas ("3,5") are the reader's business: only a file separated by semicolons has them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_NUMBER = r"[-+]?\d+(?:\.\d+)?"
# A number with a comparison before it (<, <=, >, >=, ≤, ≥) or a plus sign after it, spaces allowed around.
BOUND = re.compile(rf"\s*(?:[<>]=?|[≤≥])\s*({_NUMBER})\s*|\s*({_NUMBER})\s*\+\s*")
CURRENCY = "$€£¥₹₩"
GROUPING = ", \u00a0\u202f"  # what groups thousands beside a decimal point: commas, or spaces (French: 14 800)
# A number with its thousands grouped (one mark throughout), a currency sign before or after it, or a percent sign
# after it.
FORMATTED = re.compile(rf"\s*([-+]?)\s*[{CURRENCY}]?\s*([-+]?)(\d{{1,3}}([{GROUPING}])\d{{3}}(?:\4\d{{3}})*"
                       rf"(?:\.\d+)?|\d*\.?\d+)\s*[{CURRENCY}%]?\s*")
SAMPLE = 20  # values checked before a whole column is: text columns fail within the first few


def bound_value(text: str) -> float | None:
    """The number a bound such as "90+" or "<0.5" states; None for anything else."""
    found = BOUND.fullmatch(text)
    return None if found is None else float(found.group(1) or found.group(2))


def written_value(text: str) -> float | None:
    """The number `text` states as a bound, or with grouping, currency or percent signs; None for anything else
    (a plain number included: pandas reads those)."""
    if (bound := bound_value(text)) is not None:
        return bound
    found = FORMATTED.fullmatch(text)
    if found is None or (found.group(1) and found.group(2)):
        return None
    number = float(re.sub(f"[{GROUPING}]", "", found.group(3)))
    return -number if "-" in (found.group(1) + found.group(2)) else number


def how_written(examples) -> str:
    """What `examples` (values that `written_value` reads) hold, in words: "bounds", "thousands separators", ..."""
    text = "".join(examples)
    ways = [("bounds", any(bound_value(e) is not None for e in examples)),
            ("thousands separators", any((found := FORMATTED.fullmatch(e)) and found.group(4) for e in examples)),
            ("currency signs", any(c in text for c in CURRENCY)),
            ("percent signs", "%" in text)]
    return ", ".join(name for name, found in ways if found)


def to_numbers(values: pd.Series) -> pd.Series:
    """`pd.to_numeric(values, errors="coerce")`, with numbers as written (bounds, grouping, currency, percent)
    read as the number they state."""
    numbers = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return numbers
    unread = numbers.isna().to_numpy()
    if not unread.any():  # the usual case, checked first: a prediction's table pays for little else
        return numbers
    unread = unread & values.notna().to_numpy()  # only these can be written numbers: a regex for each is slow
    if not unread.any():
        return numbers
    written = [written_value(v) if isinstance(v, str) else None for v in values[unread]]
    numbers = numbers.astype("float64")
    numbers[unread] = np.array([np.nan if w is None else w for w in written], dtype="float64")
    return numbers


def read_as_written(values: pd.Series, numbers: pd.Series | None = None) -> tuple[pd.Series, pd.Series] | None:
    """A column of strings that are all numbers, some of them (at least one) written as bounds, grouped, priced
    or percent: (its numbers, the values so written). None for any other column, and for a column of bounds
    alone or nearly: "<=50" and ">50" are two classes, not one number, so bounds need plain numbers around
    them (at least half). `numbers`: `pd.to_numeric(values, errors="coerce")`, if already at hand."""
    numbers = pd.to_numeric(values, errors="coerce") if numbers is None else numbers
    unread = numbers.isna().to_numpy() & values.notna().to_numpy()
    if not unread.any() or not _all_written(values.iloc[np.flatnonzero(unread)[:SAMPLE]]):  # text fails here
        return None
    written = values[unread].astype(str).str.strip()
    if not _all_written(written):
        return None
    plain = int(numbers.notna().sum())
    if written.map(bound_value).notna().all() and plain * 2 < plain + len(written):
        return None
    return to_numbers(values), written


def _all_written(values) -> bool:
    """Whether `written_value` reads every one of `values`."""
    return all(isinstance(v, str) and written_value(v.strip()) is not None for v in values)
