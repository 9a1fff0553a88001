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
def test_roles_are_inferred_by_kind_with_reasons(target_name):
    roles = infer_roles(reviews(target_name), "train.csv")
    assert roles.target == target_name
    assert roles.text == ["review"]
    assert roles.categorical == ["title"] and roles.numeric == []
    assert list(roles.excluded) == ["id"] and roles.excluded["id"].startswith("identifier")
    assert roles.inputs == ["review", "title"]
    said = "\n".join(roles.reasons)
    assert f"target column: '{target_name}' (named like a label)" in said and "--target" in said
    assert "text column: 'review' (free-form strings" in said and "--text" in said
    assert "column 'id' left out (identifier" in said


def test_name_containing_label_word_is_a_target_when_no_exact_name():
    frame = reviews().rename(columns={"sentiment": "review_label"})
    assert infer_roles(frame, "train.csv").target == "review_label"


def test_exact_name_beats_a_name_that_only_contains_a_label_word():
    frame = reviews("label").assign(label_source=["a", "b", "c", "a", "b", "c"])
    roles = infer_roles(frame, "train.csv")
    assert roles.target == "label" and "label_source" in roles.categorical


def test_every_free_form_column_is_text():
    frame = reviews().assign(summary=[f"Short summary number {i} of the item" for i in range(6)])
    assert infer_roles(frame, "train.csv").text == ["review", "summary"]


def test_repeating_long_strings_are_categories_not_text():
    frame = pd.DataFrame({
        "department": ["Kitchen appliances and tools"] * 3 + ["Garden furniture and decor"] * 3,
        "comment": [r + f" {i}" for i, r in enumerate(_REVIEWS)],
        "label": ["pos", "neg"] * 3,
    })
    roles = infer_roles(frame, "train.csv")
    assert roles.text == ["comment"] and roles.categorical == ["department"]


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
    assert "the only column with few distinct values (3)" in roles.reasons[0]


def test_a_table_without_text_has_numeric_and_categorical_inputs():
    frame = pd.DataFrame({"age": [20.5, 31, 45, 52, 60, 33, 41, 29], "smoker": ["y", "n"] * 4,
                          "pain": [1, 2, 3, 1, 2, 3, 1, 2], "outcome": [0, 1] * 4})
    roles = infer_roles(frame, "train.csv")
    assert roles.target == "outcome" and roles.text == []
    assert roles.numeric == ["age"] and roles.categorical == ["smoker", "pain"]


def test_of_several_low_cardinality_columns_the_last_is_the_target_and_the_others_are_named():
    frame = pd.DataFrame({"comment": [r + " x" for r in _REVIEWS], "stars": [1, 2, 3, 1, 2, 3],
                          "mood": ["a", "b"] * 3})
    roles = infer_roles(frame, "train.csv")
    assert roles.target == "mood" and roles.categorical == ["stars"]
    assert "the others: stars" in roles.reasons[0] and "--target" in roles.reasons[0]


def test_a_label_word_inside_another_word_does_not_name_the_target():
    # UCI adult: `workclass` holds `class` inside a word; the label is the last column, `income`.
    n = 12
    frame = pd.DataFrame({"age": [25 + 3 * i for i in range(n)],
                          "workclass": ["Private", "?", "Self-emp", "State-gov"] * 3,
                          "education": ["Bachelors", "HS-grad", "Masters"] * 4,
                          "income": ["<=50K", ">50K", "<=50K"] * 4})
    roles = infer_roles(frame, "adult.csv")
    assert roles.target == "income"
    assert roles.categorical == ["workclass", "education"]
    assert "workclass" in roles.reasons[0] and "education" in roles.reasons[0]


@pytest.mark.parametrize("name", ["income_class", "Class Label", "target-value"])
def test_a_label_word_as_a_whole_word_of_a_name_still_names_the_target(name):
    frame = pd.DataFrame({"comment": [r + " x" for r in _REVIEWS], "stars": [1, 2, 3, 1, 2, 3],
                          name: ["a", "b"] * 3})
    frame = frame[[name, "comment", "stars"]]
    assert infer_roles(frame, "train.csv").target == name


def test_several_label_named_columns_are_ambiguous():
    frame = reviews("label").assign(target=[0, 1] * 3)
    with pytest.raises(DataError, match=r"several are named like one: label, target"):
        infer_roles(frame, "train.csv")


def test_no_target_candidate():
    frame = pd.DataFrame({"comment": [r + " x" for r in _REVIEWS], "id": range(6)}).iloc[[0]]
    with pytest.raises(DataError, match="found no target column"):
        infer_roles(frame, "train.csv")


def test_no_usable_input_column():
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(60)], "label": [0, 1] * 30})
    with pytest.raises(DataError, match=r"no input column to learn from besides the target 'label'.*--feature"):
        infer_roles(frame, "train.csv")


def test_explicit_target_and_text_are_honoured():
    roles = infer_roles(reviews(), "train.csv", target="title", text=["review"])
    assert roles.target == "title" and roles.text == ["review"]
    assert not any(r.startswith(("target column", "text column")) for r in roles.reasons)
    assert roles.categorical == ["sentiment"]


def test_explicit_text_leaves_other_text_columns_out():
    frame = reviews().assign(summary=[f"Short summary number {i} of the item" for i in range(6)])
    roles = infer_roles(frame, "train.csv", text=["summary"])
    assert roles.text == ["summary"] and roles.excluded["review"].startswith("text")


def test_explicit_features_restrict_and_can_bring_back_an_identifier():
    roles = infer_roles(reviews(), "train.csv", features=["id"])
    assert roles.text == ["review"] and roles.numeric == ["id"] and roles.categorical == []


def test_explicit_text_is_not_taken_as_target():
    roles = infer_roles(reviews("label"), "train.csv", text=["label"])
    assert roles.target == "title" and roles.text == ["label"]


def test_target_cannot_also_be_an_input():
    with pytest.raises(DataError, match="'review' cannot be both the target and an input"):
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
