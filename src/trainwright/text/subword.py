"""Subword tokenizers (BPE, WordPiece, Unigram) learned from the training texts with Hugging Face `tokenizers`.

normalizer (NFKC, lowercase) -> pre-tokenizer (whitespace, punctuation marks and CJK characters one per token)
-> BPE / WordPiece / Unigram model of at most `num_words` tokens, [PAD] = 0, [UNK] = 1, [SEP] = 2 -> truncation
to `maxlen`. Words the vocabulary lacks are spelled in pieces (BPE and WordPiece mark a piece inside a word
with "##"), so only characters never seen in training become [UNK].

Keras's punctuation filter is not applied unless `filters` is set explicitly: it exists so that "great!" and
"great" are one word of a word vocabulary, but subwords already share pieces between such forms, and the
marks themselves carry meaning a classifier can use ("?" for a question, "!" for emphasis, ":)") at the cost
of a few dozen vocabulary entries. BERT's and GPT-2's tokenizers keep them as tokens for the same reason.
"""

from __future__ import annotations

import json
from collections import Counter

from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

from ..log import logger
from .scripts import CJK_RANGES
from .tokenizer import SPECIAL_TOKENS, UNK, TextTokenizer, normalizer

_PREFIX = "##"  # marks a piece that continues a word, as BERT's WordPiece
_NAMES = {"bpe": "BPE", "wordpiece": "WordPiece", "unigram": "Unigram"}


class SubwordTokenizer(TextTokenizer):
    """A BPE, WordPiece or Unigram vocabulary (`config.level`) of at most `num_words` tokens."""

    def _train(self, texts: list[str]) -> Tokenizer:
        cfg = self.config
        self.level_ = cfg.level
        # Only filters the user set are applied (see the module docstring).
        filters = cfg.filters if "filters" in cfg.model_fields_set else ""
        punctuation = "kept as tokens" if not filters else "filtered"
        logger.info(f"tokenization: {_NAMES[self.level_]} subwords learned from the training texts "
                    f"({'lowercased, ' if cfg.lowercase else ''}punctuation {punctuation}, CJK split into "
                    f"characters); vocabulary of up to {cfg.num_words} tokens, maxlen {cfg.maxlen}")
        if self.level_ == "unigram":
            return _train_unigram(texts, cfg, filters)
        return _train_merges(texts, cfg, filters, self.level_)


def _tokenizer(model: models.Model, cfg, filters: str) -> Tokenizer:
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizer(cfg, filters)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Split(Regex(f"[{CJK_RANGES}]"), behavior="isolated"),
    ])
    return tokenizer


def _train_merges(texts: list[str], cfg, filters: str, level: str) -> Tokenizer:
    """BPE or WordPiece, whose pieces inside a word carry the "##" prefix.

    Left to itself, the trainer numbers the "##" forms of the characters in the order it meets them in a hash
    map, and breaks ties between equally frequent merges by those numbers: two fits on the same texts then
    differ. So the alphabet is chosen here (the most frequent characters, as many as fit in `num_words` with
    their "##" forms; rarer ones become [UNK]) and the "##" forms are numbered up front, in character order,
    by passing them as special tokens; afterwards they are made ordinary vocabulary entries again."""
    make = {"bpe": (models.BPE, trainers.BpeTrainer), "wordpiece": (models.WordPiece, trainers.WordPieceTrainer)}
    model, trainer = make[level]
    tokenizer = _tokenizer(model(unk_token=UNK, continuing_subword_prefix=_PREFIX), cfg, filters)
    alphabet, continuing = _alphabet(tokenizer, texts, cfg.num_words - len(SPECIAL_TOKENS))
    pieces = [_PREFIX + ch for ch in sorted(continuing)]
    tokenizer.train_from_iterator(texts, trainer=trainer(
        vocab_size=cfg.num_words, special_tokens=SPECIAL_TOKENS + pieces, initial_alphabet=alphabet,
        limit_alphabet=len(alphabet), continuing_subword_prefix=_PREFIX, show_progress=False))
    state = json.loads(tokenizer.to_str())
    state["added_tokens"] = [token for token in state["added_tokens"] if token["content"] in SPECIAL_TOKENS]
    return Tokenizer.from_str(json.dumps(state))


def _alphabet(tokenizer: Tokenizer, texts: list[str], budget: int) -> tuple[list[str], set[str]]:
    """The most frequent characters (ties in character order) whose vocabulary entries, the character and its
    "##" form if it occurs inside a word, fit in `budget`; and those of them that occur inside a word."""
    counts, inside = Counter(), set()
    for text in texts:
        for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(tokenizer.normalizer.normalize_str(text)):
            counts.update(piece)
            inside.update(piece[1:])
    alphabet, continuing = [], set()
    for ch in sorted(counts, key=lambda c: (-counts[c], c)):
        cost = 2 if ch in inside else 1
        if cost > budget:
            break
        budget -= cost
        alphabet.append(ch)
        if ch in inside:
            continuing.add(ch)
    return alphabet, continuing


def _train_unigram(texts: list[str], cfg, filters: str) -> Tokenizer:
    """Unigram. Its trainer refuses a vocabulary smaller than the corpus's characters, so characters beyond the
    most frequent that fit are blanked out of the training texts (they become [UNK]); and it may end a few
    pieces over the size asked, which is then asked smaller until the vocabulary fits `num_words`. Its scores (log
    probabilities) vary in the 11th decimal between fits, as the trainer sums in parallel, and pieces of equal
    score come out in varying order: the scores are rounded to 4 decimals and the pieces numbered in
    character order, so that two fits on the same texts give the same tokenizer (barring a score within
    1e-10 of a rounding boundary)."""
    tokenizer = _tokenizer(models.Unigram(), cfg, filters)
    normalized = [tokenizer.normalizer.normalize_str(text) for text in texts]
    counts = Counter(ch for text in normalized for ch in text if not ch.isspace())
    by_count = sorted(counts, key=lambda c: (-counts[c], c))
    size = cfg.num_words
    while True:
        rare = set(by_count[size - len(SPECIAL_TOKENS):])
        corpus = ["".join(" " if ch in rare else ch for ch in text) for text in normalized] if rare else normalized
        trainer = trainers.UnigramTrainer(vocab_size=size, special_tokens=SPECIAL_TOKENS, unk_token=UNK,
                                          show_progress=False)
        tokenizer = _tokenizer(models.Unigram(), cfg, filters)
        tokenizer.train_from_iterator(corpus, trainer=trainer)
        excess = tokenizer.get_vocab_size() - cfg.num_words
        if excess <= 0 or size == len(SPECIAL_TOKENS) + 1:
            break
        size = max(len(SPECIAL_TOKENS) + 1, size - excess)
    state = json.loads(tokenizer.to_str())
    vocab = state["model"]["vocab"]
    specials, others = vocab[:len(SPECIAL_TOKENS)], sorted(vocab[len(SPECIAL_TOKENS):])
    assert [piece for piece, _ in specials] == SPECIAL_TOKENS  # the trainer puts them first, in order
    state["model"]["vocab"] = specials + [[piece, round(score, 4)] for piece, score in others]
    return Tokenizer.from_str(json.dumps(state))
