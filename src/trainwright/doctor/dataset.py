"""The table under diagnosis: its frame, each column's kind and missing cells, and the target column.

Everything the checks share is computed here once: the kinds (`data.kinds`), the missing cells plain or
disguised (`data.missing`), and a canonical form of every cell used to compare rows (`normalize`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..data.kinds import ColumnKind, infer_kind
from ..data.missing import MissingReport, find_missing
from .normalize import canonical_frame, row_keys


@dataclass
class Dataset:
    frame: pd.DataFrame  # positions 0..n-1; row numbers shown to users are positions + 1
    source: str
    target: str | None = None
    target_reason: str = ""
    kinds: dict[str, ColumnKind] = field(default_factory=dict)
    missing: dict[str, MissingReport] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str) -> Dataset:
        frame = frame.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        kinds = {c: infer_kind(frame[c]) for c in frame.columns}
        missing = {c: find_missing(frame[c]) for c in frame.columns}
        return cls(frame=frame, source=source, kinds=kinds, missing=missing)

    def weigh_sentinels(self) -> None:
        """Judge the suspected sentinels again with the labels, once the target is known: a sentinel whose rows
        differ from the others in label rate is kept as a value (`MissingReport.kept`)."""
        if self.target is None:
            return
        labels = self.frame[self.target].mask(self.missing_mask(self.target))
        if self.kind(self.target) == "numeric":
            labels = pd.to_numeric(labels, errors="coerce").astype("float64")
        else:
            labels = labels.where(labels.isna(), labels.astype(str))  # classes, whatever their type
        for column, report in self.missing.items():
            if column != self.target and report.sentinels:
                self.missing[column] = find_missing(self.frame[column], labels)

    def __len__(self) -> int:
        return len(self.frame)

    def kind(self, column: str) -> str:
        return self.kinds[column].kind

    def columns_of(self, *kinds: str) -> list[str]:
        return [c for c in self.frame.columns if self.kind(c) in kinds and c != self.target]

    def missing_mask(self, column: str) -> np.ndarray:
        """True where the cell is missing, plainly or in disguise."""
        mask = np.zeros(len(self), dtype=bool)
        mask[self.missing[column].rows] = True
        return mask

    def numbers(self, column: str) -> pd.Series:
        """The column as floats, with every missing cell (disguised ones too) as NaN."""
        values = self.frame[column].mask(self.missing_mask(column))
        return pd.to_numeric(values, errors="coerce").astype("float64")

    @property
    def inputs(self) -> list[str]:
        """The columns a model learns from: all but the target and identifiers."""
        return [c for c in self.frame.columns if c != self.target and self.kind(c) != "identifier"]

    @cached_property
    def canonical(self) -> pd.DataFrame:
        return canonical_frame(self.frame, {c: self.missing_mask(c) for c in self.frame.columns})

    def keys(self, columns: list[str]) -> pd.Series:
        """One hash per row over `columns` in canonical form (case, whitespace and HTML ignored)."""
        return row_keys(self.canonical, columns)
