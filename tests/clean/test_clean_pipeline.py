"""Cleaner: the routed pipeline fitted on a training table, saved as JSON and replayed identically."""

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.clean import Cleaner, CleaningConfig
from trainwright.errors import DataError, NotFittedError

COLUMNS = dict(numeric=["glucose", "bmi"], categorical=["color"], text=["note"], target="label")


def training_table(n: int = 60) -> pd.DataFrame:
    """Glucose with disguised zeros and a `?`, a wild bmi, categories with gaps, HTML notes, duplicates."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "id": np.arange(n),
        "glucose": rng.normal(120, 20, n).round(),
        "bmi": rng.normal(30, 4, n).round(1),
        "color": rng.choice(["red", "blue", "green"], n),
        "note": [f"<b>visit</b> {i} &amp; more" for i in range(n)],
        "label": rng.choice(["yes", "no"], n),
    })
    frame["glucose"] = frame["glucose"].astype(object)
    frame.loc[[3, 9, 27], "glucose"] = 0.0
    frame.loc[[5], "glucose"] = "?"
    frame.loc[[7], "bmi"] = 400.0
    frame.loc[[2, 11, 12, 40], "color"] = np.nan
    frame.loc[[20], "note"] = None
    return pd.concat([frame, frame.iloc[[1, 2]]], ignore_index=True)  # two exact duplicates


def new_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [900, 901, 902, 903],
        "glucose": [0, "NA", 140, None],
        "bmi": [None, 1000.0, 28.5, "n/a"],
        "color": ["purple", None, "red", "?"],
        "note": ["Visit https://x.org", None, "ｆｕｌｌ", "<p>hi</p>"],
    })


def fitted(**config) -> Cleaner:
    cleaner = Cleaner(CleaningConfig(**config), **COLUMNS)
    cleaner.fit(training_table(), "train.csv")
    return cleaner


def test_fit_resample_cleans_every_routed_column():
    cleaner = Cleaner(CleaningConfig(missing_indicator="auto", outliers="clip"), **COLUMNS)
    cleaned, summary = cleaner.fit_resample(training_table(), "train.csv"), cleaner.summary_
    assert len(cleaned) == 60 and cleaned.index.tolist() == list(range(60))  # the duplicates (60, 61) gone
    assert not cleaned[["glucose", "bmi", "color"]].isna().any().any()
    median = cleaner.imputer_.fill_["glucose"]
    assert cleaned.loc[[3, 5, 9, 27], "glucose"].tolist() == [median] * 4  # zeros and `?` imputed
    assert cleaned.loc[7, "bmi"] == cleaner.outliers_.bounds_["bmi"][1]  # clipped
    assert cleaned.loc[2, "color"] == "__missing__" and cleaned.loc[0, "note"] == "visit 0 & more"
    assert cleaned.loc[20, "note"] == "" and cleaned["id"].tolist() == list(range(60))  # passed through
    assert cleaner.feature_columns_ == ["glucose", "bmi", "glucose__missing"]
    assert cleaner.categorical_columns_ == ["color"]
    assert "2 duplicate rows dropped" in summary
    assert "glucose: 3 zeros treated as missing, imputed with the median " + f"{median:g}" in summary
    assert f"bmi: 1 value above {cleaner.outliers_.bounds_['bmi'][1]:.4g} clipped" in summary
    assert "note: text normalized (HTML, Unicode NFKC, URLs, e-mails, whitespace), 59 of 60 values changed" in summary


@pytest.mark.parametrize("missing", ["median", "knn", "iterative", "ffill", "interpolate", "drop_row"])
@pytest.mark.parametrize("outliers", ["clip", "drop", "as_missing"])
def test_saved_cleaner_replays_identically(missing, outliers):
    cleaner = fitted(missing=missing, outliers=outliers, missing_indicator=True)
    state = json.loads(json.dumps(cleaner.to_dict(), allow_nan=False))
    loaded = Cleaner.from_dict(state)
    for frame in (new_rows(), training_table()):
        pd.testing.assert_frame_equal(cleaner.transform(frame), loaded.transform(frame), check_exact=True)
    assert loaded.feature_columns_ == cleaner.feature_columns_ and loaded.summary_ == cleaner.summary_


@pytest.mark.parametrize("missing", ["median", "mean", "constant", "knn", "iterative", "ffill", "bfill",
                                     "interpolate", "drop_row", "most_frequent"])
def test_a_row_of_missing_values_gets_finite_features(missing):
    cleaner = fitted(missing=missing, missing_categorical="most_frequent")
    row = pd.DataFrame([{"glucose": "?", "bmi": None, "color": "", "note": None}])
    out = cleaner.transform(row)
    assert np.isfinite(out[cleaner.feature_columns_].to_numpy(dtype=float)).all()
    assert out["color"].tolist() == [cleaner.imputer_.fill_["color"]] and out["note"].tolist() == [""]


def test_replay_keeps_every_row_in_order():
    cleaner = fitted(outliers="drop", missing_columns={"glucose": "drop_row"})
    frame = new_rows().set_index(pd.Index([10, 5, 7, 1]))
    out = cleaner.transform(frame)
    assert out.index.tolist() == [10, 5, 7, 1] and out["id"].tolist() == [900, 901, 902, 903]
    high = cleaner.outliers_.bounds_["bmi"][1]
    assert out["bmi"].iloc[1] == high  # clipped, not dropped
    glucose = cleaner.imputer_.fill_["glucose"]
    assert out["glucose"].tolist() == [glucose, glucose, 140.0, glucose]  # 0 is the training sentinel
    assert out["color"].tolist() == ["purple", "__missing__", "red", "__missing__"]
    assert out["note"].tolist() == ["Visit [URL]", "", "full", "hi"]


def test_target_is_not_needed_to_replay_and_placeholders_in_it_become_missing():
    cleaner = fitted()
    assert "label" not in cleaner.transform(new_rows())
    labeled = new_rows().assign(label=["yes", "?", "no", "N/A"])
    assert cleaner.transform(labeled)["label"].isna().tolist() == [False, True, False, True]


def test_conflicting_labels_are_resolved_for_classification_only():
    frame = pd.DataFrame({"x": [1.0, 1.0, 1.0, 2.0, 3.0], "y": [0.5, 0.5, 1.7, 2.0, 3.1]})
    summary = Cleaner(CleaningConfig(), numeric=["x"], target="y", task="multiclass").fit(frame).summary_
    assert "1 input with conflicting labels: kept the majority label (1); 1 row dropped" in summary
    cleaned = Cleaner(CleaningConfig(duplicates="keep"), numeric=["x"], target="y").fit_resample(frame)
    assert len(cleaned) == 5  # a numeric target with fractions: a regression, nothing to vote on


def test_bad_columns_are_data_errors():
    with pytest.raises(DataError, match="no column named 'glucos'. Did you mean 'glucose'"):
        Cleaner(CleaningConfig(), numeric=["glucos"]).fit(training_table(), "train.csv")
    with pytest.raises(DataError, match="'bmi' is given two roles"):
        Cleaner(CleaningConfig(), numeric=["bmi"], categorical=["bmi"]).fit(training_table())
    with pytest.raises(DataError, match="predict.csv: no column named 'color'"):
        fitted().transform(new_rows().drop(columns="color"), "predict.csv")


def test_unfitted_cleaner_says_which_call_to_make():
    with pytest.raises(NotFittedError, match=r"call Cleaner.fit\(...\)"):
        Cleaner(CleaningConfig(), **COLUMNS).transform(new_rows())


def test_sentinels_off_keeps_placeholders_and_zeros():
    cleaner = Cleaner(CleaningConfig(sentinels=False, outliers="keep"), **COLUMNS)
    cleaned, summary = cleaner.fit_resample(training_table()), cleaner.summary_
    assert cleaner.marker_.sentinels_ == {} and (cleaned.loc[[3, 9, 27], "glucose"] == 0).all()
    assert "glucose: 1 value that is not a number treated as missing" in summary  # the `?`
    assert cleaner.transform(new_rows().assign(color="?"))["color"].tolist() == ["?"] * 4
