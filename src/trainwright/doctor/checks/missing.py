"""Missing values per column and per form: empty cells, placeholder strings (`?`, `NA`, blanks) and impossible
sentinel numbers (a 0 for glucose, -1, 999), each with the rows where it occurs.

Suspected sentinels kept as values (a top-code, or rows that carry signal) are reported as such, for information.

Empty text cells and missing labels are left to the text and label checks, which say what training does with
them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..report import Finding, plural, where

_MOSTLY_MISSING = 0.5


def check_missing(data: Dataset) -> list[Finding]:
    findings = []
    for column in data.frame.columns:
        if column == data.target or not data.missing[column].total:
            continue
        for form, mask in _forms(data, column):
            if data.kind(column) == "text" and form in (None, ""):
                continue  # empty texts: see checks.text
            findings.append(_finding(data, column, form, mask))
    for column in data.frame.columns:
        for form, (count, why) in data.missing[column].kept.items():
            findings.append(_kept(data, column, form, count, why))
    return findings


def _kept(data: Dataset, column: str, form: str, count: int, why: str) -> Finding:
    numbers = pd.to_numeric(data.frame[column].mask(data.missing_mask(column)), errors="coerce").to_numpy()
    rows = (np.flatnonzero(numbers == float(form)) + 1).tolist()
    noun = plural(count, "zero") if form == "0" else plural(count, f"value of {form}", f"values of {form}")
    fix = "nothing to do: training keeps them as values; if they do mean missing, empty those cells in the file"
    return Finding("suspected_sentinel", "info", f"{column}: {noun}: suspected sentinel, kept: {why}{where(rows)}.",
                   fix, columns=[column], count=count, rows=rows, details={"form": form, "reason": why})


def _forms(data: Dataset, column: str) -> list[tuple[str | None, np.ndarray]]:
    """(form, mask) for each way `column` marks a missing cell; form None is an empty cell."""
    values = data.frame[column]
    report = data.missing[column]
    empty = values.isna().to_numpy()
    forms = [(None, empty)] if report.empty else []
    taken = empty.copy()
    if report.tokens:
        stripped = values.astype("string").str.strip().fillna("\x00").to_numpy()
        for token in report.tokens:
            mask = (stripped == token) & ~empty
            forms.append((token, mask))
            taken |= mask
    if report.sentinels:
        numbers = pd.to_numeric(values.mask(taken), errors="coerce").to_numpy(dtype="float64")
        forms += [(sentinel, numbers == float(sentinel)) for sentinel in report.sentinels]
    return forms


def _finding(data: Dataset, column: str, form: str | None, mask: np.ndarray) -> Finding:
    rows = (np.flatnonzero(mask) + 1).tolist()
    check = "missing_values" if form is None else "disguised_missing"
    what = _describe(column, form, len(rows), is_sentinel=form in data.missing[column].sentinels)
    share = data.missing[column].total / len(data)
    return Finding(check, "warning", f"{what}{where(rows)}.", _fix(data.kind(column), share), columns=[column],
                   count=len(rows), rows=rows,
                   details={"form": "empty" if form is None else form, "column_missing_share": round(share, 4)})


def _describe(column: str, form: str | None, count: int, is_sentinel: bool) -> str:
    one = count == 1
    if form is None:
        return f"{column}: {plural(count, 'empty cell')}"
    if form == "":
        return f"{column}: {plural(count, 'cell')} {'holds' if one else 'hold'} only whitespace"
    if is_sentinel:
        noun = plural(count, "zero") if form == "0" else plural(count, f"value of {form}", f"values of {form}")
        return f"{column}: {noun} {'is a disguised missing value' if one else 'are disguised missing values'}"
    return f"`{form}` marks {plural(count, 'missing value')} in {column}"


def _fix(kind: str, share: float) -> str:
    if share >= 1:
        return "exclude the column: it has no values"
    if kind == "numeric":
        fill = "clean.missing: median (default), knn or iterative; one column: clean.missing_columns"
    else:
        fill = "clean.missing_categorical: constant (default: a category of its own) or most_frequent"
    if share >= _MOSTLY_MISSING:
        return f"{fill}; {share:.0%} of the column is missing: consider excluding it"
    return fill
