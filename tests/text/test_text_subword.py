"""SubwordTokenizer: BPE, WordPiece and Unigram vocabularies learned from the training texts."""

from __future__ import annotations

import pytest

from trainwright.config import TokenizerConfig
from trainwright.text import SubwordTokenizer, make_tokenizer
from trainwright.text.tokenizer import PAD, SEP, UNK

LEVELS = ["bpe", "wordpiece", "unigram"]
CORPUS = [
    "The kettle boils water quickly; the kettle is great!",
    "Kettles boiling, kettle boiled: is it great? It is.",
    "很好吃 very tasty, 不好吃 not tasty",
    "Don't buy it [SEP] it broke twice",
] * 5


def fitted(level: str, texts=CORPUS, **config) -> SubwordTokenizer:
    return make_tokenizer(TokenizerConfig(level=level, **config)).fit(texts)


def tokens(tok, text: str) -> list[str]:
    return tok.tokenizer_.encode(text).tokens


@pytest.mark.parametrize("level", LEVELS)
def test_level_and_special_tokens_at_fixed_ids(level):
    tok = fitted(level)
    assert isinstance(tok, SubwordTokenizer) and tok.level_ == level
    assert [tok.tokenizer_.token_to_id(t) for t in (PAD, UNK, SEP)] == [0, 1, 2]
    assert tok.pad_id == 0
    for seq in tok.transform(CORPUS + ["zebra quokka ÿ"]):
        assert 0 not in seq.tolist()


@pytest.mark.parametrize("level", LEVELS)
def test_separator_is_one_token(level):
    tok = fitted(level)
    assert tokens(tok, "great [SEP] kettle").count(SEP) == 1


@pytest.mark.parametrize("level", LEVELS)
def test_punctuation_is_kept_as_its_own_tokens(level):
    tok = fitted(level)
    out = tokens(tok, "great! great?")
    assert "!" in out and "?" in out
    assert tok.transform(["great!"])[0].tolist() != tok.transform(["great?"])[0].tolist()


@pytest.mark.parametrize("level", LEVELS)
def test_explicit_filters_are_applied(level):
    tok = fitted(level, filters="!?")
    assert "!" not in tokens(tok, "great!") and "?" not in tokens(tok, "great?")


@pytest.mark.parametrize("level", LEVELS)
def test_lowercase_and_nfkc(level):
    tok = fitted(level)
    assert tok.transform(["ＫＥＴＴＬＥ Great"])[0].tolist() == tok.transform(["kettle great"])[0].tolist()


@pytest.mark.parametrize("level", LEVELS)
def test_cjk_is_split_into_characters(level):
    tok = fitted(level)
    out = tokens(tok, "很好吃 very")
    assert out[:3] == ["很", "好", "吃"]


@pytest.mark.parametrize("level", ["bpe", "wordpiece"])
def test_unseen_words_are_spelled_in_pieces_not_unk(level):
    tok = fitted(level)
    out = tokens(tok, "boilkettle")
    assert UNK not in out and len(out) > 1
    assert all(piece.startswith("##") for piece in out[1:])


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("num_words", [12, 40, 10000])
def test_vocabulary_never_exceeds_num_words(level, num_words):
    assert fitted(level, num_words=num_words).vocab_size <= num_words


@pytest.mark.parametrize("level", LEVELS)
def test_many_characters_and_a_small_vocabulary(level):
    # More distinct characters than num_words: the rarest become [UNK] rather than overflowing the vocabulary
    # (BPE/WordPiece) or failing to train (Unigram).
    texts = ["".join(chr(0x4E00 + (i * 7 + j) % 300) for j in range(12)) for i in range(200)]
    tok = fitted(level, texts=texts, num_words=100)
    assert 50 <= tok.vocab_size <= 100
    assert len(tok.transform([texts[0]])[0]) == 12


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_truncation(level, truncating):
    text = "the kettle is great, it boils water"
    whole = fitted(level).transform([text])[0].tolist()
    cut = fitted(level, maxlen=3, truncating=truncating).transform([text])[0].tolist()
    assert cut == (whole[-3:] if truncating == "pre" else whole[:3])


@pytest.mark.parametrize("level", LEVELS)
def test_two_fits_on_the_same_texts_give_the_same_tokenizer(level):
    # The trainers number some pieces in hash-map order and sum scores in parallel; see text/subword.py.
    texts = CORPUS + [f"kettle{i} boiling{i % 7} water{i % 3}!" for i in range(60)]
    first, second = fitted(level, texts=texts, num_words=80), fitted(level, texts=texts, num_words=80)
    assert first.tokenizer_.to_str() == second.tokenizer_.to_str()


@pytest.mark.parametrize("level", ["bpe", "wordpiece"])
def test_continuing_pieces_are_ordinary_vocabulary_not_added_tokens(level):
    tok = fitted(level)
    added = {t.content for t in tok.tokenizer_.get_added_tokens_decoder().values()}
    assert added == {PAD, UNK, SEP}
    assert any(token.startswith("##") for token in tok.tokenizer_.get_vocab())
    assert tokens(tok, "##e") != ["##e"]  # text is not matched against them before normalization
