"""A test file against the training file: shared rows (leakage), labels the training file never shows, and
columns that are missing or extra.

Rows are compared on the input columns both files have, in canonical form (see `normalize`), so a test row
that differs from a training row only in case, whitespace or number formatting still counts as leaked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..report import Finding, plural, where


def check_test(train: Dataset, test: Dataset) -> list[Finding]:
    findings = _columns(train, test)
    if any(f.severity == "blocking" for f in findings):
        return findings
    inputs = [c for c in train.inputs if c in test.frame.columns]
    findings += _leakage(train, test, inputs)
    if train.target is not None and train.target in test.frame.columns:
        findings += _unseen_labels(train, test)
    return findings


def _columns(train: Dataset, test: Dataset) -> list[Finding]:
    absent = [c for c in train.frame.columns if c not in test.frame.columns]
    needed = [c for c in absent if c in train.inputs or c == train.target]
    unneeded = [c for c in absent if c not in needed]
    extra = [c for c in test.frame.columns if c not in train.frame.columns]
    findings = []
    if needed:
        findings.append(Finding(
            "test_columns_missing", "blocking",
            f"The test file {test.source} lacks {plural(len(needed), 'column')} that training uses: "
            f"{', '.join(needed)}.", "add the columns to the test file, or check that it is the right file",
            columns=needed, count=len(needed)))
    if unneeded or extra:
        said = [f"lacks {', '.join(unneeded)} (not used for training)"] if unneeded else []
        said += [f"has {', '.join(extra)}, which the training file lacks (ignored)"] if extra else []
        findings.append(Finding(
            "test_columns_differ", "info", f"The test file {test.source} {'; it '.join(said)}.",
            "nothing to do, unless a column name is misspelled", columns=unneeded + extra,
            count=len(unneeded) + len(extra)))
    return findings


def _leakage(train: Dataset, test: Dataset, inputs: list[str]) -> list[Finding]:
    if not inputs:
        return []
    train_keys = train.keys(inputs)
    first_train = pd.Series(np.arange(len(train)), index=train_keys.to_numpy())
    first_train = first_train[~first_train.index.duplicated()]
    test_keys = test.keys(inputs).to_numpy()
    shared = np.flatnonzero(pd.Index(test_keys).isin(first_train.index))
    if not len(shared):
        return []
    rows = (shared + 1).tolist()
    train_rows = (first_train.loc[test_keys[shared]].to_numpy() + 1).tolist()
    pairs = ", ".join(f"test row {t} = train row {r}" for t, r in zip(rows[:3], train_rows[:3]))
    message = (f"{plural(len(rows), 'test row')} also {'appears' if len(rows) == 1 else 'appear'} in the training "
               f"file (same {', '.join(inputs)}): {pairs}{where(rows)}. Test scores on them measure memory, "
               "not generalization.")
    return [Finding("leakage", "warning", message,
                    "remove these rows from the test file (or from the training file) before training",
                    columns=inputs, count=len(rows), rows=rows,
                    details={"file": test.source, "train_rows": train_rows[:1000]})]


def _unseen_labels(train: Dataset, test: Dataset) -> list[Finding]:
    target = train.target
    seen = set(train.canonical[target][~train.missing_mask(target)])
    labels = test.canonical[target]
    unseen = (~labels.isin(seen) & ~test.missing_mask(target)).to_numpy()
    if not unseen.any():
        return []
    rows = (np.flatnonzero(unseen) + 1).tolist()
    values = sorted(set(test.frame[target][unseen].astype(str)))
    message = (f"{plural(len(rows), 'test row')} {'has' if len(rows) == 1 else 'have'} a label in {target} that "
               f"the training file never shows: {', '.join(values[:10])}{where(rows)}.")
    return [Finding("unseen_test_labels", "warning", message,
                    "add training rows with these labels, or leave the rows out of the test file",
                    columns=[target], count=len(rows), rows=rows, details={"file": test.source, "labels": values})]
