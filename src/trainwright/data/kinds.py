"""What kind of column each one is: text, numeric, categorical, binary, datetime, identifier or constant.

Each kind comes with the reason, so that the doctor can show it and training can tell the user once.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import pandas as pd

from ..text.scripts import CJK
from .written_numbers import read_as_written
from .missing import MISSING_TOKENS, ZERO_PADDED

KINDS = ("text", "numeric", "categorical", "binary", "datetime", "identifier", "constant")
_ID_NAME = re.compile(r"(^id$|_id$|^id_|\bid\b|uuid|guid|(_|^)(number|no|num|nr|code)$|^index$)", re.I)
MAX_CODES = 10  # integer columns with at most this many distinct values are category codes (pain 1-5)
MANY_TEXTS = 1_000  # long strings with this many distinct values are text however often they repeat
MAX_CATEGORIES = 50  # string columns with more distinct short values than this are identifiers or text
# pandas' name for a column without a header (a DataFrame's index written with to_csv), and an empty name
_UNNAMED = re.compile(r"^(Unnamed: \d+|)$")
MIN_ROW_NUMBERS = 20  # fewer all-distinct integers than this can be honest measurements by chance


@dataclass
class ColumnKind:
    name: str
    kind: str
    reason: str


def infer_kind(series: pd.Series) -> ColumnKind:
    """The kind of one column; placeholder strings (`?`, `NA`, ...) are ignored."""
    name = str(series.name)
    if pd.api.types.is_datetime64_any_dtype(series):  # from Parquet or a DataFrame; to_numeric would take it
        return ColumnKind(name, "datetime", "a date/time column")
    values = _present(series)
    distinct = values.nunique()
    if distinct <= 1:
        shown = repr(values.iloc[0]) if len(values) else "nothing"
        return ColumnKind(name, "constant", f"a single value ({shown}) in every non-missing row")
    if distinct == 2:
        return ColumnKind(name, "binary", f"two values: {', '.join(map(str, sorted(values.unique(), key=str)))}")
    if not pd.api.types.is_numeric_dtype(values) and values.astype(str).str.fullmatch(ZERO_PADDED).any():
        return ColumnKind(name, "categorical", f"zero-padded codes, {distinct} distinct values")
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any() and (as_written := read_as_written(values, numbers)) is not None:
        numbers = as_written[0]  # "90+" among numbers, "14,800": numbers as written, the column still numbers
    if numbers.notna().all():
        integral = bool((numbers == numbers.round()).all())
        if integral and _UNNAMED.match(name.strip()) and distinct == len(values):
            return ColumnKind(name, "identifier", "an unnamed column of distinct whole numbers: a row index "
                                                  "written with the file")
        if integral and _looks_like_row_numbers(numbers, distinct):
            return ColumnKind(name, "identifier", f"row numbers: {distinct} distinct whole numbers from "
                                                  f"{numbers.min():.0f} to {numbers.max():.0f}")
        if integral and _ID_NAME.search(name) and distinct >= 0.9 * len(values):
            return ColumnKind(name, "identifier", f"named like an identifier, {distinct / len(values):.0%} distinct")
        if integral and distinct <= MAX_CODES:
            return ColumnKind(name, "categorical", f"integer codes, {distinct} distinct values")
        return ColumnKind(name, "numeric", f"numbers, {distinct} distinct values")
    text = values.astype(str)
    if _looks_like_dates(text):
        return ColumnKind(name, "datetime", "values parse as dates")
    mean_chars = text.str.len().mean()
    long_enough = mean_chars >= (6 if CJK.search("".join(text.head(200))) else 15)
    # Mostly distinct, or simply too many distinct long strings to be categories (a large file full of repeats).
    if long_enough and distinct >= min(0.3 * len(values), MANY_TEXTS):
        return ColumnKind(name, "text", f"free-form strings, mean {mean_chars:.0f} characters, "
                                        f"{distinct / len(values):.0%} distinct")
    if distinct >= 0.9 * len(values) and len(values) > MAX_CATEGORIES:
        return ColumnKind(name, "identifier", f"short strings, {distinct / len(values):.0%} distinct")
    if distinct > MAX_CATEGORIES and _ID_NAME.search(name):
        return ColumnKind(name, "identifier", f"named like an identifier, {distinct} distinct values")
    return ColumnKind(name, "categorical", f"strings, {distinct} distinct values")


def _present(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if not pd.api.types.is_numeric_dtype(values):
        values = values[~values.astype(str).str.strip().str.lower().isin(MISSING_TOKENS)]
    return values


def _looks_like_row_numbers(numbers: pd.Series, distinct: int) -> bool:
    """All distinct and filling (nearly) a whole range, as row numbers do in any order; ages, counts and prices
    repeat over this many rows, and measurements leave gaps."""
    if distinct != len(numbers) or distinct < MIN_ROW_NUMBERS:
        return False
    return numbers.max() - numbers.min() + 1 <= 1.05 * distinct


def _looks_like_dates(text: pd.Series) -> bool:
    sample = text.head(200)
    if not sample.str.contains(r"\d").all() or not sample.str.contains(r"[-/:. ]").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() > 0.9
