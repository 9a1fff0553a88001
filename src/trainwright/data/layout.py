"""Whether a CSV/TSV file's first row names the columns, and what the columns are called when it does not.

UCI files and many exports have no header row: read as names, their first data row would be lost silently. A
first row with numbers where names would be, in columns whose rows below hold numbers too, is read as data and
the columns are named column_1..column_N (said once). --header/--no-header and --column-names decide by hand; a
model keeps the names it was trained with, so a headerless file of the same layout predicts with or without its
target column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..errors import DataError
from ..log import logger
from .missing import MISSING_TOKENS

SAMPLE_ROWS = 20  # rows below the first that it is compared with
WHITESPACE = r"\s+"  # the separator of files whose fields are separated by runs of spaces (UCI's .data files)


def split_rows(text: str, sep: str) -> list[list[str]]:
    """The fields of each non-empty line of `text`, as the table's parser will read them."""
    if sep == WHITESPACE:
        return [line.split() for line in text.splitlines() if line.strip()]
    # newline="": the csv module reads line ends itself (a lone \r inside a field is no row's end)
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if row]


@dataclass(frozen=True)
class Layout:
    """What the user (or a saved model) says about the header: `header` "auto", True or False; `names` the
    column names, for a file without a header or to replace it; `target` the one column a file may lack (a file
    to predict on)."""

    header: bool | str = "auto"
    names: tuple[str, ...] | None = None
    target: str | None = None

    @classmethod
    def of(cls, data_config, header: bool | None = None, names: list[str] | None = None) -> Layout:
        """The layout of a config's data section (a RunConfig's, or a saved model's), flags overriding it."""
        names = names or data_config.column_names
        return cls(data_config.header if header is None else header, tuple(names) if names else None,
                   data_config.target)

    def resolve(self, sample: str, sep: str, source: str) -> tuple[bool, list[str] | None]:
        """From the file's first lines: whether its first row is a header, and the names to give the columns
        (None: the header's own)."""
        try:
            rows = split_rows(sample, sep)
        except csv.Error:  # malformed beyond the csv module's reach: pandas' parser says where
            rows = []
        rows = rows[:SAMPLE_ROWS + 1]
        first = [field.strip() for field in rows[0]] if rows else []
        is_header = self.header
        if self.header == "auto":
            if self.names:
                is_header = first == list(self.names) or first == self._without_target()
            else:
                is_header = not _looks_like_data(rows)
                if not is_header:
                    logger.info(f"{source}: the first row ({', '.join(first[:4])}{', ...' if len(first) > 4 else ''}) "
                                "looks like data, not column names, so it is read as a data row and the columns "
                                f"are named column_1..column_{len(first)}. Pass --header if it is a header row, or "
                                "--column-names to name the columns.")
        if not self.names:
            return is_header, None if is_header else [f"column_{i}" for i in range(1, len(first) + 1)]
        return is_header, self._fitted(len(first), source)

    def _without_target(self) -> list[str]:
        return [name for name in self.names if name != self.target]

    def _fitted(self, width: int, source: str) -> list[str]:
        """The names for a file `width` fields wide: all of them, or all but the target for a file without it."""
        if width == len(self.names):
            return list(self.names)
        if self.target in self.names and width == len(self.names) - 1:
            return self._without_target()
        raise DataError(f"{source}: its first row has {width} fields, but {len(self.names)} column names are given "
                        f"({', '.join(self.names)}). Give one name per column with --column-names, or pass --header "
                        "if the file names its columns itself.")


def _looks_like_data(rows: list[list[str]]) -> bool:
    """Numbers in the first row, each over a column of numbers: column names are not numbers."""
    if len(rows) < 2:
        return False  # a lone row is a header without data
    first, below = rows[0], rows[1:]
    numeric = [i for i, field in enumerate(first) if _is_number(field)]
    return bool(numeric) and all(_numbers_below(below, i) for i in numeric)


def _numbers_below(rows: list[list[str]], column: int) -> bool:
    present = [row[column] for row in rows if column < len(row) and row[column].strip().lower() not in MISSING_TOKENS]
    return bool(present) and all(_is_number(value) for value in present)


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return text.strip().lower() not in MISSING_TOKENS  # 'nan' parses, but is a placeholder
