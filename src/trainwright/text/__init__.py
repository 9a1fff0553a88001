"""Tokenizers that turn text into sequences of ids: one class per kind, chosen by `tokenizer.level`."""

from .chinese import JiebaTokenizer
from .levels import load_tokenizer, make_tokenizer, tokenizer_from_dict
from .pretrained import PretrainedTokenizer
from .subword import SubwordTokenizer
from .tokenizer import TextTokenizer

__all__ = ["JiebaTokenizer", "PretrainedTokenizer", "SubwordTokenizer", "TextTokenizer", "load_tokenizer",
           "make_tokenizer", "tokenizer_from_dict"]
