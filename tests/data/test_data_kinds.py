"""Column kinds and disguised missing values, each with the reason a user is told."""

import numpy as np
import pandas as pd
import pytest

from trainwright.data.kinds import infer_kind
from trainwright.data.missing import find_missing, implausible_values, standardize_missing


@pytest.mark.parametrize("values, name, kind", [
    ([1.5, 2.25, 3.0, 4.75, 5.5, 6.0], "score", "numeric"),
    ([1, 2, 3, 1, 2, 3], "pain", "categorical"),  # few integer codes
    (["a", "b", "a", "c", "b", "a"], "grade", "categorical"),
    ([1, 2, 1, 2, "?", 1], "surgery", "binary"),  # `?` is not a third value
    ([7, 7, 7, "NA", 7, None], "site", "constant"),
    (list(range(100, 160)), "patient_id", "identifier"),
    (["2024-01-0%d" % d for d in range(1, 7)], "day", "datetime"),
    ([f"The service was slow but the food was good ({i})" for i in range(6)], "review", "text"),
    (["23.5", "41.2", "90+", "37.9", "?", "58.1", "62.4"], "age", "numeric"),  # a top-code among numbers
    (["<30", "30-50", ">50", "<30", "30-50", ">50"], "age_band", "categorical"),  # bins are no numbers
    ([f"{v:,}" for v in range(9_000, 21_000, 1_000)] + ["148", "?"], "glucose", "numeric"),  # "9,000", ...
    (["$0.50", "$1,200.00", "$3", "$12.25", "$7", "$99"], "price", "numeric"),
    (["33.6%", "31.2%", "29%", "40.1%", "25%", "35.5%"], "bmi", "numeric"),
    (["$0.50", "$3", "free", "$12.25", "$7", "$99"], "price", "categorical"),  # a word: not a column of numbers
])
def test_kinds(values, name, kind):
    found = infer_kind(pd.Series(values, name=name))
    assert found.kind == kind and found.reason


def test_datetime_dtype_is_a_date_not_a_number():
    assert infer_kind(pd.Series(pd.date_range("2020-01-01", periods=5), name="when")).kind == "datetime"


def test_an_impossible_zero_is_missing_but_a_count_of_zero_is_not():
    rng = np.random.default_rng(0)
    glucose = pd.Series(np.r_[rng.normal(120, 25, 200).round().clip(45), [0] * 5], name="glucose")
    pregnancies = pd.Series(rng.poisson(3, 200), name="pregnancies")
    assert implausible_values(glucose) == [0.0]
    assert implausible_values(pregnancies) == []
    report = find_missing(glucose)
    assert report.sentinels == {"0": 5} and report.rows == list(range(200, 205))


def test_placeholders_and_far_out_codes_are_missing():
    values = pd.Series(["3", "?", " NA ", "", "5", "4", "999", "6", "7", "2", "3", "-", "8", "5", "4"], name="pulse")
    report = find_missing(values)
    assert report.tokens == {"?": 1, "NA": 1, "": 1, "-": 1} and report.sentinels == {"999": 1}
    assert report.total == 5
    cleaned = standardize_missing(values.to_frame(), {"pulse": [999.0]})
    assert cleaned["pulse"].isna().sum() == 5


def test_zero_padded_codes_stay_codes(tmp_path):
    from trainwright.data import read_table

    path = tmp_path / "codes.csv"
    path.write_text("site,pulse\n" + "\n".join(f"{c},{p}" for c, p in
                    [("11300", 66), ("02208", 88), ("00000", 40), ("03111", 72), ("00000", 64)] * 3) + "\n")
    frame = read_table(path)
    assert frame["site"].tolist()[:3] == ["11300", "02208", "00000"]  # leading zeros kept
    assert frame["pulse"].dtype == "int64"
    assert infer_kind(frame["site"]).kind == "categorical"
    assert find_missing(frame["site"]).total == 0  # 00000 is a code, not a disguised missing value


def test_a_large_file_of_repeated_sentences_is_still_text():
    sentences = [f"review {i}: the food arrived cold and the driver was late" for i in range(1_500)]
    column = pd.Series(sentences * 20, name="review")  # 30,000 rows, 5% distinct
    assert infer_kind(column).kind == "text"
    long_categories = pd.Series(["Department of Internal Medicine", "Department of Surgery"] * 30, name="unit")
    assert infer_kind(long_categories).kind != "text"


@pytest.mark.parametrize("name", ["Unnamed: 0", "", "index"])
def test_an_unnamed_index_column_is_an_identifier(name):
    # what to_csv writes for a DataFrame's index, here after sorting by class: not consecutive, all distinct
    values = pd.Series(np.random.default_rng(0).permutation(400)[:60], name=name)
    found = infer_kind(values)
    assert found.kind == "identifier"


@pytest.mark.parametrize("values", [
    np.random.default_rng(1).permutation(np.arange(1, 201)),  # a shuffled range: row numbers in any order
    np.r_[np.arange(0, 100), np.arange(102, 200)],  # a range with a couple of rows dropped
])
def test_integers_that_look_like_row_numbers_are_identifiers(values):
    found = infer_kind(pd.Series(values, name="n"))
    assert found.kind == "identifier" and "row numbers" in found.reason


@pytest.mark.parametrize("values, name", [
    (np.random.default_rng(2).integers(18, 90, size=300), "age"),  # repeats over many rows
    (np.random.default_rng(3).integers(0, 10_000, size=300), "income"),  # distinct, but with gaps
    (list(range(1, 16)), "count"),  # too few rows to tell
    (np.arange(60) * 0.5, "dose"),  # not whole numbers
])
def test_honest_numbers_are_not_row_numbers(values, name):
    assert infer_kind(pd.Series(values, name=name)).kind != "identifier"
