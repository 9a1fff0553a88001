"""diagnose(): read a table (and optionally its test file), run every check, and collect the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..data.layout import Layout
from ..data.readers import read_table, unique_names
from ..errors import DataError
from .checks import (check_columns, check_conflicts, check_duplicates, check_labels, check_missing, check_outliers,
                     check_test, check_text, validate_method)
from .checks.labels import class_counts
from .checks.target_leak import check_target_leak
from .dataset import Dataset
from .report import SEVERITIES, ColumnProfile, DoctorReport, Finding
from .target import resolve_target


def diagnose(data: str | Path | pd.DataFrame, target: str | None = None, test: str | Path | None = None,
             encoding: str | None = None, outliers: str = "iqr", header: bool | None = None,
             column_names: list[str] | None = None) -> DoctorReport:
    """Check a labeled table for what would hurt training, and say what to do about each problem.

    data: a .csv/.tsv/.jsonl/.parquet path, or a DataFrame. target: the label column (inferred by name when
    not given). test: a test file, checked for rows shared with `data` and for labels or columns it lacks.
    outliers: "iqr", "zscore" or "isolation-forest". header, column_names: whether a CSV/TSV file's first row
    names its columns (default: told from the file) and the names of a file without one. Unreadable files raise
    DataError.
    """
    layout = Layout("auto" if header is None else header, tuple(column_names) if column_names else None, target)
    validate_method(outliers)
    train = _load(data, encoding, layout)
    if not len(train):
        return _empty_report(train, outliers)
    findings = resolve_target(train, target)
    train.weigh_sentinels()
    findings += check_labels(train)
    findings += check_missing(train)
    findings += check_outliers(train, outliers)
    findings += check_duplicates(train)
    findings += check_conflicts(train)
    findings += check_columns(train)
    findings += check_target_leak(train)
    findings += check_text(train)
    test_info = None
    if test is not None:
        test_data = _load(test, encoding, layout)
        test_info = {"file": test_data.source, "rows": len(test_data)}
        findings += check_test(train, test_data)
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))  # stable: check order kept within a severity
    return DoctorReport(file=train.source, rows=len(train), columns=_profiles(train), findings=findings,
                        target=train.target, target_reason=train.target_reason, classes=class_counts(train),
                        test=test_info, outlier_method=outliers)


def _load(data: str | Path | pd.DataFrame, encoding: str | None, layout: Layout) -> Dataset:
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data, "<DataFrame>")
    try:
        frame = read_table(data, encoding=encoding, layout=layout)
    except DataError:
        header = _header_only(Path(data))
        if header is None:
            raise
        frame = pd.DataFrame(columns=header)  # an empty file is a finding, not an error
    return Dataset.from_frame(frame, str(data))


def _header_only(path: Path) -> list[str] | None:
    """The header of a CSV/TSV file without data rows ([] for an empty file); None for any other problem."""
    if not path.is_file() or path.suffix.lower() not in (".csv", ".tsv", ".txt", ".tab", ".jsonl", ".ndjson"):
        return None
    lines = [line for line in path.read_bytes().decode("utf-8-sig", errors="replace").splitlines() if line.strip()]
    header_lines = 0 if path.suffix.lower() in (".jsonl", ".ndjson") else 1
    if len(lines) > header_lines:
        return None
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return unique_names(lines[0].split(sep), path) if lines else []


def _empty_report(data: Dataset, outliers: str) -> DoctorReport:
    finding = Finding("empty_file", "blocking", f"{data.source} has no data rows: there is nothing to train on.",
                      "check the path, or export the table again with its rows")
    columns = [ColumnProfile(c, "constant", "no rows", 0, 0) for c in data.frame.columns]
    return DoctorReport(file=data.source, rows=0, columns=columns, findings=[finding], outlier_method=outliers)


def _profiles(data: Dataset) -> list[ColumnProfile]:
    profiles = []
    for column in data.frame.columns:
        kind = data.kinds[column]
        present = data.frame[column][~data.missing_mask(column)]
        profiles.append(ColumnProfile(column, kind.kind, kind.reason, data.missing[column].total,
                                      int(present.nunique())))
    return profiles
