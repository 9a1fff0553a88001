"""Chinese word segmentation with jieba, then a word vocabulary.

jieba (Python) cuts each run of CJK characters into words -> the words are joined with spaces -> the word level's
`tokenizers` pipeline (NFKC, lowercase, Keras's filter; split on whitespace; WordLevel of the `num_words` most
frequent words, [PAD] = 0). The segmentation happens before the `tokenizers` pipeline because a Python
pre-tokenizer cannot be saved in tokenizer.json; the saved file therefore expects segmented text, and
`JiebaTokenizer.load` redoes the same segmentation (jieba's bundled dictionary, HMM for unknown words, both
deterministic), so saved and loaded tokenizers give identical ids. Kana and Hangul runs come out of jieba one
character per token, as at word level.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from ..config import TokenizerConfig
from ..errors import ConfigError
from ..log import logger
from .scripts import CJK_RANGES
from .tokenizer import SPECIAL_TOKENS, UNK, TextTokenizer, normalizer

SEGMENTATION_FILE = "segmentation.json"  # beside tokenizer.json: which segmenter, to warn on a version change
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
_HMM = True  # jieba's HMM joins characters its dictionary lacks into words (names, slang); deterministic


class JiebaTokenizer(TextTokenizer):
    """jieba words for CJK text, Keras-like words for the rest; a vocabulary of the `num_words` most frequent."""

    def _segment(self, texts: list[str]) -> list[str]:
        return [segment(text) for text in texts]

    def _train(self, texts: list[str]) -> Tokenizer:
        cfg = self.config
        self.level_ = "jieba"
        logger.info(f"tokenization: Chinese words segmented with jieba, other text as words; vocabulary of the "
                    f"{cfg.num_words} most frequent tokens, maxlen {cfg.maxlen}")
        tokenizer = Tokenizer(models.WordLevel(unk_token=UNK))
        tokenizer.normalizer = normalizer(cfg)
        tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.WordLevelTrainer(vocab_size=cfg.num_words, special_tokens=SPECIAL_TOKENS,
                                            show_progress=False)
        tokenizer.train_from_iterator(self._segment(texts), trainer=trainer)
        return tokenizer

    def to_dict(self) -> dict:
        """The word level's state, with segmentation.json: which jieba segmented the training texts."""
        state = super().to_dict()
        jieba = _import_jieba()
        segmenter = {"segmenter": "jieba", "version": jieba.__version__, "dictionary": "bundled", "hmm": _HMM}
        state["files"][SEGMENTATION_FILE] = json.dumps(segmenter, indent=2) + "\n"
        return state

    @classmethod
    def load(cls, directory: Path, config: TokenizerConfig, level: str) -> JiebaTokenizer:
        stage = super().load(directory, config, level)
        path = Path(directory) / SEGMENTATION_FILE
        if path.is_file():
            jieba = _import_jieba()
            saved = json.loads(path.read_text(encoding="utf-8")).get("version")
            if saved != jieba.__version__:
                logger.warning(f"{directory} was trained with jieba {saved}; jieba {jieba.__version__} is installed "
                               "and may segment some words differently. Install jieba=={saved} to be exact.")
        return stage


def segment(text: str) -> str:
    """`text` with each CJK run cut into jieba words, all separated by spaces: "我爱北京" -> " 我 爱 北京 "."""
    text = unicodedata.normalize("NFKC", text)
    cut = _jieba().cut
    return _CJK_RUN.sub(lambda run: " " + " ".join(cut(run.group(), HMM=_HMM)) + " ", text)


@functools.cache
def _jieba():
    """jieba's tokenizer with its dictionary loaded, once per process. jieba reports the loading on stderr
    through its own logger at DEBUG ("Building prefix dict ..."); that logger is set to WARNING."""
    jieba = _import_jieba()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logger.debug("jieba: loading its dictionary")
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _import_jieba():
    try:
        import jieba
    except ImportError:
        raise ConfigError("tokenizer.level 'jieba' needs the jieba package: pip install jieba") from None
    return jieba
