"""Missing values, including disguised ones: placeholder strings and impossible numeric sentinels.

Real tables mark a missing value in many ways besides an empty cell: `?`, `NA`, `N/A`, `null`, `None`, `-`,
whitespace, and numbers such as 0 where 0 cannot occur (Pima's glucose or BMI), -1, 999 or 9999. These are
found here, once, so that the doctor reports them and training treats them as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MISSING_TOKENS = frozenset({"", "?", "??", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "missing",
                            "unknown", "#n/a"})
SENTINELS = (-1, 999, 9999, -999, -9999, 99999)
ZERO_PADDED = r"0\d+"  # a code such as 02208 or 00000: its 0 is a value, and it is no number
_ZERO_GAP = 5  # zero is a sentinel when it lies this many typical value-spacings below the smallest real value


@dataclass
class MissingReport:
    """How many cells of one column are missing, and in which forms."""

    column: str
    empty: int = 0  # truly empty cells
    tokens: dict[str, int] = field(default_factory=dict)  # placeholder string -> count
    sentinels: dict[str, int] = field(default_factory=dict)  # "0" / "-1" / "999" -> count
    rows: list[int] = field(default_factory=list)  # 0-based positions of every missing cell

    @property
    def total(self) -> int:
        return self.empty + sum(self.tokens.values()) + sum(self.sentinels.values())


def find_missing(series: pd.Series) -> MissingReport:
    """Every missing cell of `series`, plain or disguised."""
    report = MissingReport(column=str(series.name))
    values = series.reset_index(drop=True)
    empty = values.isna()
    report.empty = int(empty.sum())
    mask = empty.copy()
    if not pd.api.types.is_numeric_dtype(values):
        text = values.astype("string").str.strip().str.lower()
        token = text.isin(MISSING_TOKENS) & ~empty
        for value, count in values[token].astype(str).str.strip().value_counts().items():
            report.tokens[value] = int(count)
        mask |= token
        if text[~mask].str.fullmatch(ZERO_PADDED).any():
            report.rows = np.flatnonzero(mask.to_numpy()).tolist()
            return report
        numbers = pd.to_numeric(values.where(~mask), errors="coerce")
    else:
        numbers = values.astype("float64")
    for sentinel in implausible_values(numbers):
        hit = numbers == sentinel
        report.sentinels[_number_text(sentinel)] = int(hit.sum())
        mask |= hit
    report.rows = np.flatnonzero(mask.to_numpy()).tolist()
    return report


def implausible_values(numbers: pd.Series) -> list[float]:
    """Sentinel numbers standing far apart from a numeric column's real values (0, -1, 999, 9999, ...)."""
    present = numbers.dropna()
    if len(present) < 10 or present.nunique() < 5:
        return []
    found = []
    if (present == 0).any() and (present >= 0).all() and _zero_stands_apart(present):
        found.append(0.0)
    for sentinel in SENTINELS:
        hit = present == sentinel
        if not hit.any():
            continue
        rest = present[~hit]
        # Far outside the rest: -1 below an otherwise non-negative column, 999 far above the others.
        if (sentinel < 0 and (rest >= 0).all()) or (sentinel > 0 and rest.max() * 2 < sentinel):
            found.append(float(sentinel))
    return found


def standardize_missing(frame: pd.DataFrame, sentinels: dict[str, list[float]] | None = None) -> pd.DataFrame:
    """A copy with every placeholder string, and each column's listed sentinel numbers, replaced by NaN."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values):
            text = values.astype("string").str.strip().str.lower()
            frame[column] = values.mask(text.isin(MISSING_TOKENS).fillna(False).astype(bool))
        for sentinel in (sentinels or {}).get(column, []):
            numbers = pd.to_numeric(frame[column], errors="coerce")
            frame[column] = frame[column].mask(numbers == sentinel)
    return frame


def _zero_stands_apart(present: pd.Series) -> bool:
    # Pregnancies: 0, 1, 2, ... (0 is one step below 1: real). Glucose: 0, then 44, 56, 57, ...: 0 is a code.
    positive = np.sort(present[present > 0].unique())
    if len(positive) < 5:
        return False
    spacing = np.median(np.diff(positive[:20]))
    return positive[0] > _ZERO_GAP * spacing


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
