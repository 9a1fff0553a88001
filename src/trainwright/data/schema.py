"""Which column is the text and which is the target, when the user does not say.

Text is the string column with long, mostly distinct, free-form values. The target is the column named like a
label (label, target, class, sentiment, y, ...), else the only low-cardinality column. Each choice comes with
the reason, told to the user once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError

_TARGET_NAME = re.compile(r"^(labels?|targets?|class(es)?|sentiment|y|category|outcome|polarity)$", re.I)
_TARGET_PART = re.compile(r"(label|target|class|sentiment)", re.I)
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_MAX_CLASSES = 50  # a column with more distinct values than this is not taken as a class label by inference


@dataclass
class ColumnRoles:
    target: str
    text: list[str]
    reasons: list[str] = field(default_factory=list)


def infer_roles(frame: pd.DataFrame, source: str, target: str | None = None,
                text: list[str] | None = None) -> ColumnRoles:
    """Resolve the target and text columns of `frame` (read from `source`), inferring the ones not given."""
    reasons = []
    for column in ([target] if target else []) + list(text or []):
        require_column(frame, column, source)
    if not text:
        column, why = _infer_text(frame, source, exclude={target})
        text = [column]
        reasons.append(f"text column: '{column}' ({why}); pass --text to choose another")
    if not target:
        target, why = _infer_target(frame, source, exclude=set(text))
        reasons.append(f"target column: '{target}' ({why}); pass --target to choose another")
    if target in text:
        raise DataError(f"{source}: column '{target}' cannot be both the target and a text column.")
    return ColumnRoles(target=target, text=list(text), reasons=reasons)


def require_column(frame: pd.DataFrame, column: str, source: str) -> None:
    if column in frame.columns:
        return
    close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise DataError(
        f"{source}: no column named '{column}'.{hint} Columns are: {', '.join(map(str, frame.columns))}."
    )


def _infer_text(frame: pd.DataFrame, source: str, exclude: set) -> tuple[str, str]:
    scored = []
    for column in frame.columns:
        if column in exclude:
            continue
        values = frame[column].dropna()
        if values.empty or not _is_string(frame[column]):
            continue
        values = values.astype(str)
        mean_chars = values.str.len().mean()
        distinct = values.nunique() / len(values)
        # Free-form text: long values that rarely repeat. Category names are short and repeat. Chinese and
        # Japanese say in 6 characters what English says in 15 or more.
        long_enough = mean_chars >= (6 if _CJK.search("".join(values.head(200))) else 15)
        if long_enough and distinct >= 0.3:
            scored.append((mean_chars, column, f"free-form strings, mean {mean_chars:.0f} characters, "
                                               f"{distinct:.0%} distinct"))
    if not scored:
        raise DataError(
            f"{source}: found no free-form text column (string values of 15+ characters, mostly distinct). "
            f"Columns are: {', '.join(map(str, frame.columns))}. Pass --text COLUMN."
        )
    scored.sort(reverse=True)
    return scored[0][1], scored[0][2]


def _infer_target(frame: pd.DataFrame, source: str, exclude: set) -> tuple[str, str]:
    candidates = [c for c in frame.columns if c not in exclude]
    exact = [c for c in candidates if _TARGET_NAME.match(str(c))]
    named = exact or [c for c in candidates if _TARGET_PART.search(str(c))]
    if len(named) == 1:
        return named[0], "named like a label"
    if len(named) > 1:
        raise DataError(
            f"{source}: cannot tell which column is the target; several are named like one: "
            f"{', '.join(map(str, named))}. Pass --target COLUMN."
        )
    low = [c for c in candidates if 2 <= frame[c].nunique() <= _MAX_CLASSES]
    if len(low) == 1:
        return low[0], f"the only column with few distinct values ({frame[low[0]].nunique()})"
    if not low:
        raise DataError(
            f"{source}: found no target column (none is named like label/target/class/sentiment/y, and none "
            f"has between 2 and {_MAX_CLASSES} distinct values). Pass --target COLUMN."
        )
    raise DataError(
        f"{source}: cannot tell which column is the target; candidates with few distinct values: "
        f"{', '.join(map(str, low))}. Pass --target COLUMN."
    )


def _is_string(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object
