"""CleaningConfig: the defaults, and unknown keys and bad values rejected by pydantic."""

import pytest
from pydantic import ValidationError

import trainwright.clean
from trainwright.clean import CleaningConfig


def test_public_names_are_pinned():
    assert sorted(trainwright.clean.__all__) == sorted([
        "Cleaner", "CleaningConfig", "MissingMarker", "MissingValueImputer", "OutlierHandler", "RowCleaner",
        "TextCleaningConfig", "TextNormalizer",
    ])
    for name in trainwright.clean.__all__:
        assert hasattr(trainwright.clean, name), name


def test_defaults():
    cfg = CleaningConfig()
    assert (cfg.missing, cfg.missing_categorical, cfg.missing_indicator, cfg.knn_neighbors) == (
        "median", "constant", False, 5)
    assert cfg.sentinels is True and cfg.missing_columns == {} and cfg.fill_value is None
    assert (cfg.outliers, cfg.outlier_method, cfg.outlier_factor) == ("keep", "iqr", None)
    assert (cfg.duplicates, cfg.conflicts) == ("drop", "majority")
    assert cfg.text.model_dump() == {"nfkc": True, "html": True, "urls": True, "emails": True, "numbers": False,
                                     "whitespace": True}


def test_values_from_yaml_like_dicts():
    cfg = CleaningConfig.model_validate({"missing": "knn", "missing_columns": {"insulin": "iterative"},
                                         "missing_indicator": True, "text": {"numbers": True}})
    assert cfg.missing_columns == {"insulin": "iterative"} and cfg.missing_indicator is True and cfg.text.numbers


@pytest.mark.parametrize("raw, key", [
    ({"missng": "mean"}, "missng"),
    ({"text": {"lowercase": True}}, "lowercase"),
])
def test_unknown_keys_are_rejected(raw, key):
    with pytest.raises(ValidationError, match="Extra inputs are not permitted") as err:
        CleaningConfig.model_validate(raw)
    assert key in str(err.value)


@pytest.mark.parametrize("raw", [
    {"missing": "average"}, {"missing_categorical": "median"}, {"missing_columns": {"x": "magic"}},
    {"outliers": "remove"}, {"outlier_factor": 0}, {"knn_neighbors": 0}, {"missing_indicator": "sometimes"},
    {"conflicts": "vote"},
])
def test_bad_values_are_rejected(raw):
    with pytest.raises(ValidationError):
        CleaningConfig.model_validate(raw)
