"""Turn a table into labeled examples: the input columns and the target, leaving out unusable rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError, rows_preview
from ..log import logger
from .schema import require_column

TEXT_SEPARATOR = " [SEP] "  # between the values of several text columns; a special token of the tokenizer


@dataclass
class Examples:
    """inputs: the input columns; both it and target are indexed by each row's 0-based position in its file."""

    inputs: pd.DataFrame
    target: pd.Series | None  # None for unlabeled data
    text_columns: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return join_text(self.inputs, self.text_columns, "examples") if self.text_columns else [""] * len(self)

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, positions) -> "Examples":
        """The examples at these 0-based positions (iloc), keeping their file row numbers."""
        return Examples(self.inputs.iloc[positions], self.target.iloc[positions], self.text_columns)


def join_text(frame: pd.DataFrame, columns: list[str], source: str) -> list[str]:
    """One string per row; missing values become empty strings."""
    for column in columns:
        require_column(frame, column, source)
    parts = [frame[c].fillna("").astype(str).str.strip() for c in columns]
    if len(parts) == 1:
        return parts[0].tolist()
    return [TEXT_SEPARATOR.join(values).strip() for values in zip(*parts)]


def labeled_examples(frame: pd.DataFrame, text: list[str], target: str, source: str,
                     features: list[str] | tuple = ()) -> Examples:
    """Rows with a label and something to learn from, left out rows reported: a missing label, or empty text
    when text is the only input."""
    require_column(frame, target, source)
    for column in features:
        require_column(frame, column, source)
    positions = pd.RangeIndex(len(frame))
    inputs = frame[list(text) + [c for c in features if c not in text]].set_axis(positions)
    labels = frame[target].set_axis(positions)
    empty_text = pd.Series(False, index=positions)
    if text and not features:
        joined = pd.Series(join_text(inputs, list(text), source), index=positions)
        empty_text = joined.str.replace("[SEP]", "", regex=False).str.strip() == ""
    missing_label = labels.isna() | (labels.astype(str).str.strip() == "")
    _report(source, empty_text, f"empty text in {', '.join(repr(c) for c in text)}")
    _report(source, missing_label & ~empty_text, f"missing label in '{target}'")
    keep = (~(empty_text | missing_label)).to_numpy()
    if not keep.any():
        raise DataError(f"{source}: no row has both text (or features) and a label; check --text and --target.")
    return Examples(inputs=inputs[keep], target=labels[keep].rename(target), text_columns=list(text))


def _report(source: str, mask: pd.Series, why: str) -> None:
    count = int(mask.sum())
    if count:
        rows = [i + 1 for i, flagged in enumerate(mask.to_numpy()) if flagged]
        logger.warning(f"{source}: {count} row{'s' if count > 1 else ''} left out, {why} "
                       f"({rows_preview(rows)}, counting data rows from 1).")
