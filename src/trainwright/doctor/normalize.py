"""A canonical form of every cell, so that rows differing only in case, whitespace, HTML or number formatting
compare equal: `<b>Great</b>  product` = `great product`, `38.50` = `38.5`, `?` = an empty cell.

Rows are then compared by a 64-bit hash of their canonical cells: duplicates, conflicts and train/test overlap
are found by hashing, in linear time.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

_TAG = re.compile(r"<[^<>]+>")
_SPACE = re.compile(r"\s+")
MISSING = "\x00missing"  # the canonical form of every missing cell, plain or disguised


def normalize_text(values: pd.Series) -> pd.Series:
    """Strip HTML tags, unescape entities (`&amp;`, `&nbsp;`), collapse whitespace, lowercase."""
    text = values.astype("string").str.replace(_TAG, " ", regex=True)
    has_entity = text.str.contains("&", regex=False).fillna(False).astype(bool)
    if has_entity.any():
        text[has_entity] = text[has_entity].map(html.unescape)
    return text.str.replace(_SPACE, " ", regex=True).str.strip().str.lower()


def canonical_column(values: pd.Series, missing: np.ndarray) -> pd.Series:
    """Numbers as `%.12g`, text normalized, missing cells as MISSING: strings, comparable across files."""
    numbers = pd.to_numeric(values, errors="coerce") if values.dtype != bool else values.astype(float)
    is_number = numbers.notna().to_numpy()
    out = pd.Series(MISSING, index=values.index, dtype="string")
    if is_number.any():
        out[is_number] = [f"{x:.12g}" for x in numbers[is_number]]
    text = ~is_number & ~missing
    if text.any():
        out[text] = normalize_text(values[text])
    out[missing] = MISSING
    return out


def canonical_frame(frame: pd.DataFrame, missing: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({c: canonical_column(frame[c], missing[c]) for c in frame.columns}, index=frame.index)


def row_keys(canonical: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A uint64 hash per row of `canonical[columns]`; equal rows get equal keys (collisions: ~n²/2⁶⁴)."""
    if not columns:
        return pd.Series(np.zeros(len(canonical), dtype="uint64"), index=canonical.index)
    return pd.util.hash_pandas_object(canonical[columns], index=False)


def first_positions(keys: pd.Series) -> np.ndarray:
    """For each row, the position of the first row with the same key."""
    positions = pd.Series(np.arange(len(keys)), index=keys.index)
    return positions.groupby(keys.to_numpy()).transform("min").to_numpy()
