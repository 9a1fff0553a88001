"""infer_roles: which column is the text and which the target, with reasons; explicit choices honoured."""

from __future__ import annotations

import pandas as pd
import pytest

from trainwright.data import infer_roles
from trainwright.errors import DataError

_REVIEWS = [
    "The kettle boils quickly and looks lovely on the counter",
    "Stopped working after two weeks, very disappointed",
    "Delivery was fast and the packaging was excellent",
    "Handle gets far too hot to touch, would not buy again",
    "Exactly as described, my whole family likes it",
    "Lid broke on the first day and support never answered",
]


def reviews(target_name: str = "sentiment", n: int = 6) -> pd.DataFrame:
    return pd.DataFrame({
        "id": range(n),
        "title": [f"Item {i % 3}" for i in range(n)],  # short, repeating: a category, not text
        "review": [_REVIEWS[i % len(_REVIEWS)] + f" ({i})" for i in range(n)],
        target_name: ["pos", "neg"] * (n // 2),
    })


@pytest.mark.parametrize("target_name", ["label", "sentiment", "y", "Label", "target", "class", "polarity"])
def test_long_free_form_column_is_text_and_label_named_column_is_target(target_name):
    roles = infer_roles(reviews(target_name), "train.csv")
    assert roles.text == ["review"]
    assert roles.target == target_name
    assert len(roles.reasons) == 2
    text_reason, target_reason = roles.reasons
    assert text_reason.startswith("text column: 'review' (free-form strings")
    assert "--text" in text_reason
    assert target_reason.startswith(f"target column: '{target_name}' (named like a label)")
    assert "--target" in target_reason


def test_name_containing_label_word_is_a_target_when_no_exact_name():
    frame = reviews().rename(columns={"sentiment": "review_label"})
    assert infer_roles(frame, "train.csv").target == "review_label"


def test_exact_name_beats_a_name_that_only_contains_a_label_word():
    frame = reviews("label").assign(label_source=["a", "b", "c", "a", "b", "c"])
    assert infer_roles(frame, "train.csv").target == "label"


def test_longest_free_form_column_is_chosen_as_text():
    frame = reviews().assign(summary=[f"Short summary number {i}" for i in range(6)])
    assert infer_roles(frame, "train.csv").text == ["review"]


def test_repeating_long_strings_are_not_text():
    frame = pd.DataFrame({
        "department": ["Kitchen appliances and tools"] * 3 + ["Garden furniture and decor"] * 3,
        "comment": [r + f" {i}" for i, r in enumerate(_REVIEWS)],
        "label": ["pos", "neg"] * 3,
    })
    assert infer_roles(frame, "train.csv").text == ["comment"]


def test_only_low_cardinality_column_is_the_target_when_none_is_named():
    n = 60  # more distinct ids than a class label may have
    frame = pd.DataFrame({
        "id": range(n),
        "comment": [_REVIEWS[i % len(_REVIEWS)] + f" #{i}" for i in range(n)],
        "rating": [1 + i % 3 for i in range(n)],
    })
    roles = infer_roles(frame, "train.csv")
    assert roles.text == ["comment"]
    assert roles.target == "rating"
    assert "the only column with few distinct values (3)" in roles.reasons[1]


def test_several_low_cardinality_columns_are_ambiguous():
    frame = pd.DataFrame({"comment": [r + " x" for r in _REVIEWS], "stars": [1, 2, 3, 1, 2, 3],
                          "mood": ["a", "b"] * 3})
    with pytest.raises(DataError, match=r"train\.csv: cannot tell which column.*stars, mood.*--target"):
        infer_roles(frame, "train.csv")


def test_several_label_named_columns_are_ambiguous():
    frame = reviews("label").assign(target=[0, 1] * 3)
    with pytest.raises(DataError, match=r"several are named like one: label, target"):
        infer_roles(frame, "train.csv")


def test_no_target_candidate():
    frame = pd.DataFrame({"comment": [r + " x" for r in _REVIEWS], "id": range(6)}).iloc[[0]]
    with pytest.raises(DataError, match="found no target column"):
        infer_roles(frame, "train.csv")


def test_no_text_column():
    frame = pd.DataFrame({"word": ["a", "b", "c"], "label": [0, 1, 0]})
    with pytest.raises(DataError, match=r"found no free-form text column.*Pass --text COLUMN"):
        infer_roles(frame, "train.csv")


def test_explicit_target_and_text_are_honoured_without_reasons():
    roles = infer_roles(reviews(), "train.csv", target="title", text=["id", "sentiment"])
    assert roles.target == "title"
    assert roles.text == ["id", "sentiment"]
    assert roles.reasons == []


def test_explicit_target_only_still_infers_text():
    roles = infer_roles(reviews(), "train.csv", target="title")
    assert roles.target == "title"
    assert roles.text == ["review"]
    assert len(roles.reasons) == 1 and roles.reasons[0].startswith("text column: 'review'")


def test_explicit_text_only_still_infers_target():
    roles = infer_roles(reviews(), "train.csv", text=["title"])
    assert roles.text == ["title"]
    assert roles.target == "sentiment"
    assert len(roles.reasons) == 1 and roles.reasons[0].startswith("target column: 'sentiment'")


def test_explicit_text_is_not_taken_as_target():
    # 'label' is the only label-named column; naming it as text leaves only the low-cardinality fallback, and in
    # six rows every other column has between 2 and 50 distinct values.
    frame = reviews("label")
    with pytest.raises(DataError, match="candidates with few distinct values: id, title, review[.]"):
        infer_roles(frame, "train.csv", text=["label"])


def test_target_cannot_also_be_text():
    with pytest.raises(DataError, match="'review' cannot be both the target and a text column"):
        infer_roles(reviews(), "train.csv", target="review", text=["review"])


@pytest.mark.parametrize("kwargs, wrong, close", [
    ({"target": "sentimnt"}, "sentimnt", "sentiment"),
    ({"text": ["reveiw"]}, "reveiw", "review"),
    ({"target": "Sentiment"}, "Sentiment", "sentiment"),
])
def test_missing_column_suggests_the_closest_name(kwargs, wrong, close):
    with pytest.raises(DataError) as info:
        infer_roles(reviews(), "train.csv", **kwargs)
    message = str(info.value)
    assert message.startswith(f"train.csv: no column named '{wrong}'.")
    assert f"Did you mean '{close}'?" in message
    assert "Columns are: id, title, review, sentiment." in message


def test_missing_column_without_a_close_name_has_no_suggestion():
    with pytest.raises(DataError) as info:
        infer_roles(reviews(), "train.csv", target="zzzzzz")
    assert "Did you mean" not in str(info.value)
