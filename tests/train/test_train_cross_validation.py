"""k-fold cross-validation: disjoint stratified folds, mean ± std, per-fold results saved."""

import json

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.train.splits import make_folds


def test_folds_are_disjoint_cover_every_row_and_keep_the_class_balance():
    y = np.array([0] * 70 + [1] * 30)
    folds = make_folds(y, "binary", 5, seed=0)
    tests = [set(test) for _, test in folds]
    assert set().union(*tests) == set(range(100)) and sum(len(t) for t in tests) == 100
    for train_rows, test_rows in folds:
        assert not set(train_rows) & set(test_rows)
        assert y[test_rows].mean() == pytest.approx(0.3)  # stratified: 6 of each 20 are positive


def test_cross_validation_reports_mean_and_std_and_saves_each_fold(tmp_path, reviews_csv, tiny_config):
    config = tiny_config.model_copy(deep=True)
    config.train.epochs = 2
    result = trainwright.cross_validate(reviews_csv, folds=3, out=tmp_path / "cv", config=config)
    assert [f["fold"] for f in result.folds] == [1, 2, 3]
    assert sum(f["n_test"] for f in result.folds) == len(pd.read_csv(reviews_csv))
    accuracies = [f["accuracy"] for f in result.folds]
    assert result.summary["accuracy"]["mean"] == pytest.approx(np.mean(accuracies))
    assert result.summary["accuracy"]["std"] == pytest.approx(np.std(accuracies))
    saved = json.loads((tmp_path / "cv" / "cv.json").read_text())
    assert saved["summary"] == result.summary and len(saved["folds"]) == 3
    assert len(pd.read_csv(tmp_path / "cv" / "cv.csv")) == 3


def test_cv_with_a_validation_file_is_refused(cli, reviews_csv, tmp_path):
    result = cli("train", reviews_csv, "--cv", "3", "--valid", reviews_csv, "--out", tmp_path / "m")
    assert result.code == 3 and "--cv makes its own validation and test parts" in result.stderr
