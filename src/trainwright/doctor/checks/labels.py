"""The target column: missing labels, a single class, class imbalance, labels that differ only in case.

A numeric target with many distinct values is a regression target: only its missing values are checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...data.target import canonical, case_variants
from ..dataset import Dataset
from ..report import Finding, plural, where

IMBALANCED = 0.20  # minority share below this: accuracy flatters a model that ignores the minority
SEVERELY_IMBALANCED = 0.05


def class_counts(data: Dataset) -> dict[str, int] | None:
    """Rows per label, most frequent first; None without a target or for a regression target."""
    if data.target is None or data.kind(data.target) == "numeric":
        return None
    labels = data.frame[data.target][~data.missing_mask(data.target)]
    return {str(label): int(n) for label, n in _label_keys(labels).value_counts().items()}


def _label_keys(labels: pd.Series) -> pd.Series:
    """Each label as training reads it: " Yes" and "Yes", 1 and 1.0 are one class (data/target.py)."""
    return labels.map(lambda v: str(canonical(v)))


def check_labels(data: Dataset) -> list[Finding]:
    if data.target is None:
        return []
    target = data.target
    missing = data.missing_mask(target)
    if missing.all():
        return [Finding("missing_labels", "blocking", f"No row has a label: every value of {target} is missing.",
                        "fill in the labels, or pass --target with the right column", columns=[target],
                        count=len(data), rows=list(range(1, len(data) + 1)))]
    findings = [_missing_labels(target, missing)] if missing.any() else []
    counts = class_counts(data)
    if counts is not None:
        findings += _balance(target, counts, data.frame[target], missing)
        findings += _case_variants(target, data.frame[target], missing)
    return findings


def _case_variants(target: str, labels: pd.Series, missing: np.ndarray) -> list[Finding]:
    findings = []
    canonical_labels = labels[~missing].map(canonical)
    for spellings in case_variants(canonical_labels):
        shown = " and ".join(f"'{label}' ({plural(count, 'row')})" for label, count in spellings.items())
        rare = list(spellings)[1:]  # all but the most common spelling
        rows = (np.flatnonzero(~missing)[canonical_labels.isin(rare).to_numpy()] + 1).tolist()
        findings.append(Finding(
            "label_spellings", "warning",
            f"{target} has labels that differ only in case: {shown}; a model learns them as different classes.",
            f"write each label one way (e.g. '{next(iter(spellings))}') in the file", columns=[target],
            count=len(rows), rows=rows, details={"spellings": spellings}))
    return findings


def _missing_labels(target: str, missing: np.ndarray) -> Finding:
    rows = (np.flatnonzero(missing) + 1).tolist()
    verb, them = ("has", "it") if len(rows) == 1 else ("have", "them")
    return Finding("missing_labels", "warning",
                   f"{plural(len(rows), 'row')} {verb} no label in {target}{where(rows)}; training leaves {them} out.",
                   "fill in the labels; or nothing: training leaves these rows out", columns=[target],
                   count=len(rows), rows=rows)


def _balance(target: str, counts: dict[str, int], labels: pd.Series, missing: np.ndarray) -> list[Finding]:
    if len(counts) == 1:
        only = next(iter(counts))
        return [Finding("single_class", "blocking",
                        f"{target} has a single class ('{only}') in every labeled row: there is nothing to learn.",
                        "add rows of the other classes, or pass --target with the right column",
                        columns=[target], count=counts[only])]
    total = sum(counts.values())
    minority, n = min(counts.items(), key=lambda item: item[1])
    share = n / total
    if share >= IMBALANCED:
        return []
    severe = share < SEVERELY_IMBALANCED
    rows = (np.flatnonzero((_label_keys(labels).to_numpy() == minority) & ~missing) + 1).tolist()
    shares = ", ".join(f"'{label}' {count / total:.1%}" for label, count in counts.items())
    message = (f"{target} is {'severely ' if severe else ''}imbalanced: the smallest class '{minority}' has "
               f"{plural(n, 'row')} ({share:.1%}); classes: {shares}.")
    fix = ("collect more rows of the rare classes; judge the model by per-class recall and F1 "
           "(trainwright evaluate), not accuracy")
    if severe:
        fix += "; with so few rows, consider merging rare classes"
    return [Finding("class_imbalance", "warning", message, fix, columns=[target], count=n, rows=rows,
                    details={"minority": minority, "share": round(share, 4), "classes": counts})]
