"""join_text and labeled_examples: several text columns joined with [SEP]; unusable rows left out and reported."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from trainwright.data.examples import TEXT_SEPARATOR, join_text, labeled_examples
from trainwright.errors import DataError


def test_separator_is_the_tokenizer_special_token():
    from trainwright.text.tokenizer import SEP
    assert TEXT_SEPARATOR == f" {SEP} "


def test_single_column_is_returned_stripped_with_missing_as_empty():
    frame = pd.DataFrame({"text": ["  hello  ", None, "world"]})
    assert join_text(frame, ["text"], "f.csv") == ["hello", "", "world"]


def test_several_columns_are_joined_with_the_separator():
    frame = pd.DataFrame({"title": ["Great kettle ", "Bad"], "body": [" boils fast", "broke"]})
    assert join_text(frame, ["title", "body"], "f.csv") == ["Great kettle [SEP] boils fast", "Bad [SEP] broke"]


def test_column_order_is_the_given_order():
    frame = pd.DataFrame({"title": ["t"], "body": ["b"]})
    assert join_text(frame, ["body", "title"], "f.csv") == ["b [SEP] t"]


def test_non_string_columns_are_joined_as_text():
    frame = pd.DataFrame({"title": ["A"], "stars": [5]})
    assert join_text(frame, ["title", "stars"], "f.csv") == ["A [SEP] 5"]


def test_a_missing_part_keeps_the_other():
    frame = pd.DataFrame({"title": [None], "body": ["only the body"]})
    (text,) = join_text(frame, ["title", "body"], "f.csv")
    assert "only the body" in text and "nan" not in text.lower() and "None" not in text


def test_join_text_missing_column_suggests_the_closest():
    frame = pd.DataFrame({"title": ["a"], "body": ["b"]})
    with pytest.raises(DataError, match=r"f\.csv: no column named 'bdy'\. Did you mean 'body'\?"):
        join_text(frame, ["title", "bdy"], "f.csv")


def test_all_usable_rows_are_kept_in_order_and_nothing_is_reported(tw_log):
    frame = pd.DataFrame({"text": ["a b", "c d", "e f"], "label": ["pos", "neg", "pos"]})
    examples = labeled_examples(frame, ["text"], "label", "train.csv")
    assert examples.texts == ["a b", "c d", "e f"]
    assert examples.target.tolist() == ["pos", "neg", "pos"]
    assert not [r for r in tw_log.records if r.levelname == "WARNING"]


def test_rows_without_text_or_label_are_left_out_and_reported(tw_log):
    frame = pd.DataFrame({
        "review": ["good one", "", "   ", "nice", None, "fine", "bad one", "so-so"],
        "label": ["pos", "neg", "pos", None, "neg", " ", "neg", np.nan],
    }, index=range(100, 108))  # row numbers count data rows from 1, not the frame's index
    examples = labeled_examples(frame, ["review"], "label", "train.csv")

    assert examples.texts == ["good one", "bad one"]
    assert examples.target.tolist() == ["pos", "neg"]
    assert examples.target.index.tolist() == [0, 6]  # each kept row's position in the file

    warnings = [r.getMessage() for r in tw_log.records if r.name == "trainwright" and r.levelname == "WARNING"]
    assert len(warnings) == 2
    empty, missing = warnings
    # rows 2 (""), 3 (whitespace only) and 5 (missing) have no text
    assert empty.startswith("train.csv: 3 rows left out, empty text in 'review' (rows 2, 3, 5,")
    # rows 4 (None), 6 (blank) and 8 (NaN) have text but no label
    assert missing.startswith("train.csv: 3 rows left out, missing label in 'label' (rows 4, 6, 8,")
    assert "counting data rows from 1" in empty and "counting data rows from 1" in missing


def test_row_without_text_and_label_is_reported_once(tw_log):
    frame = pd.DataFrame({"text": ["ok", None, "fine"], "label": ["a", None, "b"]})
    examples = labeled_examples(frame, ["text"], "label", "train.csv")
    assert examples.texts == ["ok", "fine"]
    warnings = [r.getMessage() for r in tw_log.records if r.levelname == "WARNING"]
    assert warnings == [
        "train.csv: 1 row left out, empty text in 'text' (row 2, counting data rows from 1)."
    ]


def test_several_text_columns_leave_out_only_rows_empty_in_all(tw_log):
    frame = pd.DataFrame({
        "title": ["Great", "", None, "  "],
        "body": ["boils fast", "broke", "", " "],
        "label": ["pos", "neg", "pos", "neg"],
    })
    examples = labeled_examples(frame, ["title", "body"], "label", "train.csv")
    assert len(examples.texts) == 2
    assert examples.texts[0] == "Great [SEP] boils fast"
    assert examples.texts[1].endswith("broke")
    assert examples.target.tolist() == ["pos", "neg"]
    warnings = [r.getMessage() for r in tw_log.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "2 rows left out, empty text in 'title', 'body' (rows 3, 4," in warnings[0]


def test_many_left_out_rows_are_previewed(tw_log):
    frame = pd.DataFrame({"text": ["ok"] + [""] * 7, "label": ["a"] * 8})
    labeled_examples(frame, ["text"], "label", "train.csv")
    (warning,) = [r.getMessage() for r in tw_log.records if r.levelname == "WARNING"]
    assert "7 rows left out" in warning and "rows 2, 3, 4, 5, 6 and 2 more" in warning


def test_numeric_labels_zero_are_not_missing():
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": [0, 1, 0]})
    assert labeled_examples(frame, ["text"], "label", "f.csv").target.tolist() == [0, 1, 0]


def test_no_usable_row_is_an_error():
    frame = pd.DataFrame({"text": ["", "a"], "label": ["x", None]})
    with pytest.raises(DataError, match=r"train\.csv: no row has both text \(or features\) and a label; "
                                        r"check --text and --target"):
        labeled_examples(frame, ["text"], "label", "train.csv")


def test_missing_target_column_suggests_the_closest():
    frame = pd.DataFrame({"text": ["a"], "label": ["x"]})
    with pytest.raises(DataError, match="Did you mean 'label'"):
        labeled_examples(frame, ["text"], "labl", "train.csv")


def test_a_placeholder_in_the_target_is_no_label_and_is_reported(tw_log):
    # UCI files write a missing value as '?': as a label it would be a class in one split and unseen in another.
    frame = pd.DataFrame({"age": [30, 41, 52, 23, 35], "workclass": ["Private", "?", " ? ", "N/A", "Private"]})
    examples = labeled_examples(frame, [], "workclass", "adult.csv", features=["age"])
    assert examples.target.tolist() == ["Private", "Private"]
    (warning,) = [r.getMessage() for r in tw_log.records if r.levelname == "WARNING"]
    assert warning.startswith("adult.csv: 3 rows left out, missing label in 'workclass' (rows 2, 3, 4,")


def test_none_and_unknown_stay_classes():
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["none", "unknown", "spam"]})
    assert labeled_examples(frame, ["text"], "label", "f.csv").target.tolist() == ["none", "unknown", "spam"]
