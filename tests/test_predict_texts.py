"""The list path of a text-only model: texts (or records of them) are cleaned, joined and tokenized as plain
lists, no table built. Each stage's list transform gives what its table transform gives, and Predictor's
predictions are those of the table path, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_reviews, shared_data
from hypothesis import given, settings
from hypothesis import strategies as st

import trainwright
from trainwright.clean import Cleaner, CleaningConfig, MissingMarker, TextCleaningConfig, TextNormalizer
from trainwright.data.examples import join_text, join_texts
from trainwright.data.missing import MISSING_TOKENS, is_placeholder, standardize_missing
from trainwright.errors import DataError
from trainwright.preprocessing import Preprocessing

# Texts each stage treats specially: placeholders in any case and padding, the letters that lowercase
# differently in pyarrow, HTML, addresses, numbers, full-width characters, Chinese, odd whitespace.
TRICKY = ["?", " NA ", "n/a", "N.A.", "\tnull\n", "None", "Unknown", "#N/A", "--", "", "   ", "mİssing", "İ",
          "\x1cNA\x1f", "\u3000nil\u3000", "nan", "NaN", "na na", "missing value", "<b>great</b> &amp; fine",
          "mail me@example.com or www.example.com/x?y=1.", "3.5 stars, 1,000 times", "ｆｕｌｌ ｗｉｄｔｈ",
          "很好吃，送餐也快", "  spaced   out  ", "a\u00a0b", "ǅemal", "K", None]
texts = st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(TRICKY),
                           st.sampled_from(sorted(MISSING_TOKENS)).map(str.upper)), min_size=1, max_size=8)


def as_list(values) -> list:
    """A column's values with every missing one as None, to compare a table's NaN with a list's None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


def text_cleaner(config: CleaningConfig | None = None, columns=("title", "body")) -> Cleaner:
    frame = pd.DataFrame({"title": ["a film", "?", "<i>fine</i>"] * 4, "body": ["ok", "10 out of 10", None] * 4,
                          "label": ["pos", "neg", "pos"] * 4})
    return Cleaner(config, text=list(columns), target="label").fit(frame[[*columns, "label"]])


# -- each stage --------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(texts)
def test_placeholder_test_is_standardize_missings(values):
    table = standardize_missing(pd.DataFrame({"t": values}))["t"]
    assert [v is None or is_placeholder(v) for v in values] == table.isna().tolist()


@pytest.mark.parametrize("sentinels", [True, False])
def test_marker_lists_match_its_tables(sentinels):
    marker = MissingMarker(sentinels=sentinels).fit(pd.DataFrame({"t": TRICKY}))
    assert marker.transform_texts(TRICKY) == as_list(marker.transform(pd.DataFrame({"t": TRICKY}))["t"])


@pytest.mark.parametrize("config", [TextCleaningConfig(), TextCleaningConfig(numbers=True, html=False)])
def test_normalizer_lists_match_its_series(config):
    normalizer = TextNormalizer(config).fit()
    assert normalizer.transform(TRICKY) == normalizer.transform(pd.Series(TRICKY)).tolist()


@pytest.mark.parametrize("columns", [["a"], ["a", "b"]])
def test_join_texts_matches_join_text(columns):
    values = {"a": TRICKY, "b": TRICKY[::-1]}
    frame = pd.DataFrame({c: values[c] for c in columns})
    assert join_texts([values[c] for c in columns]) == join_text(frame, columns, "test")


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from([None, CleaningConfig(sentinels=False),
                               CleaningConfig(text=TextCleaningConfig(numbers=True, whitespace=False))]))
def test_cleaner_lists_match_its_tables(values, config):
    cleaner = text_cleaner(config)
    columns = {"title": values, "body": values[::-1]}
    table = cleaner.transform(pd.DataFrame(columns), "test")
    assert cleaner.transform_texts(columns) == {c: table[c].tolist() for c in columns}


def test_cleaner_with_table_columns_refuses_lists():
    frame = pd.DataFrame({"note": ["a", "b"] * 6, "age": range(12), "label": ["x", "y"] * 6})
    cleaner = Cleaner(numeric=["age"], text=["note"], target="label").fit(frame)
    with pytest.raises(TypeError, match="use transform"):
        cleaner.transform_texts({"note": ["a"]})


def test_preprocessing_encodes_lists_as_tables(tiny_text_model):
    preprocessing = trainwright.load(tiny_text_model).preprocessing
    assert preprocessing.text_only
    values = TRICKY + ["Great kettle, works perfectly.", "Awful. Stopped working."]
    by_list = preprocessing.encode_texts({"review": values})
    by_table = preprocessing.encode(pd.DataFrame({"review": values}))
    assert len(by_list) == len(by_table)
    assert all(np.array_equal(a, b) for a, b in zip(by_list.sequences, by_table.sequences))


def test_a_model_with_table_columns_is_not_text_only(tiny_model):
    assert not trainwright.load(tiny_model).preprocessing.text_only


# -- Predictor ---------------------------------------------------------------------------------------------


def no_tables(monkeypatch):
    """Make the table path fail, so that a prediction that succeeds went through the list path."""
    def fail(*args, **kwargs):
        raise AssertionError("the table path was taken")
    monkeypatch.setattr(Preprocessing, "encode", fail)


def assert_same(a, b):
    assert a.labels == b.labels and a.classes == b.classes
    assert np.array_equal(a.probabilities, b.probabilities)


def test_texts_and_records_take_the_list_path(tiny_text_model, monkeypatch):
    predictor = trainwright.load(tiny_text_model)
    values = TRICKY + ["Great kettle, works perfectly."]
    expected = predictor.predict(pd.DataFrame({"review": values}))
    lone = {"review": None}, {"review": "  N/A "}, {"review": "İ"}  # one-row tables infer their own dtypes
    expected_lone = [predictor.predict(pd.DataFrame([record])) for record in lone]
    no_tables(monkeypatch)
    assert_same(predictor.predict(values), expected)
    for record, single in zip(lone, expected_lone):
        assert_same(predictor.predict(record), single)
    assert_same(predictor.predict([{"review": v, "other": 1} for v in values]), expected)
    assert_same(predictor.predict(iter(values)), expected)  # any iterable, read once
    assert predictor.predict("Great kettle.").labels == predictor.predict(["Great kettle."]).labels


def test_other_inputs_take_the_table_path_with_its_results_and_messages(tiny_text_model, tiny_model):
    predictor = trainwright.load(tiny_text_model)
    # Not strings: read as the table reads them.
    records = [{"review": 5}, {"review": 2.5}, {"review": "?"}]
    assert_same(predictor.predict(records), predictor.predict(pd.DataFrame(records)))
    assert_same(predictor.predict([1234]), predictor.predict(["1234"]))
    # A record without the text column: missing there, or an error naming the column when no record has it.
    assert_same(predictor.predict([{"review": "great"}, {}]), predictor.predict(["great", ""]))
    with pytest.raises(DataError, match="review"):
        predictor.predict([{"text": "great"}])
    # A model with table columns takes plain strings as its text, its table columns missing, as before.
    table_model = trainwright.load(tiny_model)
    assert_same(table_model.predict(["Great kettle."]),
                table_model.predict(pd.DataFrame({"review": ["Great kettle."], "stars": [np.nan]})))


def test_several_text_columns_take_the_list_path_as_records(tmp_path, tiny_config, monkeypatch):
    table = make_reviews(80)[["review", "label"]]
    table.insert(0, "title", [f"Title {i}: " + r.split()[-1] for i, r in enumerate(table["review"])])
    table.to_csv(tmp_path / "reviews.csv", index=False)
    config = tiny_config.model_copy(deep=True)
    config.model.name, config.train.epochs, config.data.text = "lstm", 1, ["title", "review"]
    trainwright.train(tmp_path / "reviews.csv", out=tmp_path / "model", config=config)
    predictor = trainwright.load(tmp_path / "model")
    assert predictor.text_columns == ["title", "review"] and predictor.preprocessing.text_only
    records = [{"title": t, "review": r} for t, r in zip(TRICKY, TRICKY[::-1])] + [{"title": None, "review": "?"}]
    expected = predictor.predict(pd.DataFrame(records))
    with pytest.raises(DataError, match="pass records"):
        predictor.predict(["plain strings are not enough"])
    no_tables(monkeypatch)
    assert_same(predictor.predict(records), expected)


# -- real data --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sst2_model(tmp_path_factory, tiny_config):
    """A small seed LSTM trained for one epoch on SST-2: a few seconds, and a real vocabulary."""
    config = tiny_config.model_copy(deep=True)
    config.model.name, config.train.epochs = "lstm", 1
    out = tmp_path_factory.mktemp("sst2") / "lstm"
    trainwright.train(shared_data("text", "sst2", "train.csv"), out=out, config=config)
    return trainwright.load(out)


def test_sst2_test_set_predictions_are_the_tables_bit_for_bit(sst2_model, monkeypatch):
    texts = pd.read_csv(shared_data("text", "sst2", "test.csv"))["text"].tolist() + TRICKY
    expected = sst2_model.predict(pd.DataFrame({"text": texts}))
    # One text a call, as the server's lone clients send them (a batch of one pads nothing).
    singles = [sst2_model.predict(pd.DataFrame({"text": [t]})) for t in texts[:40]]
    no_tables(monkeypatch)
    assert_same(sst2_model.predict(texts), expected)
    assert_same(sst2_model.predict([{"text": t} for t in texts]), expected)
    for text, single in zip(texts, singles):
        assert_same(sst2_model.predict(text), single)
