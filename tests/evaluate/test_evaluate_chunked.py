"""`evaluate` reads its file in chunks: the same metrics as all at once, left-out rows named by their file row."""

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.evaluate.evaluation import evaluate_examples
from trainwright.data.examples import labeled_examples
from conftest import make_reviews


@pytest.fixture
def labeled_file(tmp_path):
    frame = make_reviews(300, seed=5)
    frame.loc[[10, 150, 151], "label"] = None
    frame.loc[[200], "review"] = ""
    frame.loc[[201], "stars"] = None  # a table column's gap is imputed, not left out
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    return path


def test_metrics_in_chunks_equal_metrics_of_the_whole_file(tiny_model, labeled_file, tw_log):
    predictor = trainwright.load(tiny_model)
    stages = predictor.preprocessing
    whole = evaluate_examples(predictor, labeled_examples(
        pd.read_csv(labeled_file), stages.text, stages.target_column, str(labeled_file),
        stages.numeric + stages.categorical), str(labeled_file))
    tw_log.clear()
    chunked = trainwright.evaluate(predictor, labeled_file, chunk_rows=64)
    assert chunked["n"] == whole["n"] == 297
    for key in ("loss", "accuracy", "f1", "roc_auc"):
        assert chunked[key] == pytest.approx(whole[key], abs=1e-9)
    assert np.array_equal(chunked["confusion_matrix"], whole["confusion_matrix"])
    # reported once for the whole file, with the rows' numbers in the file, not in their chunk
    warnings = [r.getMessage() for r in tw_log.records if "left out" in r.getMessage()]
    assert warnings == [f"{labeled_file}: 3 rows left out, missing label in 'label' (rows 11, 151, 152, counting "
                        "data rows from 1)."]


def test_a_file_without_a_usable_row_is_a_clear_error(tiny_model, tmp_path):
    path = tmp_path / "unlabeled.csv"
    make_reviews(20).assign(label=None).to_csv(path, index=False)
    with pytest.raises(trainwright.DataError, match="no row has both text .* and a label"):
        trainwright.evaluate(tiny_model, path, chunk_rows=8)
