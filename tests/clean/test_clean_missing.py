"""MissingValueImputer: each strategy fills what it should, at training and when replayed on new rows."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer

from trainwright.clean import CleaningConfig, MissingValueImputer
from trainwright.errors import ConfigError, NotFittedError

NAN = np.nan


def imputer(numeric=("x",), categorical=(), **config) -> MissingValueImputer:
    return MissingValueImputer(CleaningConfig(**config), numeric=list(numeric), categorical=list(categorical))


def roundtrip(stage: MissingValueImputer) -> MissingValueImputer:
    return MissingValueImputer.from_dict(json.loads(json.dumps(stage.to_dict(), allow_nan=False)))


@pytest.mark.parametrize("strategy, fill", [("median", 3.0), ("mean", 26.0 / 6), ("most_frequent", 1.0)])
def test_statistic_strategies_fill_the_training_statistic(strategy, fill):
    train = pd.DataFrame({"x": [1.0, 1.0, NAN, 3.0, 8.0, 3.0, 10.0]})  # present: 1 1 3 3 8 10 (tie: smallest)
    stage = imputer(missing=strategy).fit(train)
    assert stage.fill_["x"] == pytest.approx(fill)
    out = stage.transform(pd.DataFrame({"x": [NAN, 100.0, NAN]}))  # the new rows' own statistics do not count
    assert out["x"].tolist() == pytest.approx([fill, 100.0, fill])


def test_constant_fills_zero_or_the_fill_value():
    train = pd.DataFrame({"x": [1.0, NAN, 3.0]})
    assert imputer(missing="constant").fit(train).transform(train)["x"].tolist() == [1.0, 0.0, 3.0]
    assert imputer(missing="constant", fill_value=-1).fit(train).transform(train)["x"].tolist() == [1.0, -1.0, 3.0]


def test_ffill_uses_the_previous_row_and_the_median_where_there_is_none():
    train = pd.DataFrame({"x": [NAN, 1.0, NAN, NAN, 5.0, NAN, 2.0]})  # median of 1, 5, 2 = 2
    stage = imputer(missing="ffill").fit(train)
    assert stage.transform(train)["x"].tolist() == [2.0, 1.0, 1.0, 1.0, 5.0, 5.0, 2.0]
    # One prediction row has no previous row: the training median.
    assert stage.transform(pd.DataFrame({"x": [NAN]}))["x"].tolist() == [2.0]


def test_bfill_uses_the_next_row():
    train = pd.DataFrame({"x": [NAN, 1.0, NAN, 5.0, NAN]})
    # The last row has no next row: the training median of 1 and 5.
    assert imputer(missing="bfill").fit(train).transform(train)["x"].tolist() == [1.0, 1.0, 5.0, 5.0, 3.0]


def test_interpolate_is_linear_between_neighbours():
    train = pd.DataFrame({"x": [NAN, 1.0, NAN, NAN, 7.0, NAN]})
    stage = imputer(missing="interpolate").fit(train)
    assert stage.transform(train)["x"].tolist() == [1.0, 1.0, 3.0, 5.0, 7.0, 7.0]
    assert stage.transform(pd.DataFrame({"x": [NAN]}))["x"].tolist() == [4.0]  # median of 1 and 7


def test_knn_fills_from_the_nearest_rows():
    train = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) * 10})
    stage = imputer(numeric=["a", "b"], missing="knn", knn_neighbors=2).fit(train)
    # Nearest to a = 4.1 are a = 4 and a = 5: b = (40 + 50) / 2.
    out = stage.transform(pd.DataFrame({"a": [4.1, 8.9], "b": [NAN, NAN]}))
    assert out["b"].tolist() == pytest.approx([45.0, 85.0])


def test_iterative_fills_values_that_follow_the_other_columns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = 2 * x + 1 + rng.normal(scale=0.05, size=200)
    gaps = rng.random(200) < 0.2
    train = pd.DataFrame({"x": x, "y": np.where(gaps, NAN, y)})
    stage = imputer(numeric=["x", "y"], missing="iterative").fit(train)
    filled = stage.transform(train)["y"].to_numpy()[gaps]
    assert np.corrcoef(filled, x[gaps])[0, 1] > 0.99
    assert filled == pytest.approx(2 * x[gaps] + 1, abs=0.2)


def test_iterative_replays_scikit_learn_exactly():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(120, 4)) @ rng.normal(size=(4, 4))
    data[rng.random(data.shape) < 0.15] = NAN
    frame = pd.DataFrame(data, columns=list("abcd"))
    stage = roundtrip(imputer(numeric=list("abcd"), missing="iterative").fit(frame))
    fill = stage.iterative_
    reference = IterativeImputer(random_state=0, min_value=fill.low_, max_value=fill.high_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference.fit(data).transform(data)
    assert np.array_equal(stage.transform(frame)[list("abcd")].to_numpy(), expected)


@pytest.mark.parametrize("strategy", ["knn", "iterative", "median", "ffill", "interpolate"])
def test_saved_and_loaded_imputer_fills_bit_identically(strategy):
    rng = np.random.default_rng(2)
    data = rng.normal(size=(80, 3)) * [1, 10, 100]
    data[rng.random(data.shape) < 0.2] = NAN
    frame = pd.DataFrame(data, columns=list("abc"))
    stage = imputer(numeric=list("abc"), missing=strategy).fit(frame)
    new = frame.sample(frac=1, random_state=0)
    pd.testing.assert_frame_equal(stage.transform(new), roundtrip(stage).transform(new), check_exact=True)


def test_indicators_auto_true_false():
    train = pd.DataFrame({"often": [NAN, NAN] + [1.0] * 28, "rarely": [NAN] + [1.0] * 29, "never": [1.0] * 30})
    cols = ["often", "rarely", "never"]
    auto = imputer(numeric=cols, missing_indicator="auto").fit(train)
    assert auto.indicators_ == ["often"]  # 2 / 30 = 6.7% >= 5%; 1 / 30 = 3.3% is not
    out = auto.transform(pd.DataFrame({"often": [NAN, 4.0], "rarely": [1.0, NAN], "never": [1.0, 1.0]}))
    assert out["often__missing"].tolist() == [1.0, 0.0] and "rarely__missing" not in out
    assert imputer(numeric=cols, missing_indicator=True).fit(train).indicators_ == ["often", "rarely"]
    assert imputer(numeric=cols, missing_indicator=False).fit(train).indicators_ == []


def test_drop_row_drops_training_rows_but_imputes_prediction_rows():
    train = pd.DataFrame({"x": [1.0, NAN, 3.0, 5.0], "y": [NAN, 10.0, 20.0, 30.0]})
    stage = imputer(numeric=["x", "y"], missing_columns={"x": "drop_row"})
    kept = stage.fit_resample(train)
    assert kept.index.tolist() == [0, 2, 3] and stage.rows_dropped_ == 1
    assert kept["y"].tolist() == [25.0, 20.0, 30.0]  # y's median over the kept rows
    out = stage.transform(pd.DataFrame({"x": [NAN], "y": [NAN]}))
    assert out["x"].tolist() == [3.0] and len(out) == 1  # the training median, never a lost row


def test_categorical_strategies_and_unseen_categories():
    train = pd.DataFrame({"c": ["red", "blue", NAN, "blue", 2, "2.0"], "d": ["x", NAN, "y", "y", "x", "y"]})
    stage = imputer(numeric=[], categorical=["c", "d"], missing_columns={"d": "most_frequent"}).fit(train)
    out = stage.transform(pd.DataFrame({"c": [NAN, "green", 2.0], "d": [NAN, "z", "x"]}))
    assert out["c"].tolist() == ["__missing__", "green", "2"]  # unseen passed through; 2.0 is category "2"
    assert out["d"].tolist() == ["y", "z", "x"]
    assert imputer(numeric=[], categorical=["c"], fill_value="?").fit(train).fill_["c"] == "?"


def test_a_row_of_missing_values_gets_finite_numbers_for_every_strategy():
    train = pd.DataFrame({"a": [1.0, NAN, 3.0, 4.0, 8.0], "b": [2.0, 4.0, NAN, 8.0, 1.0]})
    for strategy in ["drop_row", "constant", "mean", "median", "most_frequent", "ffill", "bfill", "interpolate",
                     "knn", "iterative"]:
        stage = imputer(numeric=["a", "b"], missing=strategy).fit(train)
        out = stage.transform(pd.DataFrame({"a": [NAN], "b": ["?"]}))
        assert np.isfinite(out[["a", "b"]].to_numpy(dtype=float)).all(), strategy


def test_config_errors_name_the_key_and_the_fix():
    with pytest.raises(ConfigError, match="'glucse' is not a numeric or categorical input column. Did you mean "
                                          "'glucose'"):
        imputer(numeric=["glucose"], missing_columns={"glucse": "knn"}).fit(pd.DataFrame({"glucose": [1.0]}))
    with pytest.raises(ConfigError, match="'median' is for numeric columns and 'color' is categorical"):
        imputer(numeric=[], categorical=["color"], missing_columns={"color": "median"}).fit(
            pd.DataFrame({"color": ["red"]}))
    with pytest.raises(ConfigError, match="fill_value"):
        imputer(missing="constant", fill_value="none").fit(pd.DataFrame({"x": [1.0]}))


def test_unfitted_imputer_says_which_call_to_make():
    with pytest.raises(NotFittedError, match=r"call MissingValueImputer.fit\(...\)"):
        imputer().transform(pd.DataFrame({"x": [1.0]}))
