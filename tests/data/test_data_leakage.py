"""find_leaks and infer_roles: a column that alone gives the target away is left out, loudly; honest columns are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_reviews, shared_data

from trainwright.data import infer_roles, read_table
from trainwright.data.leakage import find_leaks


def leaky_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """An honest, weak column and one filled in after the outcome was known (a refund only for complaints)."""
    rng = np.random.default_rng(seed)
    label = rng.choice(["neg", "pos"], size=n)
    return pd.DataFrame({
        "age": rng.integers(18, 80, size=n) + (label == "pos") * 5,
        "refund": np.where(label == "neg", rng.uniform(5, 50, size=n).round(2), 0.0),
        "label": label,
    })


def test_a_column_that_alone_gives_the_target_away_is_found():
    (leak,) = find_leaks(leaky_table(), "label", ["age", "refund"])
    assert leak.column == "refund" and leak.auc > 0.99 and leak.best_other < 0.8
    assert "refund" in leak.describe("label") and "label" in leak.describe("label")


def test_train_leaves_a_leak_out_and_says_so_as_a_warning():
    roles = infer_roles(leaky_table(), "train.csv")
    assert roles.numeric == ["age"] and "refund" in roles.excluded
    (warning,) = roles.warnings
    assert warning.startswith("probable leakage: column 'refund' alone predicts 'label'")
    assert "--feature refund" in warning


def test_a_leak_named_with_feature_is_kept_with_a_warning():
    roles = infer_roles(leaky_table(), "train.csv", features=["age", "refund"])
    assert roles.numeric == ["age", "refund"] and [leak.column for leak in roles.leaks] == ["refund"]
    (warning,) = roles.warnings
    assert "Kept because it was named with --feature" in warning


def test_a_pandas_index_of_a_file_sorted_by_class_is_an_identifier_and_left_out(tmp_path):
    # to_csv with its index, after sorting by class: the row numbers follow the label.
    frame = make_reviews(200).sample(frac=1, random_state=0).sort_values("label")
    path = tmp_path / "sorted.csv"
    frame[["review", "label"]].to_csv(path)
    read = read_table(path)
    assert read.columns[0] == "Unnamed: 0"
    roles = infer_roles(read, str(path))
    assert roles.target == "label" and roles.text == ["review"] and roles.numeric == []
    assert roles.excluded["Unnamed: 0"].startswith("identifier: an unnamed column")
    assert any("'Unnamed: 0' left out" in reason for reason in roles.reasons)


@pytest.mark.parametrize("name, target", [("pima-indians-diabetes.csv", "outcome"), ("horse-colic.csv", "outcome"),
                                          ("horse-colic.csv", "surgical_lesion")])
def test_no_honest_column_of_the_shared_tables_is_flagged(name, target):
    frame = read_table(shared_data("tabular", name))
    roles = infer_roles(frame, name, target)
    assert roles.leaks == [] and roles.warnings == []
    assert not any("leakage" in why for why in roles.excluded.values())
