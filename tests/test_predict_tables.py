"""The list path of a table model: a few records are cleaned and encoded as plain per-column lists and arrays,
no table built. Each stage's list transform gives what its table transform gives, Predictor's predictions are
those of the table path bit for bit, and whatever the list path cannot read as a table would goes the table way."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data

import trainwright
from trainwright.clean import Cleaner, CleaningConfig
from trainwright.clean._values import as_categories, as_numbers, categories_of, numbers_of
from trainwright.data.features import FeatureEncoder
from trainwright.errors import DataError
from trainwright.predictor import LIST_PATH_ROWS
from trainwright.preprocessing import Preprocessing

# Values a column may hold in a request, and that the list path reads itself (the others go the table way).
NUMBERS = [None, 0, -0.0, 3, 2.5, float("nan"), float("inf"), "?", "148", "38.50", "-1e3", ".5", "5.", "00000",
           2**53]
CATEGORIES = [None, "1", 1, 1.0, " 1 ", "2208", "02208", "yes", "YES", "?", "NA", "", float("nan"), 2.5, "1e5",
              "unseen", "İ"]
UNREAD = [True, np.int64(3), 2**60, " 5", "1_000", "inf", "abc", [1], {"a": 1}, pd.NA]


def records_of(path, typed: bool) -> list[dict]:
    """A file's rows as records: every value a string as written (`?` and `00000` too), or as pandas types it
    (numbers, with None for an empty or `?` cell read as NaN)."""
    if not typed:
        return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    frame = pd.read_csv(path)
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def table_path(predictor, records) -> np.ndarray:
    """What `predict` does with records without the list path: a table of them, cleaned and encoded."""
    return predictor.outputs(predictor.frame(records))


def count_tables(monkeypatch) -> list:
    """Record each table `Preprocessing.encode` builds, so a test can say which path a prediction took."""
    calls, encode = [], Preprocessing.encode
    def counted(self, frame, *args, **kwargs):
        calls.append(len(frame))
        return encode(self, frame, *args, **kwargs)
    monkeypatch.setattr(Preprocessing, "encode", counted)
    return calls


def fit_cleaner(path, config: CleaningConfig | None = None) -> tuple[Cleaner, pd.DataFrame]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    numeric = ["rectal_temperature", "pulse", "respiratory_rate", "packed_cell_volume", "total_protein"]
    categorical = ["surgery", "age", "pain", "abdomen", "lesion_type"]
    if "glucose" in frame:
        numeric, categorical = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "bmi"], []
    cleaner = Cleaner(config, numeric=numeric, categorical=categorical, target="outcome")
    return cleaner.fit(frame), frame.drop(columns="outcome")


def assert_same_columns(cleaner: Cleaner, listed: dict, table: pd.DataFrame):
    for column in cleaner.feature_columns_:
        assert np.array_equal(listed[column], table[column].to_numpy(dtype="float64"), equal_nan=True), column
    for column in cleaner.categorical:
        assert listed[column] == table[column].tolist(), column


# -- each stage --------------------------------------------------------------------------------------------


def test_numbers_of_is_as_numbers():
    expected = as_numbers(pd.Series([None if v == "?" else v for v in NUMBERS], dtype=object)).to_numpy()
    assert np.array_equal(numbers_of([None if v == "?" else v for v in NUMBERS]), expected, equal_nan=True)
    for value in UNREAD:
        assert numbers_of([1, value]) is None, value


def test_categories_of_is_as_categories():
    expected = as_categories(pd.Series(CATEGORIES, dtype=object))
    assert categories_of(CATEGORIES) == [None if isinstance(k, float) else k for k in expected]
    for value in [True, np.int64(3), 2**60, [1], pd.NA]:
        assert categories_of(["a", value]) is None, value


@pytest.mark.parametrize("config", [
    None,
    CleaningConfig(missing="knn", missing_indicator=True, outliers="clip"),
    CleaningConfig(missing="iterative", outliers="as_missing", outlier_method="zscore"),
    CleaningConfig(missing="interpolate", missing_categorical="most_frequent", missing_indicator="auto"),
    CleaningConfig(missing="ffill", missing_categorical="drop_row", outliers="drop"),
    CleaningConfig(missing="bfill", sentinels=False),
], ids=["defaults", "knn-clip", "iterative-as-missing", "interpolate", "ffill-drop", "bfill-no-sentinels"])
@pytest.mark.parametrize("name", ["horse-colic.csv", "pima-indians-diabetes.csv"])
def test_cleaner_columns_match_its_tables_on_real_files(name, config):
    cleaner, frame = fit_cleaner(shared_data("tabular", name), config)
    rows = frame.to_dict("records")
    columns = {c: [row[c] for row in rows] for c in cleaner.numeric + cleaner.categorical}
    listed = cleaner.transform_columns(columns)
    if listed is None:  # sentinels off: a `?` left in a numeric column is read by the table path
        assert config.sentinels is False
        return
    assert_same_columns(cleaner, listed, cleaner.transform(frame))
    for row in rows[:40]:  # one row at a time: one-row tables infer their own types
        one = cleaner.transform_columns({c: [row[c]] for c in columns})
        assert_same_columns(cleaner, one, cleaner.transform(pd.DataFrame([row])))


def test_feature_encoder_columns_match_its_tables():
    cleaner, frame = fit_cleaner(shared_data("tabular", "horse-colic.csv"))
    table = cleaner.transform(frame)
    encoder = FeatureEncoder(cleaner.feature_columns_, cleaner.categorical_columns_).fit(table)
    listed = cleaner.transform_columns({c: frame[c].tolist() for c in cleaner.numeric + cleaner.categorical})
    for got, expected in zip(encoder.transform_columns(listed), encoder.transform(table)):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


# -- Predictor on real files -------------------------------------------------------------------------------


def train_table(tmp_path_factory, name: str):
    config = trainwright.build_config(overrides={"data": {"target": "outcome"},
                                                 "train": {"threads": 1, "epochs": 1, "ensemble": 1}})
    out = tmp_path_factory.mktemp("tables") / name
    trainwright.train(shared_data("tabular", name), out=out, config=config)
    return trainwright.load(out)


@pytest.fixture(scope="module")
def horse(tmp_path_factory):
    return train_table(tmp_path_factory, "horse-colic.csv")


@pytest.fixture(scope="module")
def pima(tmp_path_factory):
    return train_table(tmp_path_factory, "pima-indians-diabetes.csv")


@pytest.mark.parametrize("typed", [False, True], ids=["as-written", "typed"])
@pytest.mark.parametrize("model", ["horse", "pima"])
def test_whole_files_predict_as_the_tables_bit_for_bit(model, typed, request, monkeypatch):
    predictor = request.getfixturevalue(model)
    records = records_of(shared_data("tabular", f"{model}-colic.csv" if model == "horse" else
                                     "pima-indians-diabetes.csv"), typed)
    expected_all = table_path(predictor, records)
    expected_one = [table_path(predictor, [record]) for record in records]
    tables = count_tables(monkeypatch)
    assert np.array_equal(predictor.predict(records).probabilities, expected_all)
    for record, expected in zip(records, expected_one):  # one record a call, as the server's lone clients
        assert np.array_equal(predictor.predict(record).probabilities, expected)
    assert tables == []


def test_awkward_records_predict_as_the_tables(pima, horse, monkeypatch):
    records = [
        {},  # every column missing
        {"glucose": 0, "bmi": 0, "insulin": "0", "blood_pressure": "?"},  # disguised zeros, a placeholder
        {"glucose": " NA ", "bmi": None, "age": 50.0, "pregnancies": 2, "patient": "x", "outcome": 1},  # extras
        {"glucose": 1e9, "bmi": -3, "insulin": float("nan"), "age": float("inf")},  # far out, not numbers
        {"glucose": "148", "bmi": "33.6", "age": "50", "pregnancies": "6"},  # numbers as a CSV writes them
    ]
    horse_records = [{"surgery": "3", "age": 9, "pain": "?", "lesion_site": "99999", "lesion_type": "00000",
                      "pulse": "66", "cp_data": 2.0, "abdomen": None}, {"surgery": "yes", "rectal_temperature": 38}]
    expected = table_path(pima, records), table_path(horse, horse_records)
    expected_one = [table_path(pima, [r]) for r in records]
    tables = count_tables(monkeypatch)
    assert np.array_equal(pima.predict(records).probabilities, expected[0])
    assert np.array_equal(horse.predict(horse_records).probabilities, expected[1])
    assert all(np.array_equal(pima.predict(r).probabilities, e) for r, e in zip(records, expected_one))
    assert tables == []


@pytest.mark.parametrize("value", UNREAD, ids=repr)
def test_values_only_a_table_reads_take_the_table_path(pima, value, monkeypatch):
    records = [{"glucose": value, "bmi": 30}, {"glucose": 120, "bmi": 25}]
    try:
        expected = table_path(pima, records)
    except Exception as error:  # the table path refuses it: so must predict, with the same error
        tables = count_tables(monkeypatch)
        with pytest.raises(type(error)):
            pima.predict(records)
        assert tables == [2]
        return
    tables = count_tables(monkeypatch)
    assert np.array_equal(pima.predict(records).probabilities, expected)
    assert tables == [2]


def test_tables_and_many_records_take_the_table_path(pima, monkeypatch):
    records = records_of(shared_data("tabular", "pima-indians-diabetes.csv"), typed=True)
    many = (records * 2)[:LIST_PATH_ROWS + 1]
    tables = count_tables(monkeypatch)
    pima.predict(pd.DataFrame(records[:3]))
    pima.predict(many)
    assert tables == [3, LIST_PATH_ROWS + 1]
    pima.predict(many[:LIST_PATH_ROWS])
    assert len(tables) == 2


def test_a_mixed_model_takes_the_list_path_or_reports_a_missing_text(tiny_model, monkeypatch):
    predictor = trainwright.load(tiny_model)  # a review text and a stars column
    assert not predictor.preprocessing.text_only
    records = [{"review": "Great kettle, works perfectly.", "stars": 5}, {"review": "?", "stars": "?"},
               {"review": None}, {"stars": 1}, {"review": "<b>awful</b>", "stars": 99, "extra": [1]}]
    expected = table_path(predictor, records)
    tables = count_tables(monkeypatch)
    assert np.array_equal(predictor.predict(records).probabilities, expected)
    assert tables == []
    with pytest.raises(DataError, match="review"):  # no record has the text column
        predictor.predict([{"stars": 5}])
    assert np.array_equal(predictor.predict([{"review": 5, "stars": 1}]).probabilities,
                          table_path(predictor, [{"review": 5, "stars": 1}]))  # not a string: the table way
    assert tables == [1, 1]  # the prediction, and table_path


def test_a_number_as_written_predicts_as_the_number_it_states(pima, tmp_path):
    record = {"glucose": 150, "bmi": 31, "pregnancies": 2}
    for column, bound, number in [("age", "65+", 65), ("insulin", "<15", 15), ("glucose", "≥ 199", 199),
                                  ("insulin", "1,250", 1250), ("insulin", "$84.50", 84.5), ("bmi", "33.6%", 33.6)]:
        assert np.array_equal(pima.predict({**record, column: bound}).probabilities,
                              pima.predict({**record, column: number}).probabilities), column
    path = tmp_path / "topcoded.csv"  # the same from a file, whose reader reads the bound
    pd.DataFrame([{**record, "age": "65+"}, {**record, "age": "30"}]).to_csv(path, index=False)
    expected = pima.predict([{**record, "age": 65}, {**record, "age": 30}]).probabilities
    assert np.array_equal(pima.predict(pd.read_csv(path, dtype=str)).probabilities, expected)
