"""Repeated rows: exact copies, copies that differ only in case, whitespace, HTML or number formatting, and
rows whose inputs are the same but whose labels differ (conflicts).

Rows are compared by hashing their cells (see `normalize`), never pairwise: linear in the number of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..normalize import first_positions
from ..report import Finding, plural, where

_PAIRS_SHOWN = 3


def check_duplicates(data: Dataset) -> list[Finding]:
    exact_keys = pd.util.hash_pandas_object(data.frame, index=False)
    exact = exact_keys.duplicated().to_numpy()
    findings = []
    if exact.any():
        findings.append(_duplicates("duplicate_rows", exact, first_positions(exact_keys), "exact"))
    ignored = [c for c in data.frame.columns if data.kind(c) == "identifier" and c != data.target]
    keys = data.keys([c for c in data.frame.columns if c not in ignored])
    near = keys.duplicated().to_numpy() & ~exact
    if near.any():
        also = f", and {', '.join(ignored)}" if ignored else ""
        findings.append(_duplicates("near_duplicate_rows", near, first_positions(keys),
                                    f"apart from case, whitespace, HTML or number format{also}"))
    return findings


def _duplicates(check: str, mask: np.ndarray, first: np.ndarray, how: str) -> Finding:
    """how: "exact", or what the copies may differ in."""
    positions = np.flatnonzero(mask)
    rows = (positions + 1).tolist()
    pairs = ", ".join(f"row {p + 1} = row {first[p] + 1}" for p in positions[:_PAIRS_SHOWN])
    one = len(rows) == 1
    if how == "exact":
        copies = "is an exact copy of an earlier row" if one else "are exact copies of earlier rows"
    else:
        copies = f"{'is a copy of an earlier row' if one else 'are copies of earlier rows'} {how}"
    message = f"{plural(len(rows), 'row')} {copies}: {pairs}{where(rows)}."
    fix = ("clean.duplicates: drop (the default) keeps the first copy" if how == "exact" else
           "remove them from the file: clean.duplicates drops exact copies only")
    return Finding(check, "warning", message, fix, count=len(rows),
                   rows=rows, details={"first_copies": [int(first[p]) + 1 for p in positions[:1000]]})


def check_conflicts(data: Dataset) -> list[Finding]:
    """Rows with identical inputs (canonical form) and different labels."""
    if data.target is None or not data.inputs:
        return []
    labels = data.canonical[data.target]
    labeled = ~data.missing_mask(data.target)
    groups = pd.DataFrame({"key": data.keys(data.inputs).to_numpy(), "label": labels.to_numpy()})[labeled]
    label_counts = groups.groupby("key")["label"].nunique()
    conflicting = label_counts.index[label_counts > 1]
    mask = np.zeros(len(data), dtype=bool)
    mask[groups.index[groups["key"].isin(conflicting)]] = True
    if not mask.any():
        return []
    rows = (np.flatnonzero(mask) + 1).tolist()
    message = (f"{plural(len(rows), 'row')} in {plural(len(conflicting), 'group')} have identical inputs but "
               f"different labels in {data.target}{where(rows)}.")
    return [Finding("conflicting_labels", "warning", message,
                    "clean.conflicts: majority (the default: each group's most common label; ties dropped) or drop",
                    columns=[data.target], count=len(rows), rows=rows, details={"groups": len(conflicting)})]
