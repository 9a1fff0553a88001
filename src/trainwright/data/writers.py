"""Write a table chunk by chunk to CSV, TSV, JSON Lines or Parquet (by extension), or CSV on stdout.

The file is written beside its destination and renamed when complete, so an interrupted run never leaves half a
file where a whole one is expected.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import DataError

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet")


class TableWriter:
    """`with TableWriter(path) as writer: writer.write(chunk)` for each chunk; "-" writes CSV to stdout."""

    def __init__(self, path: str | Path):
        self.path = None if str(path) == "-" else Path(path)
        self.suffix = ".csv" if self.path is None else self.path.suffix.lower()
        if self.suffix not in FORMATS:
            raise DataError(f"{path}: cannot write '{self.path.suffix}' files; use one of {', '.join(FORMATS)} "
                            "or -.")
        self.temporary: Path | None = None
        self.parquet = None  # pyarrow.parquet.ParquetWriter, opened with the first chunk's schema
        self.chunks = 0

    def __enter__(self) -> TableWriter:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=self.suffix, dir=self.path.parent)
            os.close(handle)
            self.temporary = Path(name)
        return self

    def write(self, chunk: pd.DataFrame) -> None:
        first = self.chunks == 0
        self.chunks += 1
        if self.path is None:
            chunk.to_csv(sys.stdout, index=False, header=first)
        elif self.suffix in (".csv", ".tsv"):
            chunk.to_csv(self.temporary, index=False, header=first, mode="w" if first else "a",
                         sep="," if self.suffix == ".csv" else "\t")
        elif self.suffix == ".jsonl":
            chunk.to_json(self.temporary, orient="records", lines=True, force_ascii=False, mode="w" if first else "a")
        else:
            self._write_parquet(chunk)

    def _write_parquet(self, chunk: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.parquet is None:
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            self.parquet = pq.ParquetWriter(self.temporary, table.schema)
        else:  # later chunks take the first one's column types (a column all missing in one chunk stays typed)
            table = pa.Table.from_pandas(chunk, schema=self.parquet.schema, preserve_index=False)
        self.parquet.write_table(table)

    def __exit__(self, kind, error, traceback) -> None:
        if self.parquet is not None:
            self.parquet.close()
        if self.temporary is None:
            return
        if error is None:
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path | None:
    """Write a whole table; returns the path written, None for stdout."""
    with TableWriter(path) as writer:
        writer.write(frame)
    return writer.path
