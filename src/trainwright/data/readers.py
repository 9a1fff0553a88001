"""Read a table from CSV, TSV, JSON Lines or Parquet, chosen by extension, detecting the text encoding."""

from __future__ import annotations

import io
from pathlib import Path

import charset_normalizer
import pandas as pd

from ..errors import DataError
from ..log import logger

_FORMATS = {
    ".csv": "csv", ".txt": "csv",
    ".tsv": "tsv", ".tab": "tsv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".parquet": "parquet", ".pq": "parquet",
}


def read_table(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read `path` into a DataFrame; raise DataError with the file name and what to do when it cannot be used."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unknown file type '{path.suffix}'. Use one of: {', '.join(sorted(_FORMATS))}.")
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises several types for a corrupt file
            raise DataError(f"{path}: not a readable Parquet file ({e}).") from None
    else:
        text = _decode(path, encoding)
        if not text.strip():
            raise DataError(f"{path} is empty: it needs a header row and at least one data row.")
        frame = _parse(path, fmt, text)
    if frame.empty:
        raise DataError(f"{path} has a header but no data rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise DataError(f"Unknown encoding '{encoding}' given for {path}.") from None
        except UnicodeDecodeError as e:
            raise DataError(f"{path} is not valid {encoding} at byte {e.start}; check --encoding.") from None
    try:
        return data.decode("utf-8-sig")  # plain UTF-8, and UTF-8 with a byte-order mark
    except UnicodeDecodeError as e:
        first_bad = e.start
    guess = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if guess is None:
        raise DataError(
            f"{path} is not UTF-8 (first bad byte at offset {first_bad}) and its encoding could not be "
            "detected. Pass --encoding, e.g. --encoding gb18030 for Chinese or --encoding latin-1."
        )
    logger.info(f"{path} is not UTF-8; read it as {guess.encoding} (detected). Pass --encoding to override.")
    return data.decode(guess.encoding, errors="replace")


def _parse(path: Path, fmt: str, text: str) -> pd.DataFrame:
    buffer = io.StringIO(text)
    try:
        if fmt == "csv":
            return pd.read_csv(buffer)
        if fmt == "tsv":
            return pd.read_csv(buffer, sep="\t")
        return pd.read_json(buffer, lines=fmt == "jsonl")
    except pd.errors.ParserError as e:
        raise DataError(
            f"{path} could not be parsed as {fmt.upper()}: {e}. Check the quoting and the number of fields "
            "on that line, or give the file the extension of its real format."
        ) from None
    except ValueError as e:  # pandas' JSON reader
        raise DataError(f"{path} could not be parsed as {fmt.upper()}: {e}.") from None
