"""Missing values, including disguised ones: placeholder strings and impossible numeric sentinels.

Real tables mark a missing value in many ways besides an empty cell: `?`, `NA`, `N/A`, `null`, `None`, `-`,
whitespace, and numbers such as 0 where 0 cannot occur (Pima's glucose or BMI), -1, 999 or 9999. These are
found here, once, so that the doctor reports them and training treats them as missing.

A number is only a missing value with evidence. A suspected sentinel (a 0, -1 or 999 standing apart from the
column's values) is kept as a value when it is a top-code (census files record every gain of 99,999 or more as
99,999: many rows share the column's maximum, within reach of its own tail), or when its rows carry signal:
their label rate (or target) differs from the other rows' beyond chance. Pima's zeros pass both tests: none of
their label rates differs from the other rows' (p 0.16 to 1.0), so they stay missing values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MISSING_TOKENS = frozenset({"", "?", "??", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "missing",
                            "unknown", "#n/a"})
_LONGEST_TOKEN = max(map(len, MISSING_TOKENS))
SENTINELS = (-1, 999, 9999, -999, -9999, 99999)
ZERO_PADDED = r"0\d+"  # a code such as 02208 or 00000: its 0 is a value, and it is no number
_ZERO_GAP = 5  # zero is a sentinel when it lies this many typical value-spacings below the smallest real value
TOP_CODE_ROWS = 3  # a sentinel-like maximum shared by this many rows may be a top-code
SIGNAL_P = 0.01  # a label-rate difference less likely than this by chance: the rows carry signal
KEPT_TOP_CODE = "a top-code: many rows share the column's maximum"
KEPT_SIGNAL = "its rows carry signal"


@dataclass
class MissingReport:
    """How many cells of one column are missing, and in which forms."""

    column: str
    empty: int = 0  # truly empty cells
    tokens: dict[str, int] = field(default_factory=dict)  # placeholder string -> count
    sentinels: dict[str, int] = field(default_factory=dict)  # "0" / "-1" / "999" -> count
    kept: dict[str, tuple[int, str]] = field(default_factory=dict)  # suspected sentinel kept -> (count, why)
    rows: list[int] = field(default_factory=list)  # 0-based positions of every missing cell

    @property
    def total(self) -> int:
        return self.empty + sum(self.tokens.values()) + sum(self.sentinels.values())


def find_missing(series: pd.Series, labels: pd.Series | None = None) -> MissingReport:
    """Every missing cell of `series`, plain or disguised; `labels` (one per row) weigh suspected sentinels."""
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
    for sentinel, kept in judge_sentinels(numbers, labels).items():
        hit = numbers == sentinel
        if kept:
            report.kept[_number_text(sentinel)] = (int(hit.sum()), kept)
            continue
        report.sentinels[_number_text(sentinel)] = int(hit.sum())
        mask |= hit
    report.rows = np.flatnonzero(mask.to_numpy()).tolist()
    return report


def implausible_values(numbers: pd.Series, labels: pd.Series | None = None) -> list[float]:
    """The suspected sentinels of a numeric column that mark missing values (`judge_sentinels` keeps the others)."""
    return [value for value, kept in judge_sentinels(numbers, labels).items() if not kept]


def judge_sentinels(numbers: pd.Series, labels: pd.Series | None = None) -> dict[float, str | None]:
    """Each suspected sentinel -> None where it marks missing values, else why it is kept as a value.

    labels: the target, one per row of `numbers`; float for a regression target, anything else is classes.
    """
    present = numbers.dropna()
    judged = {}
    for value in suspected_sentinels(numbers):
        hit = present == value
        if value > 0 and hit.sum() >= TOP_CODE_ROWS and _within_tail(present[~hit], value):
            judged[value] = KEPT_TOP_CODE
        elif labels is not None and carries_signal((numbers == value).to_numpy(), labels):
            judged[value] = KEPT_SIGNAL
        else:
            judged[value] = None
    return judged


def carries_signal(hit: np.ndarray, labels: pd.Series) -> bool:
    """Whether the rows in `hit` differ from the others in label rate (Fisher, chi-square) or target (Mann-Whitney)."""
    from scipy import stats  # imported here: slow to import, and only needed when a sentinel is suspected

    labels = pd.Series(labels).reset_index(drop=True)
    known = labels.notna().to_numpy()
    hit, labels = hit[known], labels[known]
    if hit.all() or not hit.any():
        return False
    if pd.api.types.is_float_dtype(labels):
        return stats.mannwhitneyu(labels[hit], labels[~hit]).pvalue < SIGNAL_P
    table = pd.crosstab(hit, labels.astype(str).to_numpy()).to_numpy()
    if table.shape[1] < 2:
        return False
    p = stats.fisher_exact(table)[1] if table.shape == (2, 2) else stats.chi2_contingency(table)[1]
    return p < SIGNAL_P


def suspected_sentinels(numbers: pd.Series) -> list[float]:
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
        if (sentinel < 0 and (rest >= 0).all()) or (sentinel > 0 and float(rest.max()) * 2 < sentinel):
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


def is_placeholder(value) -> bool:
    """Whether one value is a placeholder string ("?", " NA ", "null"), exactly as `standardize_missing` judges a
    text cell, without a Series: prediction of one text would spend more on the Series than on the model."""
    if not isinstance(value, str):
        return False
    # pandas strips the same whitespace as str.strip (with pyarrow strings too) and lowercases character for
    # character, so a text longer than every token cannot become one.
    text = value.strip()
    if len(text) > _LONGEST_TOKEN:
        return False
    if text.isascii() or text.lower() == text:
        return text.lower() in MISSING_TOKENS
    # Some letters lowercase differently in pyarrow ("İ" to "i", not "i̇"): ask pandas, as standardize_missing does.
    return bool(pd.Series([text], dtype=object).astype("string").str.lower().isin(MISSING_TOKENS).iloc[0])


def _zero_stands_apart(present: pd.Series) -> bool:
    # Pregnancies: 0, 1, 2, ... (0 is one step below 1: real). Glucose: 0, then 44, 56, 57, ...: 0 is a code.
    positive = np.sort(present[present > 0].unique())
    if len(positive) < 5:
        return False
    spacing = np.median(np.diff(positive[:20]))
    return positive[0] > _ZERO_GAP * spacing


def _within_tail(rest: pd.Series, value: float) -> bool:
    # A top-code continues the column's own tail: it lies no farther above the largest other value than that
    # value lies above the median (capital gains: median 3,000, max 41,310, code 99,999). A count of 0-100
    # with 999 does not (999 / 100 > 100 / 50): there 999 is a code for missing.
    positive = rest[rest > 0]
    if len(positive) < 10:
        return False
    return value / positive.max() <= positive.max() / positive.median()


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
