"""A pretrained model's own tokenizer, read from `<model dir>/tokenizer.json` and used as it is (not refitted).

Its post-processor adds the model's special tokens ([CLS] ... [SEP] for BERT-like models); sequences are cut to
`maxlen` tokens, special tokens included, and never beyond the length the model reads. Padding uses the
tokenizer's own pad id and always goes on the right: pretrained transformers read an attention mask and were
trained right-padded, so `tokenizer.padding` does not apply. The several text columns that data/examples.py
joins with " [SEP] " are separated by a BERT tokenizer's real [SEP] token.

The artifact keeps its own copy of tokenizer.json, with the padding settings in it, so a saved model loads
without the pretrained directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

from ..config import TokenizerConfig
from ..errors import ConfigError
from ..log import logger
from ..stage import check_is_fitted
from .tokenizer import TextTokenizer

_PAD_CANDIDATES = ("[PAD]", "<pad>", "<|pad|>")
_NO_LIMIT = 10 ** 6  # transformers writes model_max_length = 1e30 for "no limit"


class PretrainedTokenizer(TextTokenizer):
    """The tokenizer of the Hugging Face model in `directory`; `fit` reads it and learns nothing."""

    def __init__(self, config: TokenizerConfig | None = None, directory: Path | None = None):
        super().__init__(config)
        self.directory = directory

    def fit(self, texts: list[str] | None = None) -> PretrainedTokenizer:
        cfg = self.config
        if self.directory is None:
            raise ConfigError("The 'pretrained' tokenizer level reads a pretrained model's own tokenizer: set "
                              "model.pretrained to a Hugging Face model directory (or a package shipping one).")
        directory = Path(self.directory)
        path = directory / "tokenizer.json"
        if not path.is_file():
            raise ConfigError(
                f"Pretrained model directory {directory} has no tokenizer.json: the 'pretrained' tokenizer level "
                "reads the model's own tokenizer from it. Set model.pretrained to a Hugging Face model directory "
                "saved with a fast tokenizer (AutoTokenizer.from_pretrained(...).save_pretrained(dir) writes it).")
        tokenizer = Tokenizer.from_file(str(path))
        self.level_ = "pretrained"
        self.pad_id_ = _pad_id(tokenizer, directory)
        limit = _max_length(directory)
        maxlen = min(cfg.maxlen, limit) if limit else cfg.maxlen
        if maxlen < cfg.maxlen:
            logger.info(f"tokenizer.maxlen {cfg.maxlen} is more than the pretrained model reads: {maxlen} tokens")
        tokenizer.no_padding()
        tokenizer.enable_truncation(maxlen, direction="left" if cfg.truncating == "pre" else "right")
        logger.info(f"tokenization: the pretrained model's own tokenizer ({path}, {tokenizer.get_vocab_size()} "
                    f"tokens, its special tokens added, padded on the right with id {self.pad_id_}); "
                    f"maxlen {maxlen}")
        self.tokenizer_ = tokenizer
        return self

    @property
    def pad_id(self) -> int:
        check_is_fitted(self, "pad_id_")
        return self.pad_id_

    @property
    def padding_side(self) -> str:
        return "post"

    def _file(self) -> str:
        # A copy with padding switched on, so the file alone tells its pad id (and pads like transform + pad).
        saved = Tokenizer.from_str(self.tokenizer_.to_str())
        saved.enable_padding(direction="right", pad_id=self.pad_id_,
                             pad_token=self.tokenizer_.id_to_token(self.pad_id_))
        return saved.to_str(pretty=True)

    @classmethod
    def _restore(cls, state: dict, where, directory: Path | None = None) -> PretrainedTokenizer:
        stage = super()._restore(state, where, directory)
        stage.pad_id_ = _pad_id(stage.tokenizer_, directory)
        stage.tokenizer_.no_padding()
        return stage


def _pad_id(tokenizer: Tokenizer, directory: Path | None) -> int:
    """The tokenizer's pad id: from its padding settings, else the pad_token of the tokenizer_config.json in
    `directory` (if given), else a token named like one."""
    if tokenizer.padding is not None:
        return int(tokenizer.padding["pad_id"])
    names = list(_PAD_CANDIDATES)
    settings = _read_json(directory / "tokenizer_config.json") if directory is not None else {}
    pad = settings.get("pad_token")
    if isinstance(pad, dict):
        pad = pad.get("content")
    if isinstance(pad, str):
        names.insert(0, pad)
    for name in names:
        token_id = tokenizer.token_to_id(name)
        if token_id is not None:
            return token_id
    path = f"{directory}/tokenizer.json" if directory is not None else "The saved tokenizer.json"
    raise ConfigError(f"{path} has no padding token (looked for {', '.join(names)}); "
                      "batches of texts of different lengths cannot be padded. Use a model whose tokenizer has "
                      "one, or add it (tokenizer.add_special_tokens({'pad_token': '[PAD]'}) in transformers).")


def _max_length(directory: Path) -> int | None:
    """The most tokens the model reads: tokenizer_config.json's model_max_length, else config.json's
    max_position_embeddings; None when neither says."""
    limit = _read_json(directory / "tokenizer_config.json").get("model_max_length")
    if isinstance(limit, (int, float)) and 0 < limit < _NO_LIMIT:
        return int(limit)
    limit = _read_json(directory / "config.json").get("max_position_embeddings")
    return int(limit) if isinstance(limit, int) and limit > 0 else None


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
