"""Text columns: how long the texts are, which are unusually long, which are empty.

Length is counted in characters and in whitespace-separated tokens; for Chinese, Japanese or Korean text, which
trainwright splits into characters, the long-text check counts characters.
"""

from __future__ import annotations


import numpy as np

from ...text.scripts import CJK
from ..dataset import Dataset
from ..report import Finding, plural, where

MAX_TOKENS = 512  # longer than what most text models read at once
_DEFAULT_MAXLEN = 100  # the tokenizer's default `maxlen`: longer texts are cut


def check_text(data: Dataset) -> list[Finding]:
    findings = []
    for column in data.columns_of("text"):
        text = data.frame[column].astype("string").fillna("")
        empty = (text.str.strip() == "").to_numpy()
        present = text[~empty]
        chars = present.str.len().to_numpy()
        tokens = present.str.split().str.len().to_numpy()
        cjk = bool(CJK.search("".join(present.head(200))))
        lengths, unit = (chars, "characters") if cjk else (tokens, "tokens")
        findings.append(_lengths(column, chars, tokens, lengths, unit))
        findings += _long_texts(column, np.flatnonzero(~empty), lengths, unit)
        if empty.any():
            findings.append(_empty(column, empty))
    return findings


def _empty(column: str, empty: np.ndarray) -> Finding:
    rows = (np.flatnonzero(empty) + 1).tolist()
    verb, them = ("has", "it") if len(rows) == 1 else ("have", "them")
    message = f"{plural(len(rows), 'row')} {verb} empty text in {column}{where(rows)}; training leaves {them} out."
    return Finding("empty_texts", "warning", message,
                   "fill in the text; or nothing: training leaves these rows out", columns=[column],
                   count=len(rows), rows=rows)


def _stats(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {"min": 0, "median": 0, "p95": 0, "p99": 0, "max": 0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"min": int(values.min()), "median": float(p50), "p95": float(p95), "p99": float(p99),
            "max": int(values.max())}


def _lengths(column: str, chars: np.ndarray, tokens: np.ndarray, lengths: np.ndarray, unit: str) -> Finding:
    c, t = _stats(chars), _stats(tokens)
    keep = max(1, round(float(np.percentile(lengths, 95)))) if len(lengths) else 1
    in_tokens = "" if unit == "characters" else f" and {_spread(t, 'tokens')}"
    message = f"{column}: texts have {_spread(c, 'characters')}{in_tokens}."
    return Finding("text_length", "info", message,
                   f"tokenizer.maxlen: {keep} keeps 95% of texts whole ({unit}; default 100)",
                   columns=[column], count=len(chars), details={"characters": c, "tokens": t})


def _spread(stats: dict[str, float], unit: str) -> str:
    """'5-283 characters (median 99, 95th percentile 195)'."""
    span = f"{stats['min']:,}" if stats["min"] == stats["max"] else f"{stats['min']:,}-{stats['max']:,}"
    return f"{span} {unit} (median {stats['median']:,.0f}, 95th percentile {stats['p95']:,.0f})"


def _long_texts(column: str, positions: np.ndarray, lengths: np.ndarray, unit: str) -> list[Finding]:
    """Texts longer than 99% of the others, or longer than MAX_TOKENS."""
    if not len(lengths):
        return []
    limit = min(np.percentile(lengths, 99), MAX_TOKENS)
    long = lengths > limit
    if not long.any():
        return []
    rows = (positions[long] + 1).tolist()
    over = int((lengths > MAX_TOKENS).sum())
    severity = "warning" if over else "info"
    beyond = f", {over} of them over {MAX_TOKENS}" if over else ""
    message = (f"{column}: {plural(len(rows), 'text')} {'is' if len(rows) == 1 else 'are'} longer than 99% of the "
               f"others: over {limit:,.0f} {unit}{beyond}, up to {int(lengths.max()):,}{where(rows)}.")
    if lengths.max() <= _DEFAULT_MAXLEN:
        fix = "nothing to do at the default tokenizer.maxlen (100); check they are not several records run together"
    else:
        fix = "tokenizer.maxlen (default 100) cuts them; tokenizer.truncating: post keeps the start, pre the end"
    return [Finding("long_texts", severity, message, fix, columns=[column], count=len(rows), rows=rows,
                    details={"unit": unit, "limit": float(limit), f"over_{MAX_TOKENS}": over})]
