"""Normalize free text before tokenization: HTML, Unicode forms, URLs, e-mail addresses, numbers, whitespace.

A pure function of the configuration; it has `fit` and `to_dict` like every other stage so that the pipeline
treats all stages alike. Steps run in this order: HTML first (an entity such as `&#65313;` may decode to a
full-width letter that NFKC then folds), e-mails before URLs (an address contains a domain), numbers last (so
that the digits inside a URL go with it).
"""

from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd

from ..config import TextCleaningConfig
from ..stage import check_is_fitted

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)  # their content is code, not text
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")  # a letter after "<": "a < b" and "<3" are text, not tags
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"']+?(?=[.,;:!?)\]'\"]*(?:\s|$))", re.I)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?![\w])")
URL, EMAIL, NUM = " [URL] ", " [EMAIL] ", " [NUM] "


class TextNormalizer:
    """Map texts to their normalized form; a missing text becomes the empty string."""

    def __init__(self, config: TextCleaningConfig | None = None):
        self.config = config or TextCleaningConfig()

    def fit(self, texts=None) -> "TextNormalizer":
        self.fitted_ = True  # nothing to learn: present so that every stage is used the same way
        return self

    def transform(self, texts: list[str] | pd.Series) -> list[str] | pd.Series:
        """The normalized strings: a list for a list, a Series (same index and name) for a Series."""
        check_is_fitted(self, "fitted_")
        if isinstance(texts, pd.Series):
            return pd.Series([self.normalize(t) for t in texts], index=texts.index, name=texts.name, dtype=object)
        return [self.normalize(t) for t in texts]

    def normalize(self, text) -> str:
        if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
            return ""
        cfg = self.config
        text = str(text)
        # Each step is skipped when a cheap test shows it has nothing to do: most texts have no tag, address
        # or URL, and this runs on every row of a file millions of rows long.
        if cfg.html:
            if "<" in text:
                text = _TAG.sub(" ", _COMMENT.sub(" ", _SCRIPT.sub(" ", text)))
            text = html.unescape(text)
        if cfg.nfkc and not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if cfg.emails and "@" in text:
            text = _EMAIL.sub(EMAIL, text)
        if cfg.urls and ("://" in text or "www." in text.lower()):
            text = _URL.sub(URL, text)
        if cfg.numbers:
            text = _NUMBER.sub(NUM, text)
        if cfg.whitespace:
            text = " ".join(text.split())
        return text

    def to_dict(self) -> dict:
        check_is_fitted(self, "fitted_")
        return {"config": self.config.model_dump()}

    @classmethod
    def from_dict(cls, state: dict) -> "TextNormalizer":
        return cls(TextCleaningConfig(**state["config"])).fit()
