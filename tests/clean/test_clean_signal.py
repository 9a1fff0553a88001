"""Cleaning never destroys signal: top-codes and sentinels whose rows carry signal are kept, real variation in a
column is not clipped by default, and clipping, dropping and outliers-as-missing stay available."""

import numpy as np
import pandas as pd
import pytest

from trainwright.clean import Cleaner, CleaningConfig
from trainwright.data.missing import KEPT_SIGNAL, KEPT_TOP_CODE, judge_sentinels

COLUMNS = dict(numeric=["age", "capital_gain", "hours_per_week", "weeks_unemployed"], target="income")


def census(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Census-like: capital_gain mostly 0, some real gains and 30 rows at the top-code 99,999, all in the rare
    class; hours_per_week peaked at 40 with real part-time and long hours; weeks_unemployed 0-52 with 25 rows
    of 999 (a code, yet every one of them in the rare class)."""
    rng = np.random.default_rng(seed)
    income = np.where(rng.random(n) < 0.25, ">50K", "<=50K").astype(object)
    gain = np.zeros(n)
    some = rng.choice(n, 80, replace=False)
    gain[some] = rng.lognormal(8.5, 0.9, 80).clip(100, 41310).round()
    hours = np.where(rng.random(n) < 0.4, 40.0, rng.normal(44, 8, n).round().clip(1, 99))
    hours[:20] = rng.integers(2, 20, 20)  # part-time
    hours[20:40] = rng.integers(65, 99, 20)  # long hours
    weeks = rng.integers(0, 53, n).astype(float)
    rare = np.flatnonzero(income == ">50K")
    gain[rare[:30]] = 99999
    weeks[rare[30:55]] = 999
    age = rng.uniform(17, 90, n).round(4)  # makes every row's inputs unique: no duplicates to drop
    return pd.DataFrame({"age": age, "capital_gain": gain, "hours_per_week": hours, "weeks_unemployed": weeks,
                         "income": income})


def test_a_top_code_shared_by_many_rows_is_kept_without_labels():
    frame = census()
    assert judge_sentinels(frame["capital_gain"]) == {99999.0: KEPT_TOP_CODE}
    assert judge_sentinels(frame["weeks_unemployed"]) == {999.0: None}  # far beyond 0-52: a code for missing


def test_a_sentinel_whose_rows_carry_signal_is_kept_with_the_labels():
    frame = census()
    assert judge_sentinels(frame["weeks_unemployed"], frame["income"]) == {999.0: KEPT_SIGNAL}
    shuffled = frame["income"].sample(frac=1, random_state=1).reset_index(drop=True)
    assert judge_sentinels(frame["weeks_unemployed"], shuffled) == {999.0: None}  # no signal: missing


def test_a_regression_target_weighs_sentinels_by_its_values():
    frame = census()
    target = pd.Series(np.where(frame["weeks_unemployed"] == 999, 5.0, 1.0)
                       + np.random.default_rng(2).normal(0, 1, len(frame)))
    assert judge_sentinels(frame["weeks_unemployed"], target) == {999.0: KEPT_SIGNAL}


def test_default_cleaning_keeps_top_codes_signal_and_real_hours():
    frame = census()
    cleaner = Cleaner(CleaningConfig(), **COLUMNS)
    cleaned, summary = cleaner.fit_resample(frame, "census.csv"), cleaner.summary_
    assert (cleaned["capital_gain"] == 99999).sum() == 30  # not imputed with the median 0
    assert (cleaned["weeks_unemployed"] == 999).sum() == 25
    pd.testing.assert_series_equal(cleaned["hours_per_week"], frame["hours_per_week"])  # nothing clipped
    assert ("capital_gain: 30 values of 99,999: suspected sentinel, kept: a top-code: many rows share the "
            "column's maximum") in summary
    assert "weeks_unemployed: 25 values of 999: suspected sentinel, kept: its rows carry signal" in summary
    assert not any("clipped" in line or "treated as missing" in line for line in summary)


@pytest.mark.parametrize("outliers", ["clip", "drop", "as_missing"])
def test_outlier_choices_still_act_when_asked(outliers):
    frame = census()
    cleaner = Cleaner(CleaningConfig(outliers=outliers), **COLUMNS)
    cleaned, summary = cleaner.fit_resample(frame, "census.csv"), cleaner.summary_
    low, high = cleaner.outliers_.bounds_["hours_per_week"]
    outside = (frame["hours_per_week"] < low) | (frame["hours_per_week"] > high)
    assert outside.sum() >= 40  # the part-time and long hours, by 3 x IQR fences around 40
    if outliers == "clip":
        assert cleaned["hours_per_week"].between(low, high).all()
    elif outliers == "drop":
        assert len(cleaned) <= len(frame) - outside.sum()
    else:
        assert cleaned["hours_per_week"][outside].eq(cleaner.imputer_.fill_["hours_per_week"]).all()
    assert any(line.startswith("hours_per_week") or "with outliers dropped" in line for line in summary)
