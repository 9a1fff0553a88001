"""Columns that carry no signal a model can generalize from: identifiers, constants and near-constants."""

from __future__ import annotations

import numpy as np

from ..dataset import Dataset
from ..report import Finding, where

NEAR_CONSTANT = 0.99  # one value in at least this share of the rows
_EXCLUDE = "exclude the column (training leaves it out unless you name it with --feature)"


def check_columns(data: Dataset) -> list[Finding]:
    findings = []
    for column in data.frame.columns:
        if column == data.target:
            continue
        kind = data.kinds[column]
        if kind.kind == "identifier":
            findings.append(Finding("identifier", "warning",
                                    f"{column} looks like an identifier ({kind.reason}): a model would memorize "
                                    "it instead of learning.", _EXCLUDE, columns=[column]))
        elif kind.kind == "constant":
            what = "has no values" if data.missing[column].total == len(data) else f"has {kind.reason}"
            findings.append(Finding("constant", "warning", f"{column} {what}: it cannot tell rows apart.",
                                    _EXCLUDE, columns=[column]))
        else:
            finding = _near_constant(data, column)
            if finding:
                findings.append(finding)
    return findings


def _near_constant(data: Dataset, column: str) -> Finding | None:
    counts = data.frame[column][~data.missing_mask(column)].value_counts()
    if counts.empty or counts.iloc[0] < NEAR_CONSTANT * len(data):
        return None
    value, n = counts.index[0], int(counts.iloc[0])
    rows = (np.flatnonzero((data.frame[column] != value).to_numpy()) + 1).tolist()
    return Finding("near_constant", "info",
                   f"{column} is '{value}' in {n / len(data):.1%} of the rows; the others{where(rows)} are "
                   "different or missing.", "exclude the column unless its rare values matter", columns=[column],
                   count=len(rows), rows=rows, details={"value": str(value), "share": round(n / len(data), 4)})
