"""TextTokenizer: Keras-like word tokenization, CJK splitting, truncation, padding, saving."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer

from trainwright.config import KERAS_FILTERS, TokenizerConfig
from trainwright.errors import NotFittedError
from trainwright.text.tokenizer import PAD, SEP, UNK, TextTokenizer


def fitted(texts, **config) -> TextTokenizer:
    return TextTokenizer(TokenizerConfig(**config)).fit(texts)


def tokens(tok: TextTokenizer, text: str) -> list[str]:
    return tok.tokenizer_.encode(text).tokens


def ids(tok: TextTokenizer, text: str) -> list[int]:
    return tok.transform([text])[0].tolist()


def token_id(tok: TextTokenizer, token: str) -> int:
    result = tok.tokenizer_.token_to_id(token)
    assert result is not None, f"{token!r} not in the vocabulary"
    return result


def keras_words(text: str) -> list[str]:
    """Keras's text_to_word_sequence with its defaults: lowercase, filters to spaces, split on spaces."""
    text = text.lower().translate(str.maketrans({c: " " for c in KERAS_FILTERS}))
    return [w for w in text.split(" ") if w]


CORPUS = [
    "Hello, World!",
    "The kettle boils water; the kettle is great.",
    "Don't buy it: it broke (twice) -- e-mail support@example.com?",
    "hello again, world",
]


# --- Keras-like word level ----------------------------------------------------------------------------------

def test_lowercase_and_punctuation_filtered():
    tok = fitted(CORPUS)
    assert tokens(tok, "Hello, World!") == ["hello", "world"]
    assert ids(tok, "Hello, World!") == [token_id(tok, "hello"), token_id(tok, "world")]
    assert ids(tok, "HELLO world...") == ids(tok, "hello world")


@pytest.mark.parametrize("text", CORPUS)
def test_words_are_those_of_keras_text_to_word_sequence(text):
    tok = fitted(CORPUS)
    assert tokens(tok, text) == keras_words(text)


def test_apostrophes_are_kept_inside_words_as_in_keras():
    tok = fitted(CORPUS)
    assert "don't" in tokens(tok, "Don't buy it")


def test_full_width_characters_are_normalized():
    tok = fitted(CORPUS)
    assert ids(tok, "ＨＥＬＬＯ，ｗｏｒｌｄ！") == ids(tok, "hello world")  # NFKC


def test_lowercase_can_be_turned_off():
    tok = fitted(["Hello hello"], lowercase=False)
    assert tokens(tok, "Hello hello") == ["Hello", "hello"]
    assert token_id(tok, "Hello") != token_id(tok, "hello")


def test_custom_filters():
    tok = fitted(["a,b c!d"], filters=",")
    assert tokens(tok, "a,b c!d") == ["a", "b", "c!d"]


def test_split_punctuation_makes_each_run_of_marks_a_token_and_keeps_apostrophes_in_words():
    text = "Great movie!!! Don't miss it (well-made)… 好吃！"
    tok = fitted([text], filters="", split_punctuation=True, lowercase=False)
    # NFKC first: "…" is "..." and the full-width "！" is "!"
    assert tokens(tok, text) == ["Great", "movie", "!!!", "Don't", "miss", "it", "(", "well", "-", "made", ")...",
                                 "好", "吃", "!"]
    assert tokens(fitted([text], filters=""), text)[1] == "movie!!!"  # without it, marks stay in their words


def test_split_punctuation_leaves_the_filtered_marks_filtered():
    tok = fitted(CORPUS, split_punctuation=True)  # Keras's filters remove ASCII marks before any split
    assert tokens(tok, "Hello, World!") == ["hello", "world"]


def test_most_frequent_words_are_kept_up_to_num_words():
    # counts: a 5, b 4, c 3, d 2, e 1 -- room for 3 words beside [PAD], [UNK], [SEP]
    texts = ["a b c d e", "a b c d", "a b c", "a b", "a"]
    tok = fitted(texts, num_words=6)
    assert tok.vocab_size == 6
    vocab = tok.tokenizer_.get_vocab()
    assert set(vocab) == {PAD, UNK, SEP, "a", "b", "c"}
    assert vocab["a"] < vocab["b"] < vocab["c"]  # most frequent first, as Keras's word_index
    unk = token_id(tok, UNK)
    assert ids(tok, "a d e c") == [vocab["a"], unk, unk, vocab["c"]]


def test_vocab_size_is_the_distinct_words_plus_specials_when_below_num_words():
    tok = fitted(CORPUS, num_words=10000)
    distinct = {w for text in CORPUS for w in keras_words(text)}
    assert tok.vocab_size == len(distinct) + 3


@pytest.mark.parametrize("num_words", [3, 4, 10])
def test_vocab_size_never_exceeds_num_words(num_words):
    tok = fitted(CORPUS, num_words=num_words)
    assert tok.vocab_size == num_words


def test_specials_pad_is_zero_and_no_word_gets_zero():
    tok = fitted(CORPUS)
    assert token_id(tok, PAD) == 0
    assert len({token_id(tok, PAD), token_id(tok, UNK), token_id(tok, SEP)}) == 3
    for text in CORPUS + ["entirely unseen words"]:
        assert 0 not in ids(tok, text)


def test_unknown_words_map_to_unk():
    tok = fitted(CORPUS)
    unk = token_id(tok, UNK)
    assert ids(tok, "zebra hello quokka") == [unk, token_id(tok, "hello"), unk]


def test_separator_survives_the_punctuation_filter():
    # '[' and ']' are filtered characters, but [SEP] joins several text columns and must stay one token.
    tok = fitted(["title one [SEP] body one", "title two [SEP] body two"])
    assert tokens(tok, "Great [SEP] boils fast")[1] == SEP
    assert ids(tok, "title [SEP] body")[1] == token_id(tok, SEP)


def test_transform_returns_int64_arrays_per_text():
    tok = fitted(CORPUS)
    out = tok.transform(["hello world", "hello"])
    assert len(out) == 2
    assert all(isinstance(a, np.ndarray) and a.dtype == np.int64 for a in out)
    assert [len(a) for a in out] == [2, 1]


# --- scripts without spaces ---------------------------------------------------------------------------------

def test_chinese_is_split_into_characters_english_stays_words():
    tok = fitted(["这个很好吃", "很好吃 very tasty", "不好吃 not tasty"])
    assert tokens(tok, "很好吃") == ["很", "好", "吃"]
    assert len(ids(tok, "很好吃")) == 3
    assert tokens(tok, "很好吃 very tasty") == ["很", "好", "吃", "very", "tasty"]
    assert tokens(tok, "这个very好") == ["这", "个", "very", "好"]
    assert token_id(tok, UNK) not in ids(tok, "很好吃 very tasty")


def test_chinese_split_also_applies_to_mostly_english_corpora():
    tok = fitted(["an english sentence with many words", "and one 好吃"])
    assert tokens(tok, "好吃") == ["好", "吃"]


def test_japanese_kana_and_kanji_are_split():
    tok = fitted(["こんにちは世界", "カタカナ"])
    assert tokens(tok, "こんにちは世界") == ["こ", "ん", "に", "ち", "は", "世", "界"]
    assert tokens(tok, "カタカナ") == ["カ", "タ", "カ", "ナ"]


def test_korean_hangul_is_split():
    tok = fitted(["안녕하세요 친구"])
    assert tokens(tok, "안녕하세요 친구") == ["안", "녕", "하", "세", "요", "친", "구"]


def test_char_level_splits_english_into_characters():
    tok = fitted(["hello world"], level="char")
    assert tok.level_ == "char"
    assert tokens(tok, "Hello, world") == list("hello") + list("world")  # lowercased, ',' filtered, no spaces
    assert ids(tok, "lo")[0] == ids(tok, "hello")[2]


def test_auto_level_is_word():
    assert fitted(["hello world"]).level_ == "word"


# --- truncation and padding ---------------------------------------------------------------------------------

def test_truncating_pre_keeps_the_last_tokens():
    tok = fitted(["a b c d e"], maxlen=3, truncating="pre")
    assert tokens(tok, "a b c d e") == ["c", "d", "e"]
    assert ids(tok, "a b c d e") == ids(tok, "c d e")


def test_truncating_post_keeps_the_first_tokens():
    tok = fitted(["a b c d e"], maxlen=3, truncating="post")
    assert tokens(tok, "a b c d e") == ["a", "b", "c"]
    assert ids(tok, "a b c d e") == ids(tok, "a b c")


def test_short_texts_are_not_truncated():
    tok = fitted(["a b c d e"], maxlen=3)
    assert len(ids(tok, "a b")) == 2


def test_default_truncation_keeps_the_end_like_keras():
    tok = fitted([f"w{i}" for i in range(150)] + [" ".join(f"w{i}" for i in range(150))])
    out = ids(tok, " ".join(f"w{i}" for i in range(150)))
    assert len(out) == 100
    assert out[-1] == token_id(tok, "w149") and out[0] == token_id(tok, "w50")


SEQS = [np.array([5, 6, 7]), np.array([8])]


def test_pad_pre_puts_zeros_on_the_left():
    batch = TextTokenizer(TokenizerConfig(padding="pre")).pad(SEQS)
    assert batch.dtype == np.int64
    np.testing.assert_array_equal(batch, [[5, 6, 7], [0, 0, 8]])


def test_pad_post_puts_zeros_on_the_right():
    batch = TextTokenizer(TokenizerConfig(padding="post")).pad(SEQS)
    np.testing.assert_array_equal(batch, [[5, 6, 7], [8, 0, 0]])


@pytest.mark.parametrize("padding, expected", [("pre", [[0, 0, 5, 6, 7], [0, 0, 0, 0, 8]]),
                                               ("post", [[5, 6, 7, 0, 0], [8, 0, 0, 0, 0]])])
def test_pad_to_a_given_length(padding, expected):
    batch = TextTokenizer(TokenizerConfig(padding=padding)).pad(SEQS, length=5)
    np.testing.assert_array_equal(batch, expected)


def test_pad_length_defaults_to_the_longest():
    batch = TextTokenizer().pad([np.array([1]), np.array([1, 2, 3, 4]), np.array([1, 2])])
    assert batch.shape == (3, 4)


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_empty_text_gives_an_all_zero_row(padding):
    tok = fitted(CORPUS, padding=padding)
    seqs = tok.transform(["", "hello world", "  ,.!  "])
    assert len(seqs[0]) == 0 and len(seqs[2]) == 0
    batch = tok.pad(seqs)
    assert batch.shape == (3, 2)
    assert batch[0].tolist() == [0, 0] and batch[2].tolist() == [0, 0]
    assert sorted(batch[1].tolist()) == sorted(ids(tok, "hello world"))


def test_batch_of_only_empty_texts_has_one_zero_column():
    tok = fitted(CORPUS)
    np.testing.assert_array_equal(tok.pad(tok.transform(["", ""])), [[0], [0]])


# --- saving -------------------------------------------------------------------------------------------------

MIXED = ["Hello, World!", "很好吃 very tasty", "zebra quokka", "", "a b c d e f g h i j k l m n o p"]


@pytest.mark.parametrize("config", [{}, {"level": "char"}, {"maxlen": 4, "truncating": "post"},
                                    {"maxlen": 4, "truncating": "pre", "num_words": 8}])
def test_save_load_round_trip_gives_identical_ids(tmp_path, config):
    cfg = TokenizerConfig(**config)
    tok = TextTokenizer(cfg).fit(CORPUS + ["很好吃 very tasty"])
    tok.save(tmp_path)
    assert (tmp_path / "tokenizer.json").is_file()
    loaded = TextTokenizer.load(tmp_path, cfg, tok.level_)
    assert loaded.level_ == tok.level_
    assert loaded.vocab_size == tok.vocab_size
    for before, after in zip(tok.transform(MIXED), loaded.transform(MIXED)):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(loaded.pad(loaded.transform(MIXED)), tok.pad(tok.transform(MIXED)))


def test_saved_file_loads_with_plain_tokenizers(tmp_path):
    tok = fitted(CORPUS + ["很好吃 very tasty"], maxlen=5)
    tok.save(tmp_path)
    plain = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    for text, expected in zip(MIXED, tok.transform(MIXED)):
        assert plain.encode(text).ids == expected.tolist()
    assert plain.token_to_id(PAD) == 0


# --- unfitted -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda t, d: t.transform(["hello"]),
    lambda t, d: t.vocab_size,
    lambda t, d: t.save(d),
])
def test_unfitted_use_raises_not_fitted(tmp_path, call):
    with pytest.raises(NotFittedError, match=r"TextTokenizer is not fitted yet: call TextTokenizer\.fit"):
        call(TextTokenizer(), tmp_path)
    assert not (tmp_path / "tokenizer.json").exists()
