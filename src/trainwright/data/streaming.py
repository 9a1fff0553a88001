"""Read a table in chunks of rows, so files larger than memory can be predicted with bounded memory.

Each chunk is typed as `read_table` types a whole file, and keeps the file's row numbers as its index, so errors
name the right row. `progress` reports how far through the file the reader is, in bytes or rows.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from ..log import logger
from .layout import Layout
from .nested import flat
from .readers import (COMPRESSION_ERRORS, COMPRESSIONS, CsvShape, damaged_archive, detect_encoding, empty_file,
                      first_lines, no_data_rows, open_bytes, read_table, table_format, unique_names, unreadable)

SAMPLE_BYTES = 1 << 20  # enough text to tell the encoding of a file
Progress = Callable[[int, int], None]  # (done, total), in the units of `table_size`


def table_size(path: str | Path) -> int:
    """The total that `read_chunks` reports progress against: rows of a Parquet file, bytes of anything else."""
    path = Path(path)
    if table_format(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    return path.stat().st_size


def read_chunks(path: str | Path, rows: int = 20_000, encoding: str | None = None,
                progress: Progress | None = None, layout: Layout | None = None) -> Iterator[pd.DataFrame]:
    """Yield `path` as DataFrames of at most `rows` rows, in file order; the same errors, and the same reading of
    the header (`layout`), as `read_table`."""
    path = Path(path)
    fmt = table_format(path)
    if fmt in (None, "json", "excel") or not path.is_file() or path.suffix.lower() == ".zip":
        # A .zip member is read whole: its progress would be counted in bytes the archive does not show.
        # A JSON array and a workbook cannot be read in parts; unknown and missing files get read_table's messages.
        frame = read_table(path, encoding, layout)
        if progress:
            progress(1, 1)
        yield frame
        return
    if path.stat().st_size == 0:
        raise empty_file(path)
    chunks = _parquet_chunks(path, rows) if fmt == "parquet" else _text_chunks(path, fmt, rows, encoding, layout)
    total = table_size(path)
    empty, names = True, None
    try:
        for chunk, done in chunks:
            if len(chunk):
                empty = False
                names = names or unique_names(chunk.columns, path)  # said once, for the first chunk
                chunk.columns = names
                yield chunk
            if progress:
                progress(min(done, total), total)
    except COMPRESSION_ERRORS as e:  # a damaged archive, found on the way
        if path.suffix.lower() not in COMPRESSIONS:
            raise
        raise damaged_archive(path, e) from None
    if empty:
        raise no_data_rows(path)


def _parquet_chunks(path: Path, rows: int) -> Iterator[tuple[pd.DataFrame, int]]:
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a corrupt file
        raise unreadable(path, "parquet", e) from None
    start, told = 0, set()
    for batch in reader.iter_batches(batch_size=rows):
        chunk = flat(batch.to_pandas(), str(path), told)
        chunk.index = pd.RangeIndex(start, start + len(chunk))
        start += len(chunk)
        yield chunk, start


class _CountingFile(io.RawIOBase):
    """A binary file that remembers how many bytes its reader has taken from it."""

    def __init__(self, handle):
        self.handle = handle
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.consumed += count
        return count


def _text_chunks(path: Path, fmt: str, rows: int, encoding: str | None,
                 layout: Layout | None) -> Iterator[tuple[pd.DataFrame, int]]:
    encoding = encoding or _sniff_encoding(path)
    with open(path, "rb", buffering=0) as handle:
        counted = _CountingFile(handle)  # counts the bytes on disk, compressed or not: progress against the size
        decompress = COMPRESSIONS.get(path.suffix.lower())
        source = decompress(counted, "rb") if decompress else io.BufferedReader(counted)
        if fmt == "jsonl":
            lines = io.TextIOWrapper(source, encoding=encoding, errors="replace")
            told, columns = set(), None
            try:
                for chunk in pd.read_json(lines, lines=True, chunksize=rows):
                    chunk = flat(chunk, str(path), told)
                    columns = columns if columns is not None else chunk.columns  # every chunk: the first's
                    yield chunk.reindex(columns=columns), counted.consumed
            except ValueError as e:
                raise unreadable(path, fmt, e, encoding) from None
            return
        try:
            shape = CsvShape.of(path, fmt, first_lines(path, encoding), layout)
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)  # see readers._parse
                reader = pd.read_csv(source, dtype=str, chunksize=rows, encoding=encoding, encoding_errors="replace",
                                     **shape.read_csv_arguments)
                told = set()  # columns whose numbers as written were said: once per file, not per chunk
                for chunk in reader:
                    yield shape.values(chunk, told), counted.consumed
        except (pd.errors.ParserWarning, ValueError, LookupError) as e:  # parse and decoding errors
            raise unreadable(path, fmt, e, encoding) from None


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark) when the first megabyte reads as UTF-8, else as detected."""
    with open_bytes(path) as handle:
        sample = handle.read(SAMPLE_BYTES)
    try:
        sample.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as e:
        if len(sample) == SAMPLE_BYTES and e.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8-sig"
    encoding = detect_encoding(sample)
    logger.info(f"{path} is not UTF-8; read it as {encoding} (detected). Pass --encoding to override.")
    return encoding
