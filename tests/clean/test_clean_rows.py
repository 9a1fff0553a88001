"""RowCleaner: exact duplicates and inputs with conflicting labels, on rows injected for the purpose."""

import pandas as pd

from trainwright.clean import RowCleaner


def table(rows):
    return pd.DataFrame(rows, columns=["a", "b", "label"])


BASE = [(i, f"v{i}", "pos" if i % 2 else "neg") for i in range(10)]


def test_exact_duplicates_are_dropped_keeping_the_first():
    frame = table(BASE + [BASE[1], BASE[4], BASE[4]])
    stage = RowCleaner(["a", "b"], "label")
    out = stage.fit_resample(frame)
    assert out.index.tolist() == list(range(10)) and stage.duplicates_ == 3
    assert RowCleaner(["a", "b"], "label", duplicates="keep").fit_resample(frame).shape[0] == 13


def test_majority_label_wins_and_ties_are_dropped():
    majority = [(100, "m", "pos")] * 3 + [(100, "m", "neg")]  # pos 3 : neg 1
    tie = [(200, "t", "pos"), (200, "t", "neg")]
    frame = table(BASE + majority + tie)
    stage = RowCleaner(["a", "b"], "label")
    out = stage.fit_resample(frame)
    # The two extra "pos" rows are duplicates; the "neg" row loses the vote; both tied rows go.
    assert out.index.tolist() == list(range(11))
    assert out.loc[10].tolist() == [100, "m", "pos"]
    assert stage.duplicates_ == 2
    assert stage.conflicts_ == {"inputs": 2, "majority": 1, "ties": 1, "rows_dropped": 3}


def test_conflicts_drop_and_keep():
    frame = table(BASE + [(100, "m", "pos"), (100, "m", "pos"), (100, "m", "neg")])
    dropped = RowCleaner(["a", "b"], "label", duplicates="keep", conflicts="drop")
    assert dropped.fit_resample(frame).index.tolist() == list(range(10))
    assert dropped.conflicts_["inputs"] == 1 and dropped.conflicts_["rows_dropped"] == 3
    kept = RowCleaner(["a", "b"], "label", duplicates="keep", conflicts="keep")
    assert len(kept.fit_resample(frame)) == 13


def test_equal_labels_in_different_types_do_not_conflict_and_missing_labels_are_left_alone():
    frame = pd.DataFrame({"a": [1, 1, 2, 2], "label": [1, "1", 0, None]})
    stage = RowCleaner(["a"], "label", duplicates="keep")
    assert len(stage.fit_resample(frame)) == 4 and stage.conflicts_["inputs"] == 0


def test_missing_inputs_compare_equal():
    frame = pd.DataFrame({"a": [None, None, 3.0], "label": ["x", "y", "x"]})
    stage = RowCleaner(["a"], "label")
    assert stage.fit_resample(frame).index.tolist() == [2] and stage.conflicts_["ties"] == 1
