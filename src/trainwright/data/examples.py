"""Turn a table into labeled examples: the input columns and the target, leaving out unusable rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, rows_preview
from ..log import logger
from .missing import MISSING_TOKENS
from .schema import require_column

TEXT_SEPARATOR = " [SEP] "  # between the values of several text columns; a special token of the tokenizer
# A placeholder in the target ('?', 'N/A', ...) is no label, as an empty cell is: one rule everywhere, so a '?' is
# never a class in one place and a missing value in another. 'none' and 'unknown' can be real classes.
NO_LABEL = MISSING_TOKENS - {"none", "unknown"}


@dataclass
class Examples:
    """inputs: the input columns; both it and target are indexed by each row's 0-based position in its file."""

    inputs: pd.DataFrame
    target: pd.Series | None  # None for unlabeled data
    text_columns: list[str] = field(default_factory=list)
    # images: the image encoder holding the pixels decoded for the image column (images/encoder.py)
    images: object | None = None

    @property
    def texts(self) -> list[str]:
        return join_text(self.inputs, self.text_columns, "examples") if self.text_columns else [""] * len(self)

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, positions) -> "Examples":
        """The examples at these 0-based positions (iloc), keeping their file row numbers."""
        return Examples(self.inputs.iloc[positions], self.target.iloc[positions], self.text_columns, self.images)


def join_text(frame: pd.DataFrame, columns: list[str], source: str) -> list[str]:
    """One string per row; missing values become empty strings."""
    for column in columns:
        require_column(frame, column, source)
    parts = [frame[c].fillna("").astype(str).str.strip() for c in columns]
    if len(parts) == 1:
        return parts[0].tolist()
    return [TEXT_SEPARATOR.join(values).strip() for values in zip(*parts)]


def join_texts(columns: list[list]) -> list[str]:
    """`join_text` on plain lists, one per text column (values str or None), for rows that are not a table."""
    parts = [[("" if value is None else str(value)).strip() for value in values] for values in columns]
    if len(parts) == 1:
        return parts[0]
    return [TEXT_SEPARATOR.join(values).strip() for values in zip(*parts)]


def labeled_examples(frame: pd.DataFrame, text: list[str], target: str, source: str,
                     features: list[str] | tuple = (), left_out: LeftOutRows | None = None) -> Examples:
    """Rows with a label and something to learn from, left out rows reported: a missing label, or empty text
    when text is the only input.

    For a whole file, rows are numbered 0.. and what is left out is reported now. For a chunk of a file (see
    streaming.read_chunks, whose index holds the file's row numbers), pass a `left_out` shared by the chunks and
    report it after the last; a chunk may then have no usable row."""
    require_column(frame, target, source)
    for column in features:
        require_column(frame, column, source)
    whole = left_out is None
    if whole:
        frame = frame.set_axis(pd.RangeIndex(len(frame)))
        left_out = LeftOutRows(text, target)
    inputs = frame[list(text) + [c for c in features if c not in text]]
    labels = frame[target]
    empty_text = np.zeros(len(frame), dtype=bool)
    if text and not features:
        joined = pd.Series(join_text(inputs, list(text), source), index=frame.index)
        empty_text = (joined.str.replace("[SEP]", "", regex=False).str.strip() == "").to_numpy()
    missing_label = (labels.isna() | labels.astype(str).str.strip().str.lower().isin(NO_LABEL)).to_numpy() & ~empty_text
    left_out.add(left_out.empty_text, frame.index[empty_text])
    left_out.add(left_out.missing_label, frame.index[missing_label])
    keep = ~(empty_text | missing_label)
    if whole:
        left_out.report(source)
        if not keep.any():
            raise left_out.nothing_usable(source)
    return Examples(inputs=inputs[keep], target=labels[keep].rename(target), text_columns=list(text))


class LeftOutRows:
    """The rows left out of a file (empty text, missing label), counted over one or several chunks of it, with
    the first few row numbers of each reason."""

    SHOWN = 5

    def __init__(self, text: list[str], target: str):
        self.empty_text = f"empty text in {', '.join(repr(c) for c in text)}"
        self.missing_label = f"missing label in '{target}'"
        self.reasons = {self.empty_text: {"count": 0, "rows": []}, self.missing_label: {"count": 0, "rows": []}}

    def add(self, reason: str, positions: pd.Index) -> None:
        """Count rows at these 0-based file positions."""
        tally = self.reasons[reason]
        tally["count"] += len(positions)
        room = self.SHOWN - len(tally["rows"])
        tally["rows"] += [int(i) + 1 for i in positions[:max(room, 0)]]

    def report(self, source: str) -> None:
        for reason, tally in self.reasons.items():
            count = tally["count"]
            if count:
                logger.warning(f"{source}: {count} row{'s' if count > 1 else ''} left out, {reason} "
                               f"({rows_preview(tally['rows'], total=count)}, counting data rows from 1).")

    @staticmethod
    def nothing_usable(source: str) -> DataError:
        return DataError(f"{source}: no row has both text (or features) and a label; check --text and --target.")

    def to_dict(self) -> dict:
        return {"reasons": self.reasons}

    @classmethod
    def from_dict(cls, state: dict) -> LeftOutRows:
        tally = cls.__new__(cls)
        tally.empty_text, tally.missing_label = list(state["reasons"])
        tally.reasons = state["reasons"]
        return tally
