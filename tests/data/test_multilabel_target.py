"""TargetEncoder for multilabel targets: detection, multi-hot encoding, decoding, unknown labels, state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.data.target import TargetEncoder, split_labels
from trainwright.errors import DataError

TAGS = ["sports;politics", "sports", "politics", "tech", "tech; sports", "politics;tech", ";"] * 3


def fit(values, task="auto", separator=";"):
    return TargetEncoder(task, separator).fit(pd.Series(values, name="tags"), source="train.csv")


def test_cells_that_often_hold_the_separator_are_detected_and_the_choice_is_told(tw_log):
    encoder = fit(TAGS)
    assert encoder.task_ == "multilabel"
    assert encoder.classes_ == ["politics", "sports", "tech"]
    assert encoder.num_outputs == 3
    message = tw_log.text
    assert "task: multilabel" in message and "'tags'" in message and "--task multiclass" in message


@pytest.mark.parametrize("values", [
    ["a", "b", "c", "a", "b", "c"] * 10,  # no separator at all
    ["a", "b", "a;b"] + ["a", "b"] * 30,  # under 5% of the cells
    ["1;2", "3"] * 2 + [1, 2, 3] * 30,  # mostly numbers
])
def test_other_targets_are_not_multilabel(values):
    assert fit(values).task_ in ("binary", "multiclass")


def test_labels_seen_once_or_too_many_labels_keep_the_target_multiclass():
    once = [f"w{i};v{i}" for i in range(10)] + ["a", "b"] * 10  # each split label appears once
    assert fit(once).task_ == "multiclass"
    many = [f"l{i};l{i + 1}" for i in range(0, 202, 1)] * 2  # 203 distinct labels
    assert fit(many).task_ == "multiclass"


def test_forced_multiclass_keeps_each_cell_one_class():
    encoder = fit(TAGS, task="multiclass")
    assert encoder.task_ == "multiclass" and "sports;politics" in encoder.classes_


def test_transform_gives_multi_hot_rows_and_inverse_gives_label_lists():
    encoder = fit(TAGS)
    hot = encoder.transform(pd.Series(["sports;politics", "tech", ";", " politics ;politics"], name="tags"))
    assert hot.dtype == np.float32 and hot.shape == (4, 3)
    assert hot.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0]]
    assert encoder.inverse(hot) == [["politics", "sports"], ["tech"], [], ["politics"]]
    assert encoder.inverse(np.array([[0.9, 0.2, 0.51]])) == [["politics", "tech"]]  # probabilities: over 0.5


def test_a_custom_separator_and_numeric_labels():
    encoder = fit(["1|2", "2", "1", "3|1"] * 3, task="auto", separator="|")
    assert encoder.task_ == "multilabel" and encoder.classes_ == [1, 2, 3]
    assert split_labels("b; a;;b", ";") == ["b", "a"] and split_labels(np.nan, ";") == []


def test_unknown_labels_are_named_with_their_rows():
    encoder = fit(TAGS)
    with pytest.raises(DataError) as info:
        encoder.transform(pd.Series(["sports", "sports;art", "cooking"], name="tags"), source="valid.csv")
    message = str(info.value)
    assert "valid.csv" in message and "'art'" in message and "'cooking'" in message and "rows 2, 3" in message


def test_fewer_than_two_labels_is_rejected_with_a_hint():
    with pytest.raises(DataError, match="needs at least two.*--task binary"):
        fit(["a;", ";a", "a"], task="multilabel")


def test_state_round_trips_through_json():
    encoder = fit(TAGS)
    restored = TargetEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    rows = pd.Series(TAGS, name="tags")
    assert np.array_equal(restored.transform(rows), encoder.transform(rows))
    assert restored.separator == ";" and restored.num_outputs == 3
    old = {k: v for k, v in fit(["a", "b", "a"]).to_dict().items() if k != "separator"}  # saved before multilabel
    assert TargetEncoder.from_dict(old).inverse(np.array([1])) == ["b"]
