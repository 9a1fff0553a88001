"""The seed's word tokenizer, done with Hugging Face `tokenizers` as explicit stages, and the interface every
tokenizer level shares.

normalizer (NFKC, lowercase, Keras's punctuation filter) -> pre-tokenizer (whitespace, then CJK characters one
per token, or every character at char level) -> WordLevel model over the `num_words` most frequent tokens, with
[PAD] = 0, [UNK] for out-of-vocabulary words and [SEP] between several text columns. Saved as one standard
`tokenizer.json` that `tokenizers.Tokenizer.from_file` reads.

The other levels (text/subword.py, text/chinese.py, text/pretrained.py) subclass `TextTokenizer` and replace
`_train` (how the `tokenizers.Tokenizer` is made) and, where needed, `_segment` (Python work before it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

from ..config import TokenizerConfig
from ..errors import ArtifactError
from ..log import logger
from ..stage import check_is_fitted
from .scripts import CJK, CJK_RANGES

PAD, UNK, SEP = "[PAD]", "[UNK]", "[SEP]"
SPECIAL_TOKENS = [PAD, UNK, SEP]  # in this order: ids 0, 1, 2 in every vocabulary trained here
TOKENIZER_FILE = "tokenizer.json"
PAD_ID = 0  # models trained from scratch mask id 0 (models/lstm.py)
_CJK_SHARE = 0.3  # above this share of CJK characters a corpus is reported as CJK


class TextTokenizer:
    """Fit on training texts, then map texts to id sequences and pad batches of them.

    This class is the word level (and char level); `level_` is the level it was fitted at."""

    def __init__(self, config: TokenizerConfig | None = None):
        self.config = config or TokenizerConfig()

    def fit(self, texts: list[str]) -> TextTokenizer:
        texts = list(texts)
        tokenizer = self._train(texts)
        cfg = self.config
        tokenizer.enable_truncation(cfg.maxlen, direction="left" if cfg.truncating == "pre" else "right")
        self.tokenizer_ = tokenizer
        return self

    @property
    def vocab_size(self) -> int:
        check_is_fitted(self, "tokenizer_")
        return self.tokenizer_.get_vocab_size()

    @property
    def pad_id(self) -> int:
        """The id that `pad` fills with: [PAD] = 0 for every vocabulary trained here."""
        return PAD_ID

    @property
    def padding_side(self) -> str:
        return self.config.padding

    def transform(self, texts: list[str]) -> list[np.ndarray]:
        """Token ids per text (int64), truncated to maxlen, not padded."""
        check_is_fitted(self, "tokenizer_")
        # encode_batch_fast: the same ids without the character offsets we never use (about 20% faster)
        encodings = self.tokenizer_.encode_batch_fast(self._segment(list(texts)))
        return [np.asarray(e.ids, dtype=np.int64) for e in encodings]

    def pad(self, sequences: list[np.ndarray], length: int | None = None) -> np.ndarray:
        """Stack into (batch, length) with `pad_id` on the configured side; length defaults to the longest."""
        length = length or max(1, max(len(s) for s in sequences))
        batch = np.full((len(sequences), length), self.pad_id, dtype=np.int64)
        for row, seq in enumerate(sequences):
            seq = seq[:length]
            if len(seq):
                if self.padding_side == "pre":
                    batch[row, -len(seq):] = seq
                else:
                    batch[row, :len(seq)] = seq
        return batch

    def to_dict(self) -> dict:
        """The fitted state: its level, its settings, and the text of tokenizer.json under "files"."""
        check_is_fitted(self, "tokenizer_")
        return {"level": self.level_, "config": self.config.model_dump(), "files": {TOKENIZER_FILE: self._file()}}

    @classmethod
    def from_dict(cls, state: dict) -> TextTokenizer:
        return cls._restore(state, TOKENIZER_FILE)

    def save(self, directory: Path) -> None:
        """Write the files of `to_dict` into `directory`: the standard tokenizer.json that `tokenizers` reads."""
        for name, text in self.to_dict()["files"].items():
            (Path(directory) / name).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, config: TokenizerConfig, level: str) -> TextTokenizer:
        """The tokenizer that `save(directory)` wrote, fitted at `level`, with these settings."""
        path = Path(directory) / TOKENIZER_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise _damaged(path, e) from None
        state = {"level": level, "config": config.model_dump(), "files": {TOKENIZER_FILE: text}}
        return cls._restore(state, path, Path(directory))

    @classmethod
    def _restore(cls, state: dict, where, directory: Path | None = None) -> TextTokenizer:
        """The stage of `from_dict`; `where` names the tokenizer file in errors, `directory` holds it (if any)."""
        stage = cls(TokenizerConfig.model_validate(state["config"]))
        stage.level_ = state["level"]
        try:
            stage.tokenizer_ = Tokenizer.from_str(state["files"][TOKENIZER_FILE])
        except Exception as e:  # tokenizers raises a bare Exception for a file it cannot parse
            raise _damaged(where, e) from None
        return stage

    def _file(self) -> str:
        """The text of tokenizer.json: what `tokenizers.Tokenizer.save` writes, byte for byte."""
        return self.tokenizer_.to_str(pretty=True)

    # --- what the levels change ---------------------------------------------------------------------------

    def _segment(self, texts: list[str]) -> list[str]:
        """Python work on the texts before the `tokenizers` pipeline (none here)."""
        return texts

    def _train(self, texts: list[str]) -> Tokenizer:
        """Set `level_`, say what tokenization was chosen, and return the trained `tokenizers.Tokenizer`."""
        cfg = self.config
        cjk = _cjk_share(texts)
        self.level_ = "char" if cfg.level == "char" else "word"
        if self.level_ == "char":
            note = "characters (--tokenizer-level char)"
        elif cjk > _CJK_SHARE:
            note = f"words, with Chinese/Japanese/Korean split into characters ({cjk:.0%} of characters are CJK)"
        else:
            punctuation = "kept as tokens" if cfg.split_punctuation else "removed" if cfg.filters else "kept"
            case = "lowercased, " if cfg.lowercase else ""
            note = f"words ({case}punctuation {punctuation})"
        logger.info(f"tokenization: {note}; vocabulary of the {cfg.num_words} most frequent tokens, "
                    f"maxlen {cfg.maxlen}")
        tokenizer = Tokenizer(models.WordLevel(unk_token=UNK))
        tokenizer.normalizer = normalizer(cfg)
        tokenizer.pre_tokenizer = _pre_tokenizer(self.level_, cfg.split_punctuation)
        trainer = trainers.WordLevelTrainer(vocab_size=cfg.num_words, special_tokens=SPECIAL_TOKENS)
        tokenizer.train_from_iterator(texts, trainer=trainer)
        return tokenizer


def _damaged(path, error: Exception) -> ArtifactError:
    return ArtifactError(f"{path} is not a valid tokenizer file ({str(error).strip()}); the model directory is "
                         "damaged: restore it from a copy or train it again.")


def normalizer(cfg: TokenizerConfig, filters: str | None = None) -> normalizers.Normalizer:
    """NFKC, lowercase if configured, and `filters` (default: the configured ones) replaced by spaces."""
    filters = cfg.filters if filters is None else filters
    steps = [normalizers.NFKC()]
    if cfg.lowercase:
        steps.append(normalizers.Lowercase())
    if filters:
        escaped = "".join(f"\\x{{{ord(ch):x}}}" for ch in sorted(set(filters)))
        steps.append(normalizers.Replace(Regex(f"[{escaped}]"), " "))
    return normalizers.Sequence(steps)


def _pre_tokenizer(level: str, split_punctuation: bool = False) -> pre_tokenizers.PreTokenizer:
    per_character = Regex(r"\S") if level == "char" else Regex(f"[{CJK_RANGES}]")
    steps = [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(per_character, behavior="isolated")]
    if split_punctuation and level == "word":
        # A run of marks is one token ("great!!" -> great, !!; "well-made" -> well, -, made); an apostrophe stays
        # in its word ("don't", "'s"). Splitting only at a word's ends scored lower on SST-2 and TREC.
        steps.append(pre_tokenizers.Split(Regex(r"[^\w\s']+"), behavior="isolated"))
    return pre_tokenizers.Sequence(steps)


def _cjk_share(texts: list[str], sample: int = 2000) -> float:
    """The share of CJK characters among the non-space characters of the first `sample` texts."""
    chars = "".join(texts[:sample]).replace(" ", "")
    return len(CJK.findall(chars)) / len(chars) if chars else 0.0
