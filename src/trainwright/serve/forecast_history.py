"""A forecast request's history as the long table a forecast run reads: records in the run's columns, or arrays
of values per series with their start (the run's frequency extends it) or their dates.

Every problem is a DataError that names the record or series and the field, and says what to send instead; the
routes answer it as a 422.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from ..forecast.series import parse_times

# The columns arrays are put in: they never meet the user's names, so any run reads them the same way.
ARRAY_COLUMNS = {"id": "id", "time": "date", "target": "value"}


def records_frame(records: list[dict], columns: dict, covariates: list[str] = ()) -> pd.DataFrame:
    """`records` (one dict per observation, keyed by the run's id, time and target columns, and the covariates
    the run reads) as a table."""
    expected = [c for c in (columns["id"], columns["time"], columns["target"]) if c]
    for row, record in enumerate(records):
        unknown = [key for key in record if key not in expected and key not in covariates]
        if unknown:
            raise DataError(f"records[{row}]: {', '.join(map(repr, unknown))} is not a column of this run; each "
                            f"record has {', '.join(map(repr, expected))}.")
        missing = [key for key in expected if key != columns["id"] and key not in record]
        if missing:
            raise DataError(f"records[{row}]: {', '.join(map(repr, missing))} is missing; each record has "
                            f"{', '.join(map(repr, expected))}.")
    frame = pd.DataFrame.from_records(records, columns=expected + [c for c in covariates
                                                                   if any(c in record for record in records)])
    if columns["id"]:
        frame[columns["id"]] = frame[columns["id"]].fillna("series").astype(str)
    return frame


def arrays_frame(series: list[dict], frequencies: dict[str, str], default_frequency: str) -> pd.DataFrame:
    """`series` (each {"id", "values"} with "start" or "dates") as a long table in ARRAY_COLUMNS. A series
    with a start takes the frequency the run found for its id, else `default_frequency`."""
    frames = []
    for index, item in enumerate(series):
        key, values = str(item.get("id") or "series"), item["values"]
        where = f"series[{index}] ({key!r})"
        if item.get("dates") is not None:
            if len(item["dates"]) != len(values):
                raise DataError(f"{where}: {len(item['dates'])} dates for {len(values)} values; send one date per "
                                "value, or a start instead of the dates.")
            dates = parse_times(pd.Series(item["dates"], dtype=object), where, "dates")
        elif item.get("start") is not None:
            start = parse_times(pd.Series([item["start"]], dtype=object), where, "start").iloc[0]
            dates = pd.date_range(start, periods=len(values), freq=frequencies.get(key, default_frequency))
        else:
            raise DataError(f"{where}: neither a start nor dates; send \"start\" (the first value's date) or "
                            "\"dates\" (one per value).")
        frames.append(pd.DataFrame({"id": key, "date": list(dates), "value": values}))
    return pd.concat(frames, ignore_index=True)
