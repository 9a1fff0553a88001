"""The doctor on the real datasets in ../shared/data: what it must find, what it must not, and how fast."""

from __future__ import annotations


import pandas as pd
from conftest import shared_data

from trainwright.doctor import diagnose

PIMA_ZEROS = {"glucose": 5, "blood_pressure": 35, "skin_thickness": 227, "insulin": 374, "bmi": 11}


def test_pima_zeros_are_disguised_missing_values_but_not_pregnancies():
    report = diagnose(shared_data("tabular", "pima-indians-diabetes.csv"))
    zeros = {f.columns[0]: f for f in report.findings if f.check == "disguised_missing"}
    assert {c: f.count for c, f in zeros.items()} == PIMA_ZEROS
    assert zeros["glucose"].message.startswith("glucose: 5 zeros are disguised missing values (rows 76, 183, ")
    assert zeros["glucose"].details["form"] == "0" and "clean.missing: median" in zeros["glucose"].fix
    assert not [f for f in report.findings if f.check in ("missing_values", "disguised_missing")
                and f.columns == ["pregnancies"]]
    assert report.target == "outcome" and report.classes == {"0": 500, "1": 268} and not report.blocking
    # the zeros are missing, so they are not outliers: insulin's lower fence sits on its real values
    insulin = next(f for f in report.findings if f.check == "outliers" and f.columns == ["insulin"])
    assert insulin.details["min"] > 0


def test_horse_colic_question_marks_and_identifier():
    path = shared_data("tabular", "horse-colic.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = {c: int((raw[c] == "?").sum()) for c in raw.columns if (raw[c] == "?").any() and c != "surgical_lesion"}
    report = diagnose(path, target="surgical_lesion")
    marks = {f.columns[0]: f for f in report.findings if f.check == "disguised_missing" and f.details["form"] == "?"}
    assert {c: f.count for c, f in marks.items()} == expected
    assert marks["rectal_temperature"].message.startswith("`?` marks 60 missing values in rectal_temperature")
    assert marks["rectal_temperature"].rows == [i + 1 for i in raw.index[raw["rectal_temperature"] == "?"]]
    (identifier,) = [f for f in report.findings if f.check == "identifier"]
    assert identifier.columns == ["hospital_number"]
    assert report.target == "surgical_lesion" and report.target_reason == "passed with --target"
    assert {c.name: c.kind for c in report.columns}["hospital_number"] == "identifier"


def test_text_datasets_are_diagnosed_as_text():
    for parts, text in ((("text", "sst2", "train.csv"), "text"), (("text", "waimai_10k.csv"), "review")):
        report = diagnose(shared_data(*parts))
        assert report.target == "label" and {c.name: c.kind for c in report.columns}[text] == "text"
        assert any(f.check == "text_length" for f in report.findings)


def test_sst2_train_and_test_share_two_sentences():
    report = diagnose(shared_data("text", "sst2", "train.csv"), test=shared_data("text", "sst2", "test.csv"))
    (leak,) = report.leakage
    assert leak.rows == [153, 1451] and leak.details["train_rows"] == [941, 2422]
    duplicates = next(f for f in report.findings if f.check == "duplicate_rows")
    assert duplicates.count == 9
