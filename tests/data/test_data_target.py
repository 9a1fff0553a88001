"""TargetEncoder: task inference, label matching across types, unseen labels, regression scaling, state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.data.target import TargetEncoder, canonical, warn_of_case_variants
from trainwright.errors import DataError, NotFittedError


def fit(values, task="auto", name="label"):
    return TargetEncoder(task).fit(pd.Series(values, name=name), source="train.csv")


# --- task inference -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, task, outputs", [
    (["pos", "neg", "pos", "neg"], "binary", 1),
    (["yes", " no", "yes ", "no"], "binary", 1),  # stray spaces do not make new classes
    (["pos", "neg", "neutral", "pos"], "multiclass", 3),
    ([0, 1, 1, 0, 1], "binary", 1),
    ([0.0, 1.0, 1.0, 0.0], "binary", 1),  # integral floats (a CSV column with a blank) are still classes
    ([1, 2, 3, 2, 1], "multiclass", 3),
    (list(range(20)), "multiclass", 20),  # 20 distinct integers: still classes
    (list(range(21)), "regression", 1),  # more than 20 distinct integers: a number
    ([0.5, 1.5, 2.25, 0.5], "regression", 1),  # fractions: a number
    ([0.5, 1.5], "regression", 1),  # fractions even with two distinct values
    (["0.5", "1.5", "2.0"], "regression", 1),  # numbers read as strings
])
def test_task_is_inferred_from_the_values(values, task, outputs):
    encoder = fit(values)
    assert encoder.task_ == task
    assert encoder.num_outputs == outputs


def test_missing_values_do_not_affect_inference():
    encoder = fit([0.0, 1.0, np.nan, 1.0])
    assert encoder.task_ == "binary"
    assert encoder.classes_ == [0, 1]


def test_explicit_task_wins_over_inference():
    assert fit([1, 2, 3, 2], task="regression").task_ == "regression"
    assert fit([0.5, 1.5, 0.5], task="multiclass").classes_ == [0.5, 1.5]


def test_forced_binary_with_three_classes_is_rejected():
    with pytest.raises(DataError, match="needs 2 classes.*'label', found 3"):
        fit(["a", "b", "c"], task="binary")


def test_single_class_is_rejected_with_the_class_and_column():
    with pytest.raises(DataError) as info:
        fit(["pos", "pos", "pos"])
    message = str(info.value)
    assert "train.csv" in message and "'label'" in message and "'pos'" in message and "3 rows" in message


def test_large_fractional_values_are_a_regression():
    assert fit([150000.5, 200000.5, 150000.5]).task_ == "regression"


# --- canonical labels ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [1, 1.0, np.int64(1), np.int32(1), np.float32(1.0), np.float64(1.0), " 1", "1",
                                   "+1", "1 "])
def test_canonical_makes_the_forms_of_one_equal(value):
    result = canonical(value)
    assert result == 1 and type(result) is int


@pytest.mark.parametrize("value, expected", [
    (" pos ", "pos"), ("neg", "neg"), (0.5, 0.5), (np.float64(2.5), 2.5), (-3, -3), (" -3", -3),
    (True, True), (np.bool_(False), False),
])
def test_canonical_other_values(value, expected):
    result = canonical(value)
    assert result == expected and type(result) is type(expected)


def test_canonical_values_are_json_values():
    values = [np.int64(3), np.float32(0.5), " x ", np.bool_(True)]
    assert json.loads(json.dumps([canonical(v) for v in values])) == [3, 0.5, "x", True]


def test_labels_from_different_files_match_through_canonical():
    encoder = fit(pd.Series([0, 1, 1, 0], dtype="int64"))  # as read from a CSV
    other = pd.Series([" 1", 1.0, np.int64(0), "0", 1], dtype=object, name="label")  # as read from elsewhere
    assert encoder.transform(other).tolist() == [1, 1, 0, 0, 1]


def test_classes_are_sorted_and_indices_follow_them():
    encoder = fit(["neutral", "pos", "neg", "pos"])
    assert encoder.classes_ == ["neg", "neutral", "pos"]
    ids = encoder.transform(pd.Series(["pos", "neg", "neutral"], name="label"))
    assert ids.dtype == np.int64
    assert ids.tolist() == [2, 0, 1]
    assert encoder.inverse(ids) == ["pos", "neg", "neutral"]


# --- unseen labels ------------------------------------------------------------------------------------------

def test_unseen_labels_name_the_labels_and_rows():
    encoder = fit(["pos", "neg", "pos"])
    with pytest.raises(DataError) as info:
        encoder.transform(pd.Series(["pos", "meh", "neg", "bad", "meh"], name="label"), source="test.csv")
    message = str(info.value)
    assert message.startswith("test.csv: column 'label'")
    assert "3 labels the model never saw" in message
    assert "'bad'" in message and "'meh'" in message and "'pos'" not in message.split("The model knows")[0]
    assert "rows 2, 4, 5" in message
    assert "'neg', 'pos'" in message  # what the model knows


def test_unseen_label_rows_are_previewed_when_many():
    encoder = fit(["pos", "neg"])
    labels = pd.Series(["pos"] + ["odd"] * 8, name="label")
    with pytest.raises(DataError, match=r"rows 2, 3, 4, 5, 6 and 3 more"):
        encoder.transform(labels)


# --- regression ---------------------------------------------------------------------------------------------

def test_regression_standardizes_and_inverse_restores_the_scale():
    values = [10.5, 20.5, 30.5, 40.5]
    encoder = fit(values, name="price")
    assert encoder.task_ == "regression" and encoder.classes_ is None
    # mean 25.5; deviations ±15, ±5 -> population std sqrt((225 + 25 + 25 + 225) / 4) = sqrt(125)
    assert encoder.mean_ == pytest.approx(25.5)
    assert encoder.std_ == pytest.approx(np.sqrt(125))
    scaled = encoder.transform(pd.Series(values, name="price"))
    assert scaled.dtype == np.float32
    assert scaled.mean() == pytest.approx(0, abs=1e-6)
    assert scaled.std() == pytest.approx(1, abs=1e-6)
    assert scaled[0] == pytest.approx(-15 / np.sqrt(125), rel=1e-6)
    assert encoder.inverse(scaled) == pytest.approx(values, rel=1e-6)
    assert encoder.inverse(np.array([0.0, 1.0])) == pytest.approx([25.5, 25.5 + np.sqrt(125)])


def test_constant_regression_target_does_not_divide_by_zero():
    encoder = fit([2.5, 2.5, 2.5], task="regression")
    assert encoder.std_ == 1.0
    assert encoder.transform(pd.Series([2.5, 3.5])).tolist() == [0.0, 1.0]


def test_regression_target_with_non_numbers_names_the_rows():
    encoder = fit([0.5, 1.5, 2.5], name="price")
    with pytest.raises(DataError, match=r"numeric target 'price' has non-numbers at rows 2, 3"):
        encoder.transform(pd.Series(["1.0", "cheap", "n/a"], name="price"))


# --- state --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("values", [
    ["pos", "neg", "pos"],
    [0, 1, 1],
    ["a", "b", "c", "a"],
    [3, 1, 2, 2],
    [0.5, 1.75, 3.0, 10.25],
])
def test_to_dict_from_dict_round_trip_through_json(values):
    encoder = fit(values)
    state = json.loads(json.dumps(encoder.to_dict()))  # as stored in a model directory
    restored = TargetEncoder.from_dict(state)
    series = pd.Series(values, name="label")
    assert restored.task_ == encoder.task_
    assert restored.num_outputs == encoder.num_outputs
    np.testing.assert_array_equal(restored.transform(series), encoder.transform(series))
    outputs = encoder.transform(series)
    assert restored.inverse(outputs) == encoder.inverse(outputs)


@pytest.mark.parametrize("call", [
    lambda e: e.transform(pd.Series(["a"])),
    lambda e: e.inverse(np.array([0])),
    lambda e: e.to_dict(),
    lambda e: e.num_outputs,
])
def test_unfitted_use_says_to_call_fit(call):
    with pytest.raises(NotFittedError, match=r"TargetEncoder is not fitted yet: call TargetEncoder\.fit\(\.\.\.\)"):
        call(TargetEncoder())


def test_labels_that_differ_only_in_case_are_said_loudly_and_kept_apart(tw_log):
    labels = pd.Series(["Yes"] * 5 + ["YES"] * 2 + [" yes "] + ["No"] * 6 + ["no"] + [None, 1, 1], name="outcome")
    assert TargetEncoder().fit(labels.dropna()).classes_ == [1, "No", "YES", "Yes", "no", "yes"]  # kept apart
    warn_of_case_variants(labels, "survey.csv")
    said = [r for r in tw_log.records if "differ only in case" in r.getMessage()]
    assert [r.levelname for r in said] == ["WARNING", "WARNING"]
    messages = " | ".join(r.getMessage() for r in said)
    assert ("survey.csv: target 'outcome' has labels that differ only in case: 'Yes' (5 rows) and 'YES' (2 rows) "
            "and 'yes' (1 row). They are trained as 3 different classes") in messages
    assert "'No' (6 rows) and 'no' (1 row). They are trained as 2 different classes" in messages
    tw_log.clear()
    warn_of_case_variants(pd.Series(["a", "b", "A1", "a1"]).str.upper(), "x.csv")  # one spelling each: quiet
    warn_of_case_variants(pd.Series(pd.Categorical(["1", "0", "1"]), name="label"), "chunks.csv")  # as streamed
    assert not tw_log.records
    warn_of_case_variants(pd.Series(pd.Categorical(["pos", "POS", "neg"]), name="label"), "chunks.csv")
    said = tw_log.records[0].getMessage()
    assert "'pos' (1 row)" in said and "'POS' (1 row)" in said and "trained as 2 different classes" in said
