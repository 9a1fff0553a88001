"""Read a table from CSV, TSV, JSON Lines, Parquet or an Excel workbook, chosen by extension, detecting the text
encoding; a text table may be compressed (data.csv.gz, .bz2, .xz, or a .zip holding one file)."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer
import pandas as pd

from ..errors import DataError
from ..log import logger
from .layout import WHITESPACE, Layout, split_rows
from .missing import ZERO_PADDED
from .nested import flat
from .spreadsheets import excel_sheet, without_totals
from .written_numbers import how_written, read_as_written

# Han ideographs, CJK and full-width punctuation: what Chinese text decoded as GB18030 consists of.
_CJK_TEXT = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NON_LATIN_LANGUAGES = {"Russian", "Ukrainian", "Bulgarian", "Serbian", "Macedonian", "Kazakh", "Greek", "Arabic",
                        "Persian", "Hebrew", "Thai", "Japanese", "Korean"}
FORMATS = {  # file extension -> the format the file is read as
    ".csv": "csv", ".txt": "csv", ".data": "csv", ".dat": "csv",  # UCI's .data: commas or spaces
    ".tsv": "tsv", ".tab": "tsv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel",
}
COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zip": None}  # None: zipfile's member
# what a damaged or truncated compressed file raises while it is read
COMPRESSION_ERRORS = (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError)


def table_format(path: Path) -> str | None:
    """The format `path` is read as, from its extension; a compressed text table by the one under the
    compression's (data.csv.gz: csv). None for anything else."""
    compression = path.suffix.lower()
    if compression not in COMPRESSIONS:
        return FORMATS.get(compression)
    fmt = FORMATS.get(Path(path.stem).suffix.lower())
    return None if fmt in ("parquet", "excel") else fmt  # these compress inside the file


def table_name(path: Path) -> str:
    """The file's name without its format's extension, nor its compression's: reviews.csv.gz -> reviews."""
    return Path(path.stem).stem if path.suffix.lower() in COMPRESSIONS else path.stem


def open_bytes(path: Path) -> BinaryIO:
    """The bytes of a table file, decompressed when its extension says it is compressed."""
    suffix = path.suffix.lower()
    if suffix not in COMPRESSIONS:
        return open(path, "rb")
    if suffix != ".zip":
        return COMPRESSIONS[suffix](path, "rb")
    archive = zipfile.ZipFile(path)
    members = [name for name in archive.namelist() if not name.endswith("/")]
    if len(members) != 1:
        raise DataError(f"{path} holds {len(members)} files; a zipped table is one file in a .zip. Unzip it and "
                        "give the table's own path.")
    return archive.open(members[0])


# a number with a decimal comma, its thousands optionally grouped by dots or spaces: 3,5  -12,25  1.234,5  1 234,5
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3}(?:([. \u00a0\u202f])\d{3}(?:\1\d{3})*)?(,\d+)?|[-+]?\d+(,\d+)?")
_GROUPING = re.compile(r"[. \u00a0\u202f]")  # what groups the thousands where the comma is the decimal mark
_LINE_END = re.compile(r"\r\n|\r|\n")  # as pandas reads them: Windows, old Mac and Unix line ends
SAMPLE_CHARS = 1 << 16  # the first lines of a file, enough to tell its separator and whether it has a header
_SEPARATOR_NAMES = {";": "semicolons", "\t": "tabs", WHITESPACE: "spaces"}
SPACED_LINES = 20  # the first lines, which must agree on their number of space-separated fields


def read_table(path: str | Path, encoding: str | None = None, layout: Layout | None = None) -> pd.DataFrame:
    """Read `path` into a DataFrame; raise DataError with the file name and what to do when it cannot be used.
    `layout`: whether a CSV/TSV file has a header row, and its column names (default: told from the file)."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path} is a folder; give the path of a table file inside it "
                        f"({', '.join(sorted(FORMATS))}), or, for pictures, a folder with one subfolder of images "
                        "per class.")
    fmt = table_format(path)
    if path.suffix.lower() in (".xls", ".ods"):
        raise DataError(f"{path}: workbooks in {path.suffix} are not read. Save the sheet as .xlsx (Excel's format "
                        "since 2007) or as CSV.")
    if fmt is None:
        raise DataError(f"{path}: unknown file type '{path.suffix}'. Use one of: {', '.join(sorted(FORMATS))} "
                        f"(the text ones may be compressed: {', '.join(COMPRESSIONS)}).")
    if not path.is_file():
        raise DataError(f"{path}: no such file. Check the path (relative paths start from {Path.cwd()}).")
    try:
        return _read(path, fmt, encoding, layout)
    except COMPRESSION_ERRORS as e:
        if path.suffix.lower() not in COMPRESSIONS:
            raise
        raise damaged_archive(path, e) from None


def _read(path: Path, fmt: str, encoding: str | None, layout: Layout | None) -> pd.DataFrame:
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises several types for a corrupt file
            raise unreadable(path, fmt, e) from None
        frame = flat(frame, str(path))
    elif fmt == "excel":
        frame = _parse(path, "csv", io.StringIO(excel_sheet(path)), layout=layout)
    elif encoding is None and _is_utf8(path):
        # pandas' parser reads the file itself: no copy of the whole text in memory (a large file's peak)
        frame = _parse(path, fmt, path, "utf-8-sig", layout)
    else:
        text = _decode(path, encoding)
        frame = _parse(path, fmt, io.StringIO(text), layout=layout)
    if frame.empty:
        raise no_data_rows(path)
    frame.columns = unique_names(frame.columns, path)
    return frame


def damaged_archive(path: Path, error: BaseException) -> DataError:
    return DataError(f"{path} could not be decompressed ({error or type(error).__name__}): the file is damaged or "
                     f"not the {path.suffix} its name says. Check it with your unpacking tool, or give the table "
                     "uncompressed.")


def unique_names(names, path) -> list[str]:
    """The header's names, stripped of surrounding spaces, each one unique: a repeated name gets pandas' suffix
    (`a`, `a.1`), said once, so that every column can be told apart; an empty name becomes `Unnamed: N`."""
    result, seen = [], set()
    for position, name in enumerate(str(c).strip() for c in names):
        name = name or f"Unnamed: {position}"
        unique, copy = name, 0
        while unique in seen:
            copy += 1
            unique = f"{name}.{copy}"
        if unique != name:
            logger.info(f"{path}: column {position + 1} is named '{name}' like an earlier one; read as '{unique}'")
        seen.add(unique)
        result.append(unique)
    return result


def _decode(path: Path, encoding: str | None) -> str:
    with open_bytes(path) as handle:
        data = handle.read()
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as e:
            raise unreadable(path, "text", e, encoding) from None
    try:
        return data.decode("utf-8-sig")  # plain UTF-8, and UTF-8 with a byte-order mark
    except UnicodeDecodeError as e:
        first_bad = e.start
    encoding = detect_encoding(data)
    if encoding is None:
        raise DataError(
            f"{path} is not UTF-8 (first bad byte at offset {first_bad}) and its encoding could not be "
            "detected. Pass --encoding, e.g. --encoding gb18030 for Chinese or --encoding latin-1."
        )
    logger.info(f"{path} is not UTF-8; read it as {encoding} (detected). Pass --encoding to override.")
    return data.decode(encoding, errors="replace")


def detect_encoding(data: bytes) -> str | None:
    """The legacy encoding of a file that is not UTF-8.

    Statistical detectors are unreliable on short single-byte text (French in Latin-1 comes out as cp1250 or
    cp1257), so: UTF-16 by its byte-order mark; GB18030 when the whole file decodes strictly and its non-ASCII
    characters are common Chinese ones (Latin-1 "é" followed by a letter is also a valid GB18030 pair, but a rare
    ideograph outside GB2312); a non-Latin script (Cyrillic, Greek, Arabic, ...) when charset-normalizer
    recognizes the language; else Windows-1252, the superset of Latin-1 that Western files are written in.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        wide = [ch for ch in text if ord(ch) > 127]
        if wide and sum(_common_chinese(ch) for ch in wide) / len(wide) > 0.9:
            return "gb18030"
    matches = charset_normalizer.from_bytes(data[:1_000_000])
    guess = matches.best()
    if guess is not None and guess.language in _NON_LATIN_LANGUAGES:
        # Equally good readings of the same language: the Windows code page is the common one (cp1251 > mac).
        tied = [m.encoding for m in matches if m.language == guess.language and m.chaos <= guess.chaos + 0.01]
        return next((e for e in tied if e.startswith("cp125")), guess.encoding)
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _common_chinese(ch: str) -> bool:
    """A CJK character of GB2312, the 7,445 in everyday use: both of its GB18030 bytes are 0xA1 or over."""
    if not _CJK_TEXT.match(ch):
        return False
    encoded = ch.encode("gb18030")
    return len(encoded) == 2 and encoded[0] >= 0xA1 and encoded[1] >= 0xA1


def field_separator(fmt: str, sample: str) -> str:
    """What separates fields: a tab for TSV; for CSV a comma, unless the first line has none and has semicolons
    (what spreadsheets write where the comma is the decimal mark) or tabs, or every one of the first lines splits
    at spaces into the same number of fields (UCI's files: `2 1 530101 38.50 ? ...`). Lines of prose split
    into as many fields as they have words, which vary: such a file stays one column."""
    if fmt != "csv":
        return "\t"
    first = next(csv.reader(io.StringIO(_LINE_END.split(sample, 1)[0]), delimiter="\x00"), [""])[0]
    if "," not in first:
        for sep in (";", "\t"):
            if sep in first:
                return sep
        widths = {len(fields) for fields in split_rows(sample, WHITESPACE)[:SPACED_LINES]}
        if len(widths) == 1 and widths.pop() > 1:
            return WHITESPACE
    return ","


def decimal_commas(values: pd.Series) -> pd.Series:
    """In a file whose fields are separated by semicolons, a column of numbers written with a decimal comma
    (3,5) read as numbers; any other column as it is."""
    present = values.dropna().str.strip()
    if present.empty or not present.str.fullmatch(_DECIMAL_COMMA).all() or not present.str.contains(",").any():
        return values
    return values.str.strip().str.replace(_GROUPING, "", regex=True).str.replace(",", ".", regex=False)


def _is_utf8(path: Path, block: int = 1 << 20) -> bool:
    """Whether the whole file decodes as UTF-8, read a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open_bytes(path) as handle:
        try:
            while data := handle.read(block):
                decoder.decode(data)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _parse(path: Path, fmt: str, source, encoding: str | None = None, layout: Layout | None = None) -> pd.DataFrame:
    """`source`: the file itself (read with `encoding`) or its decoded text in a StringIO."""
    try:
        if fmt in ("csv", "tsv"):
            sample = (source.getvalue()[:SAMPLE_CHARS] if isinstance(source, io.StringIO) else
                      first_lines(path, encoding))
            shape = CsvShape.of(path, fmt, sample, layout)
            with warnings.catch_warnings():
                # Without index_col=False pandas silently makes an extra first field the index and shifts
                # every column; with it, pandas only warns. Either way the file is malformed: say where.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(source, dtype=str, encoding=encoding, **shape.read_csv_arguments)
            frame = shape.values(frame)
            return frame
        return flat(pd.read_json(source, lines=fmt == "jsonl", encoding=encoding), str(path))
    except (pd.errors.ParserWarning, ValueError) as e:  # pandas' parse errors are ValueErrors
        text = source.getvalue() if isinstance(source, io.StringIO) else None
        raise unreadable(path, fmt, e, encoding, text) from None


@dataclass(frozen=True)
class CsvShape:
    """How a CSV/TSV file's text is laid out, told from its first lines: the lines before the table (Excel's
    "sep=;" hint, "#" comments), the separator, and the header."""

    source: str
    sep: str
    has_header: bool
    names: list[str] | None
    preamble: int  # lines before the table, left out

    @classmethod
    def of(cls, path: Path, fmt: str, sample: str, layout: Layout | None) -> CsvShape:
        """Said once: a separator other than the format's own, and the lines left out above the table."""
        preamble, sep = _preamble(fmt, sample)
        body = sample[sum(len(line) for line in _LINE_ENDED.findall(sample)[:preamble]):]
        sep = sep or field_separator(fmt, body)
        if sep != ("," if fmt == "csv" else "\t"):
            logger.info(f"{path}: fields separated by {_SEPARATOR_NAMES.get(sep, repr(sep))}")
        if preamble:
            shown = _LINE_END.split(sample, 1)[0].strip()
            logger.info(f"{path}: {preamble} line{'s' if preamble > 1 else ''} above the table left out ('{shown}')")
        has_header, names = (layout or Layout()).resolve(body, sep, str(path))
        return cls(str(path), sep, has_header, names, preamble)

    @property
    def read_csv_arguments(self) -> dict:
        return {"sep": self.sep, "index_col": False, "header": 0 if self.has_header else None, "names": self.names,
                "skiprows": self.preamble}

    def values(self, frame: pd.DataFrame, told: set | None = None) -> pd.DataFrame:
        """The parsed strings as values: decimal commas in a file separated by semicolons, a total row at the end
        left out, numbers as numbers."""
        if self.sep == ";":
            frame = frame.apply(decimal_commas)
        frame = without_totals(frame, self.source)
        frame = frame.apply(numbers_unless_codes, told=told)
        frame.attrs["named_by_reader"] = self.names is not None  # not by the file's header row: keep the names
        return frame


_LINE_ENDED = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # each line with its end
_SEP_HINT = re.compile(r'"?sep=(.)"?\s*')  # Excel's first line naming the separator: sep=;


def _preamble(fmt: str, sample: str) -> tuple[int, str | None]:
    """The number of lines before the table, and the separator that Excel's "sep=;" hint names (None without
    one). "#" lines at the top are comments, unless one splits into as many fields as the table's first line: a
    header such as "#id,text,label" is the table's own."""
    lines = _LINE_END.split(sample)[:2 * SPACED_LINES]
    hint = _SEP_HINT.fullmatch(lines[0]) if lines else None
    start = table = 1 if hint else 0
    while table < len(lines) - 1 and (lines[table].startswith("#") or not lines[table].strip()):
        table += 1
    if any(line.startswith("#") for line in lines[start:table]):
        sep = hint.group(1) if hint else field_separator(fmt, "\n".join(lines[table:]))
        width = len(_fields(lines[table], sep))
        table = next((i for i in range(start, table) if lines[i].startswith("#") and
                      len(_fields(lines[i], sep)) == width), table)
    elif not hint:
        table = 0  # blank lines alone: pandas passes over them
    return table, (hint.group(1) if hint else None)


def _fields(line: str, sep: str) -> list[str]:
    return line.split() if sep == WHITESPACE else next(csv.reader([line], delimiter=sep), [])


def first_lines(path: Path, encoding: str | None) -> str:
    """The file's first SAMPLE_CHARS characters (about), whole lines only when there is more."""
    with open_bytes(path) as handle:
        data = handle.read(SAMPLE_CHARS)
        more = bool(handle.read(1))
    text = data.decode(encoding or "utf-8-sig", errors="replace")
    end = max(text.rfind("\n"), text.rfind("\r"))  # a line may end in \r alone (old Mac files)
    return text[:end + 1] if more and end >= 0 else text


def empty_file(path: Path) -> DataError:
    return DataError(f"{path} is empty: it needs a header row and at least one data row.")


def no_data_rows(path: Path) -> DataError:
    return DataError(f"{path} has a header but no data rows.")


def unreadable(path: Path, fmt: str, error: BaseException, encoding: str | None = None,
               text: str | None = None) -> DataError:
    """What is wrong with `path`, and what to do, for an exception raised while reading it as `fmt`. `text`:
    the file's decoded text if at hand, to find the line with too many fields."""
    hint = ("Check the quoting and the number of fields on that line, or give the file the extension of its "
            "real format.")
    if fmt == "parquet":
        return DataError(f"{path}: not a readable Parquet file ({error}).")
    if isinstance(error, LookupError):
        return DataError(f"Unknown encoding '{encoding}' given for {path}. Use a Python codec name such as "
                         "utf-8, gb18030, latin-1 or cp1252, or leave --encoding out to detect it.")
    if isinstance(error, UnicodeDecodeError):
        return DataError(f"{path} is not valid {encoding} at byte {error.start}; check --encoding.")
    if isinstance(error, pd.errors.EmptyDataError):
        return empty_file(path)
    if isinstance(error, pd.errors.ParserWarning):
        text = text if text is not None else _decode_leniently(path, encoding)
        line = _first_long_line(text, field_separator(fmt, text[:SAMPLE_CHARS]))
        return DataError(f"{path} could not be parsed as {fmt.upper()}: line {line} has more fields than the "
                         f"header. {hint}")
    if isinstance(error, pd.errors.ParserError):
        return DataError(f"{path} could not be parsed as {fmt.upper()}: {str(error).strip()}. {hint}")
    return DataError(f"{path} could not be parsed as {fmt.upper()}: {str(error).strip()}.")  # pandas' JSON reader


def numbers_unless_codes(values: pd.Series, told: set | None = None) -> pd.Series:
    """A column of numbers as numbers (int64 when whole and complete, else float64), as pandas would read it,
    except zero-padded codes such as 02208 or 00000, which stay strings: as numbers they would lose their
    zeros and a code 00000 would look like an impossible 0. Numbers written as bounds ("90+", "<0.5"), with
    thousands separators ("14,800"), currency or percent signs ("$0.50", "33.6%") are read as the number they
    state, said once per column (`told`: the columns already said)."""
    present = values.dropna()
    if present.empty or present.str.strip().str.fullmatch(ZERO_PADDED).any():
        return values
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    if numbers.notna().sum() != len(present):
        if (as_written := read_as_written(values, numbers)) is None:
            return values
        numbers, written = as_written
        if told is None or values.name not in told:
            shown = ", ".join(f"'{w}'" for w in written.value_counts().index[:3])
            ways = how_written(written)
            note = (" (a top- or bottom-code: '90+' as 90, '<0.5' as 0.5)" if "bounds" in ways else
                    " ('33.6%' as 33.6)" if "percent" in ways else "")
            logger.info(f"column '{values.name}': {len(written)} values written with {ways} ({shown}) read as "
                        f"the numbers they state{note}")
            if told is not None:
                told.add(values.name)
        return numbers.astype("float64")
    if len(present) == len(values) and (numbers % 1 == 0).all():
        return numbers.astype("int64")
    return numbers.astype("float64")


def _decode_leniently(path: Path, encoding: str | None) -> str:
    with open_bytes(path) as handle:
        return handle.read().decode(encoding or "utf-8", errors="replace")


def _first_long_line(text: str, sep: str) -> int:
    """The 1-based line number of the first record with more fields than the header."""
    if sep == WHITESPACE:
        lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        return next((number for number, fields in lines if len(fields) > len(lines[0][1])), 1) if lines else 1
    records = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        width = len(next(records))
        for record in records:
            if len(record) > width:
                return records.line_num
    except (csv.Error, StopIteration):
        pass
    return 1
