"""Tokenizers that turn text into sequences of ids."""

from .tokenizer import TextTokenizer

__all__ = ["TextTokenizer"]
