"""OutlierHandler: fences by IQR and robust z-score; clip, drop (training only), as_missing, keep."""

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.clean import CleaningConfig, OutlierHandler

# 1..20 and one wild value: Q1 = 5.75, Q3 = 15.25 (numpy's linear percentiles over 21 values 1..20, 500).
VALUES = [float(v) for v in range(1, 21)] + [500.0]


def handler(**config) -> OutlierHandler:
    """Clipping unless told otherwise: the fences are what these tests check (the default keeps outliers)."""
    return OutlierHandler(CleaningConfig(**{"outliers": "clip", **config}), columns=["x"])


def test_iqr_fences_use_the_factor():
    q1, q3 = np.percentile(VALUES, [25, 75])
    stage = handler().fit(pd.DataFrame({"x": VALUES}))
    assert stage.bounds_["x"] == pytest.approx((q1 - 3 * (q3 - q1), q3 + 3 * (q3 - q1)))
    wider = handler(outlier_factor=100).fit(pd.DataFrame({"x": VALUES}))
    assert wider.bounds_["x"][1] == pytest.approx(q3 + 100 * (q3 - q1))


def test_zscore_fences_are_median_plus_minus_mad():
    median = np.median(VALUES)
    mad = np.median(np.abs(np.array(VALUES) - median))
    stage = handler(outlier_method="zscore").fit(pd.DataFrame({"x": VALUES}))
    assert stage.bounds_["x"] == pytest.approx((median - 3.5 * mad / 0.6745, median + 3.5 * mad / 0.6745))


def test_clip_clips_training_and_new_rows():
    stage = handler()
    out = stage.fit_resample(pd.DataFrame({"x": VALUES}))
    high = stage.bounds_["x"][1]
    assert len(out) == 21 and out["x"].iloc[-1] == high and out["x"].iloc[:20].tolist() == VALUES[:20]
    assert stage.counts_ == {"x": (0, 1)}
    assert stage.transform(pd.DataFrame({"x": [-1000.0, 7.0]}))["x"].tolist() == [stage.bounds_["x"][0], 7.0]


def test_drop_drops_training_rows_but_clips_prediction_rows():
    stage = handler(outliers="drop")
    out = stage.fit_resample(pd.DataFrame({"x": VALUES}))
    assert out.index.tolist() == list(range(20)) and stage.rows_dropped_ == 1
    replay = stage.transform(pd.DataFrame({"x": [500.0, 3.0]}))
    assert len(replay) == 2 and replay["x"].tolist() == [stage.bounds_["x"][1], 3.0]


def test_as_missing_sets_outliers_to_nan():
    stage = handler(outliers="as_missing")
    out = stage.fit_resample(pd.DataFrame({"x": VALUES}))
    assert np.isnan(out["x"].iloc[-1]) and out["x"].iloc[:20].tolist() == VALUES[:20]


def test_keep_changes_nothing():
    stage = handler(outliers="keep")
    assert stage.fit_resample(pd.DataFrame({"x": VALUES}))["x"].tolist() == VALUES and stage.bounds_ == {}


def test_a_column_of_mostly_one_value_gets_no_fences():
    values = [0.0] * 30 + [1.0, 5.0]  # IQR and MAD are 0: every non-zero would be an "outlier"
    for method in ("iqr", "zscore"):
        assert handler(outlier_method=method).fit(pd.DataFrame({"x": values})).bounds_ == {}


def test_missing_values_stay_missing_and_roundtrip_is_exact():
    frame = pd.DataFrame({"x": VALUES + [np.nan]})
    stage = handler().fit(frame)
    loaded = OutlierHandler.from_dict(json.loads(json.dumps(stage.to_dict())))
    pd.testing.assert_frame_equal(stage.transform(frame), loaded.transform(frame), check_exact=True)
    assert np.isnan(loaded.transform(frame)["x"].iloc[-1])
