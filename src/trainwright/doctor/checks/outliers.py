"""Outliers in numeric columns, leaving out the cells that are missing (a 0 for glucose is missing, not an
outlier).

iqr: outside Tukey's fences, Q1 - 1.5 IQR and Q3 + 1.5 IQR. zscore: a robust z-score over 3.5, with the median
and the median absolute deviation in place of mean and standard deviation (Iglewicz & Hoaglin 1993).
isolation-forest: rows that scikit-learn's IsolationForest isolates quickly, over all numeric columns together.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ...clean.outliers import DEFAULT_FACTOR, MIN_VALUES, fences
from ...errors import ConfigError
from ..dataset import Dataset
from ..report import Finding, plural, where

OUTLIER_METHODS = ("iqr", "zscore", "isolation-forest")
# Tukey's 1.5 x IQR flags what deserves a look; the robust z-score limit is the one cleaning uses.
_FACTOR = {"iqr": 1.5, "zscore": DEFAULT_FACTOR["zscore"]}
# IsolationForest's anomaly score s (Liu et al. 2008) is about 0.5 for ordinary rows and near 1 for anomalies;
# sklearn's "auto" cut at 0.5 flags 13% of Pima. 0.6 keeps the clearly isolated rows.
_ISOLATION_SCORE = 0.6
# Training fences default to 3 x IQR (clean.outlier_factor), wider than the 1.5 x IQR reported here.
_FIX = {"iqr": "clean.outliers: keep (default), clip, drop or as_missing; clean.outlier_factor: 1.5 for these "
               "fences (default 3)",
        "zscore": "clean.outliers: keep (default), clip, drop or as_missing, with clean.outlier_method: zscore"}


def validate_method(method: str) -> None:
    if method not in OUTLIER_METHODS:
        close = difflib.get_close_matches(method, OUTLIER_METHODS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ConfigError(f"--outliers: unknown method '{method}'.{hint} Use one of: {', '.join(OUTLIER_METHODS)}.")


def check_outliers(data: Dataset, method: str = "iqr") -> list[Finding]:
    validate_method(method)
    columns = data.columns_of("numeric")
    if method == "isolation-forest":
        return _isolation_forest(data, columns)
    findings = []
    for column in columns:
        values = data.numbers(column)
        bounds = fences(values.dropna().to_numpy(), method, _FACTOR[method])
        if bounds is None:
            continue
        low, high = bounds
        mask = ((values < low) | (values > high)).to_numpy()
        if mask.any():
            findings.append(_finding(column, values, mask, low, high, method))
    return findings


def _finding(column: str, values: pd.Series, mask: np.ndarray, low: float, high: float, method: str) -> Finding:
    rows = (np.flatnonzero(mask) + 1).tolist()
    flagged = values[mask]
    rule = "the IQR fences" if method == "iqr" else f"a robust z-score of {_FACTOR['zscore']:g}"
    examples = ", ".join(_number(v) for v in flagged.head(3))
    message = (f"{column}: {plural(len(rows), 'value')} outside [{_number(low)}, {_number(high)}] "
               f"({rule}), e.g. {examples}{where(rows)}.")
    return Finding("outliers", "warning", message, _FIX[method], columns=[column], count=len(rows), rows=rows,
                   details={"method": method, "low": float(low), "high": float(high),
                            "min": float(flagged.min()), "max": float(flagged.max())})


def _isolation_forest(data: Dataset, columns: list[str]) -> list[Finding]:
    from sklearn.ensemble import IsolationForest  # imported here: it is slow to import and rarely used

    if not columns or len(data) < MIN_VALUES:
        return []
    table = pd.DataFrame({c: data.numbers(c) for c in columns})
    table = table.fillna(table.median()).fillna(0.0)  # missing cells are not what makes a row unusual
    forest = IsolationForest(random_state=0).fit(table)
    scores = -forest.score_samples(table)
    mask = scores > _ISOLATION_SCORE
    if not mask.any():
        return []
    rows = (np.flatnonzero(mask) + 1).tolist()
    verb = "stands" if len(rows) == 1 else "stand"
    message = (f"{plural(len(rows), 'row')} {verb} apart from the others across the numeric columns, with an "
               f"isolation forest score over {_ISOLATION_SCORE}{where(rows)}.")
    fix = "check these rows and remove the wrong ones from the file (clean.outliers works per column)"
    return [Finding("outliers", "warning", message, fix, columns=columns, count=len(rows), rows=rows,
                    details={"method": "isolation-forest", "threshold": _ISOLATION_SCORE,
                             "max_score": round(float(scores.max()), 4)})]


def _number(value: float) -> str:
    return f"{value:.5g}"
