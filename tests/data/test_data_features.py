"""FeatureEncoder: standardized numbers and category ids, unseen and missing values at id 0."""

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.data.features import FAR, FeatureEncoder
from trainwright.errors import NotFittedError

TRAIN = pd.DataFrame({"age": [20.0, 30.0, 40.0, 50.0], "city": ["Lyon", "Paris", "Paris", 3], "code": [1, 2, 2, 2]})


def test_numbers_are_standardized_with_training_statistics():
    encoder = FeatureEncoder(["age"], []).fit(TRAIN)
    numeric, categorical = encoder.transform(pd.DataFrame({"age": [35.0, 20.0, None]}))
    std = np.std([20, 30, 40, 50])
    np.testing.assert_allclose(numeric[:, 0], [0.0, -15 / std, 0.0], rtol=1e-6)  # missing -> the mean
    assert categorical.shape == (3, 0)


def test_a_few_huge_values_do_not_squash_the_rest():
    rng = np.random.default_rng(0)
    hours = np.concatenate([rng.normal(40, 10, 990), [99999.0] * 10])  # a top-code kept by cleaning
    encoder = FeatureEncoder(["hours"], []).fit(pd.DataFrame({"hours": hours}))
    numeric, _ = encoder.transform(pd.DataFrame({"hours": hours}))
    assert 0.8 < numeric[:990, 0].std() < 1.2  # the real hours keep a unit spread
    assert (numeric[990:, 0] == FAR).all()  # 10,000 robust standard deviations out: clipped


def test_a_column_half_imputed_with_its_median_keeps_a_unit_spread():
    rng = np.random.default_rng(0)
    insulin = np.concatenate([rng.normal(150, 80, 550), [125.0] * 450])  # like Pima's: its zeros imputed
    encoder = FeatureEncoder(["insulin"], []).fit(pd.DataFrame({"insulin": insulin}))
    numeric, _ = encoder.transform(pd.DataFrame({"insulin": insulin}))
    assert numeric[:, 0].std() == pytest.approx(1.0, abs=1e-3)  # its tiny IQR would spread it to ±50
    assert np.abs(numeric[:, 0]).max() < 6


def test_a_column_of_mostly_one_value_is_scaled_by_its_standard_deviation():
    values = [0.0] * 95 + [5000.0] * 5  # capital gains: mostly 0, and the real gains all count
    encoder = FeatureEncoder(["gain"], []).fit(pd.DataFrame({"gain": values}))
    assert encoder.mean_ == pytest.approx([250.0]) and encoder.std_ == pytest.approx([np.std(values)])


def test_categories_are_numbered_by_frequency_and_unseen_is_zero():
    encoder = FeatureEncoder([], ["city", "code"]).fit(TRAIN)
    assert encoder.categories_["city"] == ["Paris", "Lyon", "3"]
    assert encoder.cardinalities == [4, 3]
    _, ids = encoder.transform(pd.DataFrame({"city": ["Paris", "Berlin", None, "3"], "code": [2.0, 1, 7, "1"]}))
    assert ids.tolist() == [[1, 1], [0, 2], [0, 0], [3, 2]]  # 2.0, 2 and "2" are one category


def test_round_trip_through_json_is_identical():
    encoder = FeatureEncoder(["age"], ["city"]).fit(TRAIN)
    restored = FeatureEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    for a, b in zip(encoder.transform(TRAIN), restored.transform(TRAIN)):
        np.testing.assert_array_equal(a, b)


def test_unfitted_encoder_says_to_fit():
    with pytest.raises(NotFittedError, match=r"call FeatureEncoder\.fit"):
        FeatureEncoder(["age"], []).transform(TRAIN)
