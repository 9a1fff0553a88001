"""What spreadsheets put around a table: a workbook's other sheets, a title above the table, and the total rows
that close an export. Each is left out of the examples, and said."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..log import logger
from .written_numbers import written_value


def excel_sheet(path: Path) -> str:
    """The first sheet of an Excel workbook as CSV text, so that it is read as a CSV file is: the header row told
    from the first rows, numbers as written, codes kept. The sheet's cells as Excel stores them: a percentage
    is its fraction (33.6% is 0.336), a date its date."""
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:  # the sheets' names; only the first is parsed
            name, *others = book.sheet_names
            sheet = pd.read_excel(book, sheet_name=name, header=None, dtype=str)
    except ImportError:
        raise DataError(f"{path}: reading Excel workbooks needs openpyxl: pip install openpyxl (or save the sheet "
                        "as CSV).") from None
    except Exception as e:  # openpyxl and zipfile raise several types for a damaged workbook
        raise DataError(f"{path}: not a readable Excel workbook ({str(e).strip() or type(e).__name__}). Open it "
                        "in Excel and save it again as .xlsx, or as CSV.") from None
    if others:
        logger.info(f"{path}: read its first sheet, '{name}'; the workbook has {len(others) + 1} (the others: "
                    f"{', '.join(map(repr, others))}). To use another, save that sheet as CSV.")
    sheet = sheet.dropna(how="all").dropna(axis=1, how="all")  # the empty rows and columns around a table
    # A title or a note above the table: leading rows of one cell, over a table of three columns or more.
    titles = 0
    while sheet.shape[1] >= 3 and titles < len(sheet) - 1 and sheet.iloc[titles].notna().sum() == 1:
        titles += 1
    if titles:
        shown = sheet.iloc[0].dropna().iloc[0]
        logger.info(f"{path}: {titles} line{'s' if titles > 1 else ''} above the table left out ('{shown}')")
        sheet = sheet.iloc[titles:].dropna(axis=1, how="all")
    return sheet.to_csv(index=False, header=False)


_TOTAL = re.compile(r"\s*(?:(?:grand\s+|sub)?totals?|sum|summe|合计|总计|小计)\s*:?\s*", re.IGNORECASE)
_LAST_ROWS = 3  # a spreadsheet's totals: the last row, or a few (subtotal, total)


def without_totals(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """`frame` without the total rows a spreadsheet export ends with: a first cell "Total" (Sum, Grand total,
    合计, ...) and nothing but numbers after it. Trained on, such a row is an example with impossible values
    and, often, a label no other row has (the labels' sum)."""
    if frame.shape[1] < 2 or frame.empty or pd.api.types.is_numeric_dtype(frame.iloc[:, 0]):
        return frame
    totals = []  # a block of them closing the table: a "Total" row followed by a data row is data
    while len(totals) < min(_LAST_ROWS, len(frame) - 1) and _is_total(frame.iloc[len(frame) - 1 - len(totals)]):
        totals.insert(0, len(frame) - 1 - len(totals))
    if not totals:
        return frame
    shown = ", ".join(str(v) for v in frame.iloc[totals[-1]].dropna().iloc[:4])
    rows = "the last row" if len(totals) == 1 else f"{len(totals)} rows at the end"
    logger.info(f"{source}: {rows} ({shown}, ...) left out: {'a total' if len(totals) == 1 else 'totals'}, not "
                "examples")
    return frame.drop(index=frame.index[totals])


def _is_total(row: pd.Series) -> bool:
    first, rest = row.iloc[0], row.iloc[1:].dropna()
    if not isinstance(first, str) or _TOTAL.fullmatch(first) is None:
        return False
    rest = rest.astype(str).str.strip()
    plain = pd.to_numeric(rest, errors="coerce").notna()
    return all(written_value(v) is not None for v in rest[~plain])
