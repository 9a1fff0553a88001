"""Training on a file read in chunks (data.stream): the same model as reading it whole, cleaned texts and token
ids cached on disk and reused by the next run on the same file and settings."""

import json

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.model_config import MLPModel
from trainwright.train import scan as scan_module
from trainwright.train import streamed
from conftest import crash_when_epoch_starts, make_reviews


@pytest.fixture(scope="module")
def messy_reviews(tmp_path_factory):
    """Reviews with what cleaning must settle: repeats, an input with two labels, empty texts, missing labels."""
    frame = make_reviews(600, seed=3).drop(columns=["stars"])
    extra = pd.DataFrame({"review": [frame.review[0], frame.review[1], "Mixed feelings", "Mixed feelings",
                                     "Mixed feelings", "", "  ", "no label here", "<b>Great</b>   kettle"],
                          "label": [frame.label[0], frame.label[1], "pos", "pos", "neg", "pos", "neg", None, "pos"]})
    data = pd.concat([frame.iloc[:300], extra, frame.iloc[300:]], ignore_index=True)
    directory = tmp_path_factory.mktemp("streamed")
    data.to_csv(directory / "reviews.csv", index=False)
    make_reviews(120, seed=9).drop(columns=["stars"]).to_csv(directory / "valid.csv", index=False)
    return directory / "reviews.csv", directory / "valid.csv"


def _config(tiny_config, cache, stream, **data):
    config = tiny_config.model_copy(deep=True)
    config.train.epochs = 3
    config.model.name = "lstm"
    config.data.stream = stream
    config.data.cache_dir = str(cache)
    for key, value in data.items():
        setattr(config.data, key, value)
    return config


@pytest.fixture
def small_chunks(monkeypatch):
    """Several chunks even in a small file, so that chunk boundaries are exercised."""
    monkeypatch.setattr(scan_module, "CHUNK_ROWS", 128)
    monkeypatch.setattr(streamed, "TOKENIZE_ROWS", 100)


def test_streamed_training_equals_reading_the_file_whole(tmp_path, messy_reviews, tiny_config, small_chunks,
                                                         tw_log):
    data, valid = messy_reviews
    whole = trainwright.train(data, valid=valid, out=tmp_path / "whole",
                              config=_config(tiny_config, tmp_path / "cache", False))
    chunked = trainwright.train(data, valid=valid, out=tmp_path / "chunked",
                                config=_config(tiny_config, tmp_path / "cache", True))
    assert "streaming" not in whole.metrics and chunked.metrics["streaming"]["scan"] == "built"
    assert [r["val_loss"] for r in chunked.history] == [r["val_loss"] for r in whole.history]
    assert chunked.metrics["valid"] == whole.metrics["valid"]
    assert chunked.metrics["training"]["n_train"] == whole.metrics["training"]["n_train"]
    # the same rows dropped, counted over the whole file and not per chunk
    assert chunked.metrics["cleaning"][:2] == whole.metrics["cleaning"][:2]
    assert any("duplicate row" in line for line in chunked.metrics["cleaning"])
    assert any("conflicting labels" in line for line in chunked.metrics["cleaning"])
    messages = tw_log.text
    assert "2 rows left out, empty text in 'review' (rows 306, 307" in messages
    assert "1 row left out, missing label in 'label' (row 308" in messages

    texts = ["Great kettle, works perfectly.", "Terrible, stopped working."]
    ours, theirs = trainwright.load(chunked.path).predict(texts), trainwright.load(whole.path).predict(texts)
    assert ours.labels == theirs.labels == ["pos", "neg"]
    assert np.allclose(ours.probabilities, theirs.probabilities, atol=1e-6)
    saved = json.loads((chunked.path / "metrics.json").read_text())
    assert saved["streaming"]["rows_read"] == 609 and saved["streaming"]["token_cache"] == "built"
    assert len(saved["streaming"]["tokenize_chunks_us_per_row"]) == 7  # 606 usable rows, 100 at a time


def test_a_second_run_reuses_the_cache_and_a_change_rebuilds_only_what_depends_on_it(tmp_path, messy_reviews,
                                                                                       tiny_config, tw_log):
    data, valid = messy_reviews
    cache = tmp_path / "cache"
    first = trainwright.train(data, valid=valid, out=tmp_path / "1", config=_config(tiny_config, cache, True))
    again = trainwright.train(data, valid=valid, out=tmp_path / "2", config=_config(tiny_config, cache, True))
    assert again.metrics["streaming"]["scan"] == "reused" and again.metrics["streaming"]["token_cache"] == "reused"
    assert "token ids of 606 rows reused" in tw_log.text
    assert again.metrics["valid"] == first.metrics["valid"]

    other_tokens = _config(tiny_config, cache, True)
    other_tokens.tokenizer.num_words = 50
    third = trainwright.train(data, valid=valid, out=tmp_path / "3", config=other_tokens)
    assert third.metrics["streaming"]["scan"] == "reused" and third.metrics["streaming"]["token_cache"] == "built"
    assert json.loads((third.path / "tokenizer.json").read_text())["model"]["vocab"].__len__() <= 50

    changed = tmp_path / "changed.csv"
    changed.write_text(data.read_text() + "Lovely kettle,pos\n")
    fourth = trainwright.train(changed, valid=valid, out=tmp_path / "4", config=_config(tiny_config, cache, True))
    assert fourth.metrics["streaming"]["scan"] == "built" and fourth.metrics["streaming"]["rows_read"] == 610
    entries = sorted(p.name.split("-")[0] for p in cache.iterdir())
    assert entries == ["scan", "scan", "tokens", "tokens", "tokens"]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_jsonl_and_parquet_stream_to_the_same_model(tmp_path, messy_reviews, tiny_config, small_chunks, suffix):
    data, valid = messy_reviews
    frame = pd.read_csv(data, keep_default_na=False)
    other = tmp_path / f"reviews{suffix}"
    if suffix == ".jsonl":
        frame.to_json(other, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(other)
    csv = trainwright.train(data, valid=valid, out=tmp_path / "csv", config=_config(tiny_config, tmp_path / "c", True))
    run = trainwright.train(other, valid=valid, out=tmp_path / "other",
                            config=_config(tiny_config, tmp_path / "c", True))
    assert run.metrics["streaming"]["rows_read"] == 609
    assert run.metrics["valid"] == csv.metrics["valid"]


def test_streamed_labels_of_any_kind_train_and_case_variants_are_warned_of(tmp_path, messy_reviews, tiny_config,
                                                                            tw_log):
    data, _ = messy_reviews
    frame = pd.read_csv(data, keep_default_na=False)
    numbered, spelled = tmp_path / "numbered.csv", tmp_path / "spelled.csv"
    frame.assign(label=frame.label.map({"pos": 1, "neg": 0})).to_csv(numbered, index=False)
    frame.assign(label=[("POS" if i % 10 == 0 else v) if v == "pos" else v
                        for i, v in enumerate(frame.label)]).to_csv(spelled, index=False)
    run = trainwright.train(numbered, out=tmp_path / "n", config=_config(tiny_config, tmp_path / "c", True))
    assert run.metrics["streaming"]["rows_read"] == 609 and not [r for r in tw_log.records if r.levelname == "WARNING"
                                                                and "differ only in case" in r.getMessage()]
    trainwright.train(spelled, out=tmp_path / "s", config=_config(tiny_config, tmp_path / "c", True))
    assert any("has labels that differ only in case: 'pos'" in r.getMessage() and "'POS'" in r.getMessage()
               for r in tw_log.records if r.levelname == "WARNING")


def test_without_a_valid_file_a_capped_random_share_is_held_out(tmp_path, messy_reviews, tiny_config, monkeypatch):
    data, _ = messy_reviews
    monkeypatch.setattr(streamed, "MAX_VALID", 40)
    monkeypatch.setattr(streamed, "FIT_TEXTS", 100)  # the tokenizer learns from a sample of the training texts
    result = trainwright.train(data, out=tmp_path / "run", config=_config(tiny_config, tmp_path / "cache", True))
    assert result.metrics["valid"]["n"] == 40
    validation = json.loads((result.path / "validation.json").read_text())
    assert len(validation["rows"]) == 40 and all(isinstance(text, str) and text for text in validation["inputs"])
    training = result.metrics["training"]["n_train"]
    # the usable rows less 4 duplicates (2 added, 2 drawn by the generator) and the conflicting input's minority row
    assert "4 duplicate rows dropped" in result.metrics["cleaning"]
    assert training + 40 == 606 - 4 - 1


def test_auto_streams_large_files_only_and_says_when_a_run_cannot_be_streamed(tmp_path, messy_reviews, tiny_config,
                                                                              monkeypatch, tw_log):
    data, valid = messy_reviews
    small = trainwright.train(data, valid=valid, out=tmp_path / "small",
                              config=_config(tiny_config, tmp_path / "cache", "auto"))
    assert "streaming" not in small.metrics
    monkeypatch.setattr(streamed, "MIN_BYTES", 1)
    large = trainwright.train(data, valid=valid, out=tmp_path / "large",
                              config=_config(tiny_config, tmp_path / "cache", "auto"))
    assert large.metrics["streaming"]["rows_read"] == 609

    ensemble = _config(tiny_config, tmp_path / "cache", "auto")
    ensemble.train.ensemble = 3
    assert not streamed.wanted(data, ensemble)
    assert "is large but is read whole: train.ensemble" in tw_log.text

    with_stars = tmp_path / "with-stars.csv"
    make_reviews(60).to_csv(with_stars, index=False)  # a text and a numeric column: model auto picks lstm+mlp
    mixed = _config(tiny_config, tmp_path / "cache", "auto")
    mixed.model.name = "auto"
    assert not streamed.wanted(with_stars, mixed)
    assert "its table columns (stars) go to model lstm+mlp" in tw_log.text
    mixed.model.name = "lstm"  # named: the text is read in chunks and the table column left out, as said
    assert streamed.wanted(with_stars, mixed)

    table = _config(tiny_config, tmp_path / "cache", True)
    table.model = MLPModel()  # a new section: the lstm's sizes set in tiny_config do not apply to mlp
    with pytest.raises(trainwright.ConfigError, match="cannot be read in chunks: model mlp reads table columns.*"
                                                      "--no-stream"):
        streamed.wanted(data, table)
    array = tmp_path / "reviews.json"
    pd.read_csv(data).to_json(array, orient="records")
    with pytest.raises(trainwright.ConfigError, match="only CSV, TSV, JSONL and Parquet"):
        streamed.wanted(array, _config(tiny_config, tmp_path / "cache", True))


def test_a_file_with_no_usable_row_is_a_clear_error(tmp_path, tiny_config):
    empty = tmp_path / "empty.csv"
    pd.DataFrame({"review": ["", " ", "x"], "label": ["pos", "neg", None]}).to_csv(empty, index=False)
    with pytest.raises(trainwright.DataError, match="no row has both text"):
        trainwright.train(empty, out=tmp_path / "run", config=_config(tiny_config, tmp_path / "cache", True,
                                                                        target="label", text=["review"]))
    assert not (tmp_path / "cache").exists() or not any(p.name.startswith("scan") for p in
                                                         (tmp_path / "cache").iterdir())


def test_the_token_ids_on_disk_are_the_tokenizers_own(tmp_path, messy_reviews, tiny_config):
    data, valid = messy_reviews
    result = trainwright.train(data, valid=valid, out=tmp_path / "run",
                               config=_config(tiny_config, tmp_path / "cache", True))
    entry = next((tmp_path / "cache").glob("tokens-*"))
    from trainwright.data.ragged import Ragged

    ids = Ragged.open(entry / "ids", np.int32)
    texts = sum(Ragged.open(next((tmp_path / "cache").glob("scan-*")) / "texts", np.uint8).text_chunks(), [])
    tokenizer = trainwright.load(result.path).preprocessing.tokenizer
    assert len(ids) == len(texts) == 606
    for i in (0, 300, 605):
        assert ids[i].tolist() == tokenizer.transform([texts[i]])[0].tolist()


def test_an_interrupted_streamed_run_resumes_to_the_same_end(tmp_path, messy_reviews, tiny_config, monkeypatch):
    data, valid = messy_reviews
    config = _config(tiny_config, tmp_path / "cache", True)
    config.stopping.enabled = False
    whole = trainwright.train(data, valid=valid, out=tmp_path / "whole", config=config.model_copy(deep=True))
    undo = crash_when_epoch_starts(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="power cut"):
        trainwright.train(data, valid=valid, out=tmp_path / "resumed", config=config.model_copy(deep=True))
    undo()
    resumed = trainwright.train(data, valid=valid, out=tmp_path / "resumed", config=config.model_copy(deep=True),
                                resume=True)
    assert [r["val_loss"] for r in resumed.history] == [r["val_loss"] for r in whole.history]
    assert resumed.metrics["valid"] == whole.metrics["valid"]


def test_the_command_line_streams_with_its_flags(tmp_path, messy_reviews, cli):
    data, valid = messy_reviews
    result = cli("train", data, "--valid", valid, "--stream", "--cache-dir", tmp_path / "cache", "--model", "lstm",
                 "--epochs", "1", "--threads", "1", "--out", tmp_path / "run")
    assert result.code == 0, result.stderr
    assert "read in chunks of 50,000 rows" in result.stderr + result.stdout
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["streaming"]["rows_usable"] == 606
    assert any(p.name.startswith("tokens-") for p in (tmp_path / "cache").iterdir())
    refused = cli("train", data, "--stream", "--model", "mlp", "--cache-dir", tmp_path / "cache")
    assert refused.code != 0 and "cannot be read in chunks" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr


def test_reading_and_tokenizing_report_progress_to_the_end(tmp_path, messy_reviews, tiny_config, small_chunks,
                                                           monkeypatch):
    from contextlib import contextmanager

    calls = {}

    @contextmanager
    def recording(description, console=None):
        calls[description] = []
        yield lambda done, total: calls[description].append((done, total))

    monkeypatch.setattr(streamed, "progress_bar", recording)
    data, valid = messy_reviews
    trainwright.train(data, valid=valid, out=tmp_path / "run", config=_config(tiny_config, tmp_path / "cache", True))
    reading, tokenizing = calls["Reading reviews.csv"], calls["Tokenizing"]
    size = data.stat().st_size
    assert len(reading) == 5 and reading[-1] == (size, size)  # 609 rows in chunks of 128: bytes read of the file
    assert [done for done, _ in reading] == sorted(done for done, _ in reading)
    assert tokenizing == [(100, 606), (200, 606), (300, 606), (400, 606), (500, 606), (600, 606), (606, 606)]
