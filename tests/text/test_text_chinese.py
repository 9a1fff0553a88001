"""JiebaTokenizer: jieba words for Chinese, a WordLevel vocabulary over them."""

from __future__ import annotations

import json
import logging

import numpy as np

from trainwright.config import TokenizerConfig
from trainwright.text import JiebaTokenizer, load_tokenizer, make_tokenizer
from trainwright.text.chinese import SEGMENTATION_FILE, _jieba, segment
from trainwright.text.tokenizer import PAD, SEP, UNK

CORPUS = ["我爱北京天安门", "很快，好吃，味道足，量大", "送餐很快 very tasty", "太难吃了 [SEP] 再也不点了",
          "こんにちは世界", "味道不错，送餐很快"]


def fitted(**config) -> JiebaTokenizer:
    return make_tokenizer(TokenizerConfig(level="jieba", **config)).fit(CORPUS)


def tokens(tok, text: str) -> list[str]:
    return tok.tokenizer_.encode(tok._segment([text])[0]).tokens


def test_known_sentence_is_segmented_into_words():
    assert segment("我爱北京天安门").split() == ["我", "爱", "北京", "天安门"]
    tok = fitted()
    assert tokens(tok, "我爱北京天安门") == ["我", "爱", "北京", "天安门"]
    assert len(tok.transform(["我爱北京天安门"])[0]) == 4


def test_other_text_is_words_and_kana_characters():
    tok = fitted()
    assert tokens(tok, "送餐很快 Very tasty!") == ["送餐", "很快", "very", "tasty"]
    assert tokens(tok, "こんにちは") == list("こんにちは")


def test_full_width_punctuation_is_normalized_and_filtered():
    tok = fitted()
    assert tokens(tok, "很快，好吃") == ["很快", "好吃"]


def test_special_tokens_at_fixed_ids():
    tok = fitted()
    assert tok.level_ == "jieba" and tok.pad_id == 0
    assert [tok.tokenizer_.token_to_id(t) for t in (PAD, UNK, SEP)] == [0, 1, 2]
    assert tokens(tok, "太难吃了 [SEP] 再也不点了").count(SEP) == 1
    assert tok.transform(["北京 zebra"])[0].tolist() == [tok.tokenizer_.token_to_id("北京"), 1]


def test_segmentation_is_deterministic():
    text = "这家店的外卖送得特别慢，菜都凉了，差评"
    assert len({segment(text) for _ in range(3)}) == 1


def test_save_load_gives_identical_ids(tmp_path):
    tok = fitted(maxlen=5)
    tok.save(tmp_path)
    assert json.loads((tmp_path / SEGMENTATION_FILE).read_text())["segmenter"] == "jieba"
    loaded = load_tokenizer(tmp_path, TokenizerConfig(level="jieba", maxlen=5), "jieba")
    assert isinstance(loaded, JiebaTokenizer)
    texts = CORPUS + ["没吃过这么难吃的 [SEP] 北京烤鸭 great", ""]
    for before, after in zip(tok.transform(texts), loaded.transform(texts)):
        np.testing.assert_array_equal(before, after)


def test_jieba_is_quiet(capfd):
    # jieba prints "Building prefix dict ..." and timings on stderr through its own DEBUG logger.
    logging.getLogger("jieba").setLevel(logging.DEBUG)
    _jieba.cache_clear()
    capfd.readouterr()
    assert segment("我爱北京天安门").split() == ["我", "爱", "北京", "天安门"]
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
