"""Turn a table into labeled examples: joined text and target, leaving out (and reporting) unusable rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import DataError, rows_preview
from ..log import logger
from .schema import require_column

TEXT_SEPARATOR = " [SEP] "  # between the values of several text columns; a special token of the tokenizer


@dataclass
class Examples:
    texts: list[str]
    target: pd.Series | None  # indexed by each row's 0-based position in its file; None for unlabeled data


def join_text(frame: pd.DataFrame, columns: list[str], source: str) -> list[str]:
    """One string per row; missing values become empty strings."""
    for column in columns:
        require_column(frame, column, source)
    parts = [frame[c].fillna("").astype(str).str.strip() for c in columns]
    if len(parts) == 1:
        return parts[0].tolist()
    return [TEXT_SEPARATOR.join(values).strip() for values in zip(*parts)]


def labeled_examples(frame: pd.DataFrame, text: list[str], target: str, source: str) -> Examples:
    """Rows with text and a label. Rows with empty text or a missing label are left out and reported."""
    require_column(frame, target, source)
    texts = pd.Series(join_text(frame, text, source), index=frame.index)
    labels = frame[target]
    empty_text = texts.str.replace("[SEP]", "", regex=False).str.strip() == ""
    missing_label = labels.isna() | (labels.astype(str).str.strip() == "")
    _report(source, empty_text, f"empty text in {', '.join(repr(c) for c in text)}")
    _report(source, missing_label & ~empty_text, f"missing label in '{target}'")
    keep = ~(empty_text | missing_label)
    if not keep.any():
        raise DataError(f"{source}: no row has both text and a label; check --text and --target.")
    positions = pd.RangeIndex(len(frame))[keep.to_numpy()]
    return Examples(texts=texts[keep].tolist(), target=pd.Series(labels[keep].to_numpy(), index=positions,
                                                                 name=target))


def _report(source: str, mask: pd.Series, why: str) -> None:
    count = int(mask.sum())
    if count:
        rows = [i + 1 for i, flagged in enumerate(mask.to_numpy()) if flagged]
        logger.warning(f"{source}: {count} row{'s' if count > 1 else ''} left out, {why} "
                       f"({rows_preview(rows)}, counting data rows from 1).")
