"""diagnose() on a synthetic table with problems injected at known cells and rows: every injected problem is
found (recall 1.0) and nothing else is reported as one (precision 1.0)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trainwright.doctor
from trainwright.doctor import DoctorReport, diagnose
from trainwright.errors import ConfigError, DataError

_WORDS = ("kettle lid handle spout water tea boils quickly slowly lovely awful counter kitchen steel plastic "
          "cheap solid light heavy whistle button base cord plug switch light blue red green").split()


@dataclass
class Injected:
    """What was injected where: (column, row) cells and row sets, counting data rows from 1."""

    missing: set[tuple[str, int]] = field(default_factory=set)
    outliers: set[tuple[str, int]] = field(default_factory=set)
    duplicates: set[int] = field(default_factory=set)
    near_duplicates: set[int] = field(default_factory=set)
    conflicts: set[int] = field(default_factory=set)
    empty_texts: set[int] = field(default_factory=set)


def make_messy(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, Injected]:
    """Clean columns whose value ranges have no outliers (uniform), then problems at chosen positions."""
    rng, py = np.random.default_rng(seed), random.Random(seed)
    reviews = set()
    while len(reviews) < n:
        reviews.add(" ".join(py.choices(_WORDS, k=8)).capitalize() + ".")
    frame = pd.DataFrame({
        "review": sorted(reviews, key=lambda _: py.random()),
        "weight": rng.integers(40, 201, n),  # strictly positive, like glucose: a 0 is a code for missing
        "score": rng.uniform(20, 80, n).round(2),
        "count": rng.integers(0, 101, n),  # 0 is a real value here
        "color": rng.choice(["red", "green", "blue"], n).astype(object),
        "label": rng.choice(["pos", "neg"], n).astype(object),
    })
    frame["score"] = frame["score"].astype(object)
    injected = Injected()
    cells = {("weight", 0): [5, 17, 120, 233], ("count", -1): [8, 64], ("count", 999): [99, 150, 201],
             ("color", None): [3, 44], ("color", "?"): [12, 77], ("color", "NA"): [21, 180],
             ("color", "   "): [30, 250], ("score", None): [7]}
    for (column, value), positions in cells.items():
        for p in positions:
            frame.at[p, column] = value
            injected.missing.add((column, p + 1))
    for p, value in {40: 500.0, 141: -300.0, 222: 1000.0}.items():
        frame.at[p, "score"] = value
        injected.outliers.add(("score", p + 1))
    frame.at[260, "review"] = "  "
    injected.empty_texts.add(261)
    touched = {p for ps in cells.values() for p in ps} | {40, 141, 222, 260}
    return _append_copies(frame, injected, touched)


def _append_copies(frame: pd.DataFrame, injected: Injected, touched: set[int]) -> tuple[pd.DataFrame, Injected]:
    """Exact copies, copies with case/whitespace/HTML changes in the text, and copies with the other label."""
    sources = [p for p in range(len(frame)) if p not in touched][:7]
    assert not set(sources) & touched
    copies = []
    for p in sources[:3]:
        copies.append(("exact", frame.loc[p].copy()))
    for p, dress in zip(sources[3:5], (lambda t: f"<p>{t.upper()}</p>", lambda t: "  " + t.replace(" ", "&nbsp; "))):
        row = frame.loc[p].copy()
        row["review"] = dress(row["review"])
        copies.append(("near", row))
    for p in sources[5:7]:
        row = frame.loc[p].copy()
        row["label"] = "neg" if row["label"] == "pos" else "pos"
        copies.append(("conflict", row))
        injected.conflicts.add(p + 1)
    for offset, (what, _) in enumerate(copies):
        number = len(frame) + offset + 1
        {"exact": injected.duplicates, "near": injected.near_duplicates,
         "conflict": injected.conflicts}[what].add(number)
    frame = pd.concat([frame, pd.DataFrame([row for _, row in copies])], ignore_index=True)
    return frame, injected


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, Injected]:
    frame, injected = make_messy()
    path = tmp_path_factory.mktemp("doctor") / "messy.csv"
    frame.to_csv(path, index=False)  # through the file: `NA` comes back as an empty cell, `?` as a string
    return path, injected


@pytest.fixture(scope="module")
def messy_report(messy) -> DoctorReport:
    return diagnose(messy[0])


def found_cells(report: DoctorReport, *checks: str) -> set[tuple[str, int]]:
    return {(f.columns[0], r) for f in report.findings if f.check in checks for r in f.rows}


def found_rows(report: DoctorReport, check: str) -> set[int]:
    return {r for f in report.findings if f.check == check for r in f.rows}


def assert_exact(found: set, injected: set) -> None:
    """Precision and recall 1.0, with what was missed or wrongly flagged in the failure message."""
    true = found & injected
    precision = len(true) / len(found) if found else 0.0
    recall = len(true) / len(injected)
    assert (precision, recall) == (1.0, 1.0), f"missed {sorted(injected - found)}, wrong {sorted(found - injected)}"


def test_missing_values_plain_and_disguised(messy, messy_report):
    assert_exact(found_cells(messy_report, "missing_values", "disguised_missing"), messy[1].missing)
    messages = [f.message for f in messy_report.findings]
    assert any(m.startswith("weight: 4 zeros are disguised missing values (rows 6, 18, 121, 234)") for m in messages)
    assert any(m.startswith("`?` marks 2 missing values in color (rows 13, 78)") for m in messages)
    assert any(m.startswith("count: 3 values of 999 are disguised missing values") for m in messages)
    assert any(m.startswith("color: 2 cells hold only whitespace") for m in messages)
    missing = {c.name: c.missing for c in messy_report.columns}
    assert missing == {"review": 1, "weight": 4, "score": 1, "count": 5, "color": 8, "label": 0}


@pytest.mark.parametrize("method", ["iqr", "zscore"])
def test_outliers_leave_missing_sentinels_out(messy, method):
    report = diagnose(messy[0], outliers=method)
    assert_exact(found_cells(report, "outliers"), messy[1].outliers)  # 999 in `count` is missing, not an outlier
    finding = next(f for f in report.findings if f.check == "outliers")
    assert finding.details["method"] == method and finding.details["low"] < 20 and finding.details["high"] > 80
    assert "clean.outliers" in finding.fix


def test_isolation_forest_finds_the_outlier_rows(messy):
    report = diagnose(messy[0], outliers="isolation-forest")
    (finding,) = [f for f in report.findings if f.check == "outliers"]
    assert {row for _, row in messy[1].outliers} <= set(finding.rows)
    assert len(finding.rows) < 0.05 * report.rows  # the clearly isolated rows, not a fixed share of the table
    assert set(finding.columns) == {"weight", "score", "count"}


def test_exact_and_near_duplicates_and_conflicting_labels(messy, messy_report):
    injected = messy[1]
    assert_exact(found_rows(messy_report, "duplicate_rows"), injected.duplicates)
    assert_exact(found_rows(messy_report, "near_duplicate_rows"), injected.near_duplicates)
    assert_exact(found_rows(messy_report, "conflicting_labels"), injected.conflicts)
    exact = next(f for f in messy_report.findings if f.check == "duplicate_rows")
    assert "row 301 = row " in exact.message and exact.fix.startswith("clean.duplicates: drop")
    conflict = next(f for f in messy_report.findings if f.check == "conflicting_labels")
    assert conflict.details["groups"] == 2 and "clean.conflicts: majority" in conflict.fix


def test_nothing_else_is_reported(messy_report):
    expected = {"missing_values", "disguised_missing", "outliers", "duplicate_rows", "near_duplicate_rows",
                "conflicting_labels", "text_length", "long_texts", "empty_texts"}
    assert {f.check for f in messy_report.findings} <= expected
    assert not messy_report.blocking
    assert found_rows(messy_report, "empty_texts") == {261}
    assert messy_report.target == "label" and messy_report.target_reason == "named like a label"
    kinds = {c.name: c.kind for c in messy_report.columns}
    assert kinds == {"review": "text", "weight": "numeric", "score": "numeric", "count": "numeric",
                     "color": "categorical", "label": "binary"}


def test_findings_are_ordered_by_severity_and_say_what_to_do():
    frame = pd.DataFrame({"text": [f"review number {i} is long enough" for i in range(40)], "label": ["a"] * 40,
                          "row_id": range(40), "const": [1] * 40})
    report = diagnose(frame)
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["blocking", "warning", "info"].index)
    by_check = {f.check: f for f in report.findings}
    assert by_check["single_class"].severity == "blocking"
    assert by_check["identifier"].columns == ["row_id"] and "exclude the column" in by_check["identifier"].fix
    assert by_check["constant"].columns == ["const"]
    assert all(f.message and f.fix for f in report.findings)


def test_class_imbalance_and_missing_labels():
    labels = ["common"] * 180 + ["rare"] * 8 + [None] * 2 + ["?"]
    frame = pd.DataFrame({"x": range(len(labels)), "y": labels})
    by_check = {f.check: f for f in diagnose(frame, target="y").findings}
    imbalance = by_check["class_imbalance"]
    assert imbalance.severity == "warning" and "severely imbalanced" in imbalance.message
    assert imbalance.details["minority"] == "rare" and imbalance.rows == list(range(181, 189))
    assert by_check["missing_labels"].rows == [189, 190, 191]
    mild = diagnose(frame.assign(y=["a"] * 170 + ["b"] * 21), target="y")
    assert "severely" not in next(f for f in mild.findings if f.check == "class_imbalance").message


def test_labels_that_differ_only_in_case_are_found_at_their_rarer_spellings():
    labels = ["Yes"] * 48 + [" Yes", "Yes "] + ["YES"] * 3 + ["No"] * 60 + [None] + ["no"]
    frame = pd.DataFrame({"x": range(len(labels)), "y": labels})
    report = diagnose(frame, target="y")
    assert report.classes == {"No": 60, "Yes": 50, "YES": 3, "no": 1}  # spaces around a label: the same class
    found = [f for f in report.findings if f.check == "label_spellings"]
    assert [f.details["spellings"] for f in found] == [{"No": 60, "no": 1}, {"Yes": 50, "YES": 3}]
    assert [f.rows for f in found] == [[115], [51, 52, 53]] and all(f.severity == "warning" for f in found)
    assert "'Yes' (50 rows) and 'YES' (3 rows)" in found[1].message and "'Yes'" in found[1].fix
    assert not [f for f in diagnose(frame.assign(y=[str(v).upper() for v in labels]), target="y").findings
                if f.check == "label_spellings"]


def test_all_labels_missing_and_ambiguous_target_are_blocking():
    unlabeled = pd.DataFrame({"x": range(20), "label": [None] * 20})
    assert [f.check for f in diagnose(unlabeled).blocking] == ["missing_labels"]
    ambiguous = pd.DataFrame({"x": range(20), "label": [0, 1] * 10, "class": [1, 0] * 10})
    (finding,) = diagnose(ambiguous).blocking
    assert finding.check == "target" and finding.fix == "pass --target COLUMN"
    assert "label, class" in finding.message


def test_a_numeric_table_without_a_label_is_reported_not_refused():
    rng = np.random.default_rng(0)
    report = diagnose(pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)}))
    assert report.target is None and report.classes is None and not report.blocking
    (note,) = [f for f in report.findings if f.check == "target"]
    assert note.severity == "info" and note.message.startswith("No target inferred")


def test_near_constant_column():
    frame = pd.DataFrame({"flag": ["no"] * 199 + ["yes"], "v": np.arange(200) % 7, "label": [0, 1] * 100})
    (finding,) = [f for f in diagnose(frame).findings if f.check == "near_constant"]
    assert finding.columns == ["flag"] and finding.rows == [200] and finding.severity == "info"


def test_text_lengths_and_very_long_texts():
    texts = [f"text{i} " + " ".join(["word"] * (4 + i % 10)) for i in range(300)] + [" ".join(["long"] * 600)]
    report = diagnose(pd.DataFrame({"text": texts, "label": [0, 1] * 150 + [0]}))
    lengths = next(f for f in report.findings if f.check == "text_length")
    assert lengths.details["tokens"]["max"] == 600 and lengths.details["tokens"]["median"] == 10
    (long,) = [f for f in report.findings if f.check == "long_texts"]
    assert long.rows == [301] and long.severity == "warning" and "over 512" in long.message


def test_bad_outlier_method_and_unreadable_file_raise(tmp_path):
    with pytest.raises(ConfigError, match="isolation-forest"):
        diagnose(pd.DataFrame({"x": [1]}), outliers="isolation_forest")
    with pytest.raises(DataError, match="no such file"):
        diagnose(tmp_path / "nope.csv")


def test_empty_file_is_a_blocking_finding(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("text,label\n")
    report = diagnose(path)
    assert report.rows == 0 and [f.check for f in report.blocking] == ["empty_file"]
    assert [c.name for c in report.columns] == ["text", "label"]


def test_public_names_are_pinned():
    assert sorted(trainwright.doctor.__all__) == ["ColumnProfile", "DoctorReport", "Finding", "diagnose"]


def test_a_column_that_alone_gives_the_target_away_is_probable_leakage():
    rng = np.random.default_rng(0)
    label = rng.choice(["neg", "pos"], size=300)
    frame = pd.DataFrame({"age": rng.integers(18, 80, size=300),
                          "refund": np.where(label == "neg", rng.uniform(5, 50, size=300).round(2), 0.0),
                          "label": label})
    report = diagnose(frame)
    (finding,) = [f for f in report.findings if f.check == "target_leak"]
    assert finding.severity == "warning" and finding.columns == ["refund"]
    assert finding.message.startswith("Probable leakage: column 'refund' alone predicts 'label'")
    assert "--feature refund" in finding.fix and finding.details["auc"] > 0.99
    assert report.leakage == [finding]  # --strict exits 1 on it


def test_a_pandas_index_column_is_an_identifier_not_a_number(tmp_path):
    frame = pd.DataFrame({"x": np.arange(300) % 7, "label": ["a"] * 150 + ["b"] * 150})
    frame.to_csv(tmp_path / "t.csv")  # its index written as a leading unnamed column
    report = diagnose(tmp_path / "t.csv")
    (index,) = [c for c in report.columns if c.name == "Unnamed: 0"]
    assert index.kind == "identifier"
    assert not [f for f in report.findings if f.check == "target_leak"]  # identifiers are left out anyway


def test_the_target_is_the_last_few_valued_column_not_a_name_with_class_inside():
    frame = pd.DataFrame({"age": np.arange(40) + 20, "workclass": ["Private", "?", "Self-emp", "State-gov"] * 10,
                          "income": ["<=50K", ">50K"] * 20})
    report = diagnose(frame)
    assert report.target == "income" and "workclass" in report.target_reason


def test_a_sentinel_whose_rows_carry_signal_is_kept_and_reported():
    rng = np.random.default_rng(0)
    n = 600
    income = np.where(rng.random(n) < 0.25, ">50K", "<=50K")
    weeks = rng.integers(0, 53, n).astype(float)
    weeks[np.flatnonzero(income == ">50K")[:20]] = 999  # a code, yet every such row is in the rare class
    frame = pd.DataFrame({"weeks_unemployed": weeks, "age": rng.uniform(17, 90, n).round(3), "income": income})
    report = diagnose(frame, target="income")
    kept = [f for f in report.findings if f.check == "suspected_sentinel"]
    assert len(kept) == 1 and kept[0].severity == "info"
    assert kept[0].message.startswith("weeks_unemployed: 20 values of 999: suspected sentinel, kept: its rows "
                                      "carry signal")
    assert kept[0].rows == (np.flatnonzero(weeks == 999) + 1).tolist()
    assert not [f for f in report.findings if f.check == "disguised_missing"]
    shuffled = diagnose(frame.assign(income=rng.permutation(income)), target="income")
    assert [f.message.split(" (")[0] for f in shuffled.findings if f.check == "disguised_missing"] == [
        "weeks_unemployed: 20 values of 999 are disguised missing values"]
