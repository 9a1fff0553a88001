"""The tokenizer class for each `tokenizer.level`, and the loader of a saved tokenizer."""

from __future__ import annotations

from pathlib import Path

from ..config import TokenizerConfig
from ..errors import ArtifactError
from .chinese import JiebaTokenizer
from .pretrained import PretrainedTokenizer
from .subword import SubwordTokenizer
from .tokenizer import TextTokenizer

# auto is the word level, which splits CJK text into characters (TextTokenizer says so when it is fitted).
# Characters stay auto's choice for Chinese: jieba words did not clearly beat them with the seed LSTM on
# waimai_10k (validation accuracy over seeds 0-4, same splits: characters 88.8%, jieba 89.5%, +0.7 points on
# average, under the 1-point bar that would justify segmenting every Chinese text with jieba by default).
TOKENIZERS: dict[str, type[TextTokenizer]] = {
    "auto": TextTokenizer, "word": TextTokenizer, "char": TextTokenizer,
    "bpe": SubwordTokenizer, "wordpiece": SubwordTokenizer, "unigram": SubwordTokenizer,
    "jieba": JiebaTokenizer, "pretrained": PretrainedTokenizer,
}


def make_tokenizer(config: TokenizerConfig, level: str | None = None,
                   pretrained_dir: Path | None = None) -> TextTokenizer:
    """An unfitted tokenizer for `level` (default: `config.level`); `pretrained_dir` is the pretrained model's
    directory, read by the pretrained level only."""
    level = level or config.level
    if level == "pretrained":
        return PretrainedTokenizer(config, pretrained_dir)
    if level != config.level:
        config = config.model_copy(update={"level": level})
    return TOKENIZERS[level](config)


def load_tokenizer(directory: Path, config: TokenizerConfig, level: str) -> TextTokenizer:
    """The tokenizer that `save(directory)` wrote at `level` (preprocessing.json's tokenizer_level)."""
    _check_level(level, f"{directory}/preprocessing.json")
    if not (Path(directory) / "tokenizer.json").is_file():
        raise ArtifactError(f"{directory} has no tokenizer.json, which its text inputs need. Retrain the model.")
    return TOKENIZERS[level].load(directory, config, level)


def tokenizer_from_dict(state: dict) -> TextTokenizer:
    """The tokenizer whose `to_dict()` gave `state`, of the class of its level."""
    _check_level(state["level"], "The saved tokenizer")
    return TOKENIZERS[state["level"]].from_dict(state)


def _check_level(level: str, where: str) -> None:
    if level not in TOKENIZERS or level == "auto":
        raise ArtifactError(f"{where}: unknown tokenizer_level {level!r}; expected one of "
                            f"{', '.join(k for k in TOKENIZERS if k != 'auto')}. Retrain the model.")
