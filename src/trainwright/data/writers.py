"""Write a table chunk by chunk to CSV, TSV, JSON Lines or Parquet (by extension), or CSV on stdout.

The file is written beside its destination and renamed when complete, so an interrupted run never leaves half a
file where a whole one is expected. An existing file is replaced only with `overwrite=True`, or when trainwright
wrote it: a file it writes has its name recorded in a `.trainwright-outputs` list in the same folder, and that
entry goes when the file changes size or date, so a file edited or replaced since is never taken for ours.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from ..destination import not_writable
from ..errors import ArtifactError, DataError

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet")
WRITTEN = ".trainwright-outputs"  # per folder: name, size and date of each file trainwright wrote there


class TableWriter:
    """`with TableWriter(path) as writer: writer.write(chunk)` for each chunk; "-" writes CSV to stdout."""

    def __init__(self, path: str | Path, overwrite: bool = False):
        self.path = None if str(path) == "-" else Path(path)
        self.suffix = ".csv" if self.path is None else self.path.suffix.lower()
        if self.suffix not in FORMATS:
            raise DataError(f"{path}: cannot write '{self.path.suffix}' files; use one of {', '.join(FORMATS)} "
                            "or -.")
        self.temporary: Path | None = None
        self.parquet = None  # pyarrow.parquet.ParquetWriter, opened with the first chunk's schema
        self.chunks = 0
        self.overwrite = overwrite

    def __enter__(self) -> TableWriter:
        if self.path is not None:
            if self.path.is_dir():
                raise ArtifactError(f"{self.path} is a folder: give -o a file name such as predictions.csv.")
            if self.path.exists() and not self.overwrite and not _written_by_us(self.path):
                raise ArtifactError(f"{self.path} exists, and trainwright did not write it or it has changed since: "
                                    "pass --overwrite to replace it, or choose another -o.")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=self.suffix,
                                                dir=self.path.parent)
            except OSError as e:
                raise not_writable(self.path.parent, e) from None
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
            os.chmod(self.temporary, 0o666 & ~_umask())  # mkstemp makes it private; an output is an ordinary file
            os.replace(self.temporary, self.path)
            _record(self.path)
        else:
            self.temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _signature(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}\t{stat.st_size}\t{stat.st_mtime_ns}"


def _written_by_us(path: Path) -> bool:
    try:
        return _signature(path) in (path.parent / WRITTEN).read_text(encoding="utf-8").splitlines()
    except OSError:
        return False


def _record(path: Path) -> None:
    """Note `path` as trainwright's output (best effort: without the note, a re-run asks for --overwrite)."""
    record = path.parent / WRITTEN
    try:
        lines = record.read_text(encoding="utf-8").splitlines() if record.is_file() else []
        lines = [line for line in lines if line.split("\t")[0] != path.name] + [_signature(path)]
        record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        pass


def write_table(frame: pd.DataFrame, path: str | Path, overwrite: bool = False) -> Path | None:
    """Write a whole table; returns the path written, None for stdout."""
    with TableWriter(path, overwrite) as writer:
        writer.write(frame)
    return writer.path
