"""Series in, regular series out: a table of observations read into a `Panel` of regular series.

The table is in long format, the convention of statsforecast (`unique_id, ds, y`) and AutoGluon (`item_id,
timestamp, target`): one row per observation, an id column (none for a single series), a time column, the
target and optional covariates. The columns are inferred when not given, each choice with its reason. A wide
table (a time column and one numeric column per series, as spreadsheets and R exports keep them) is turned
into long format and said so: the conversion is unambiguous, and refusing would only make the user write it.

Each series is kept as a pandas Series on a DatetimeIndex with a freq rather than a PeriodIndex: forecasts then
come out dated as the user's file dates them (`2000-01-31` stays a month end, `1949-01-01` a month start), and
hourly or 15-minute data, which periods handle poorly, take the same path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.kinds import infer_kind
from ..errors import ConfigError, DataError, rows_preview
from .frequency import Frequency
from .regular import DUPLICATE_RULES, FILL_RULES, Finding, PanelGrid

_TIME_NAME = re.compile(r"^(ds|date|dates|time|timestamp|datetime|period|month|year|quarter|week|day)$", re.I)
_ID_NAME = re.compile(r"^(unique_id|id|item_id|series|series_id|symbol|ticker|name|key|store|sku)$", re.I)
_TARGET_NAME = re.compile(r"^(y|target|value|values|price|sales|count|demand|close|amount|load)$", re.I)
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.I)
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_FORMATS = ("ISO8601", "%b %d %Y", "%B %d %Y", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d")
_NUMERIC_SHARE = 0.8  # a column is numeric when this share of its non-empty cells are numbers
_ID_SHARE = 0.5  # an id column has at most this many distinct values per row


@dataclass
class SeriesColumns:
    """The columns of a long table: its id (None for a single series), time, target and covariates."""

    id: str | None
    time: str
    target: str
    covariates: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # each inferred choice, to be told once


@dataclass
class RegularSeries:
    """One series on its regular grid: a value per period, its frequency and what was found on the way."""

    id: str
    values: pd.Series  # DatetimeIndex with freq; NaN only where the fill rule is "none"
    frequency: Frequency
    findings: list[Finding] = field(default_factory=list)

    @property
    def season_length(self) -> int:
        return self.frequency.season_length

    def to_numpy(self) -> np.ndarray:
        return self.values.to_numpy(dtype=np.float64)


@dataclass
class Panel:
    """The regular series of a table by id, with every finding (those of the series left out included)."""

    series: dict[str, RegularSeries]
    columns: SeriesColumns
    findings: list[Finding] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.series)

    def __iter__(self):
        return iter(self.series.values())

    def __getitem__(self, series_id: str) -> RegularSeries:
        return self.series[series_id]

    @property
    def ids(self) -> list[str]:
        return list(self.series)

    def arrays(self) -> dict[str, np.ndarray]:
        """Each series' values as a float64 array, oldest first: what models take."""
        return {key: s.to_numpy() for key, s in self.series.items()}

    def to_frame(self) -> pd.DataFrame:
        """The regular series back in long format: `id, time, target` with the table's column names."""
        columns = self.columns
        return pd.concat([pd.DataFrame({columns.id or "id": s.id, columns.time: s.values.index,
                                        columns.target: s.values.to_numpy()}) for s in self], ignore_index=True)


def read_panel(frame: pd.DataFrame, source: str, *, id: str | None = None, time: str | None = None,
               target: str | None = None, min_length: int = 1, fill: str = "interpolate",
               duplicates: str = "mean") -> Panel:
    """The Panel of `frame` (read from `source`): columns inferred when not given, times parsed, each series
    made regular (see `regular`), series shorter than `min_length` left out; every step told as a finding.

    fill: how missing periods and values are filled (interpolate, ffill, zero, none). duplicates: how
    repeated timestamps are aggregated (mean, sum, last) or refused (error).
    """
    _check_rule("fill", fill, FILL_RULES)
    _check_rule("duplicates", duplicates, DUPLICATE_RULES)
    frame, columns = long_format(frame, source, id=id, time=time, target=target)
    times = parse_times(frame[columns.time], source, columns.time)
    values, findings = _numeric_target(frame, columns, source, fill)
    rows = np.arange(1, len(frame) + 1)
    ids = frame[columns.id].astype(str) if columns.id else pd.Series("series", index=frame.index)
    panel = Panel(series={}, columns=columns, findings=findings)
    stamps = pd.DatetimeIndex(times)
    grid = PanelGrid(stamps.min(), stamps.max())  # what the series share is worked out once
    for key, where in ids.groupby(ids, sort=False).indices.items():
        regular, frequency, found = grid.regularize(key, stamps[where], values[where], rows[where], source,
                                                    fill=fill, duplicates=duplicates)
        panel.findings += found
        if frequency is None or len(regular) < min_length:
            panel.findings.append(_too_short(key, len(regular), min_length, rows[where]))
            continue
        panel.series[key] = RegularSeries(key, regular, frequency, [f for f in found])
    panel.findings += _late_starts(panel)
    for finding in panel.findings:
        if finding.series in panel.series and finding not in panel.series[finding.series].findings:
            panel.series[finding.series].findings.append(finding)
    if not panel.series:
        raise DataError(f"{source}: no series has the {min_length} observations needed: "
                        f"{'; '.join(str(f) for f in panel.findings if f.kind == 'too_short')[:500]}.")
    return panel


def long_format(frame: pd.DataFrame, source: str, *, id: str | None = None, time: str | None = None,
                target: str | None = None) -> tuple[pd.DataFrame, SeriesColumns]:
    """The table in long format and its columns, a wide table melted into `series, <time>, value`."""
    for name, column in (("id", id), ("time", time), ("target", target)):
        if column is not None and column not in frame.columns:
            raise DataError(f"{source}: no column '{column}' for the {name} (columns: "
                            f"{', '.join(map(str, frame.columns))}). Pass --{name} with one of them.")
    reasons = []
    if time is None:
        time, why = _infer_time(frame, source, exclude={id, target})
        reasons.append(f"time column: '{time}' ({why}); pass --time to choose another")
    rest = [c for c in frame.columns if c not in (time, id, target)]
    indexes = _row_indexes(frame, rest, reasons)
    rest = [c for c in rest if c not in indexes]
    numeric = [c for c in rest if _is_numeric(frame[c])]
    if id is None and target is None:
        id = _infer_id(frame, [c for c in rest if c not in numeric], time)
        if id is None and len(numeric) > 1:
            return _melt_wide(frame, time, numeric, reasons)
        if id is not None:
            reasons.append(f"id column: '{id}' (text repeated over time: {frame[id].nunique()} series); "
                           "pass --id to choose another")
            numeric = [c for c in numeric if c != id]
    if target is None:
        target, why = _infer_target(numeric, source, time, id)
        reasons.append(f"target column: '{target}' ({why}); pass --target to choose another")
    if id is None:
        reasons.append("no id column: the table is one series; pass --id if it holds several")
    covariates = [c for c in frame.columns if c not in (id, time, target, *indexes)]
    if covariates:
        reasons.append(f"covariates: {', '.join(map(str, covariates))} (read by lightgbm when named by --covariates)")
    return frame, SeriesColumns(id=id, time=time, target=target, covariates=covariates, reasons=reasons)


def parse_times(values: pd.Series, source: str, column: str) -> pd.Series:
    """Datetimes from the time formats people have: ISO dates and timestamps, `Jan 1 2000`, `01/31/2000`,
    year-month `2000-01`, quarters `1960 Q1` / `1960Q1` / `1960-Q1` (the quarter's first day), plain years."""
    text = values.astype("string").str.strip()
    present = text.notna() & (text != "")
    parsed = _quarters_and_years(text)
    if parsed is None:
        parsed = _first_format_that_fits(text[present])
        parsed = parsed.reindex(values.index) if parsed is not None else None
    if parsed is None:
        parsed = pd.to_datetime(text, format="mixed", errors="coerce", utc=True)
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)  # one clock for every row: UTC; times without a zone stay as written
    bad = np.flatnonzero((parsed.isna() | ~present).to_numpy())
    if len(bad):
        examples = ", ".join("(empty)" if pd.isna(v) else repr(str(v)) for v in values.iloc[bad[:3]])
        raise DataError(
            f"{source}: column '{column}': {len(bad)} value{'s are' if len(bad) > 1 else ' is'} missing or not dates "
            f"({examples}; "
            f"{rows_preview([int(i) + 1 for i in bad[:5]], total=len(bad))}, counting data rows from 1). Write them "
            "like 2000-01-31, Jan 31 2000, 2000-01, 2000 Q1 or 2000, or remove the rows.")
    return parsed


def _quarters_and_years(text: pd.Series) -> pd.Series | None:
    """Quarters or plain years, when most values are written so (the others come back NaT, to be named)."""
    quarters = text.str.extract(_QUARTER)
    if quarters[0].notna().mean() >= 0.5:
        found = quarters[0].notna()
        periods = quarters[0][found].astype(int).astype(str) + "Q" + quarters[1][found]
        starts = pd.PeriodIndex(periods.tolist(), freq="Q").start_time
        return pd.Series(pd.Series(starts, index=periods.index), index=text.index, dtype="datetime64[ns]")
    years = text.str.extract(_YEAR)[0]
    if years.notna().mean() >= 0.5:
        return pd.to_datetime(years, format="%Y")
    return None


def _first_format_that_fits(text: pd.Series) -> pd.Series | None:
    """The first known format that reads every value: one format for the column, so `01/02/2000` means the same
    on every row."""
    for form in _FORMATS:
        parsed = pd.to_datetime(text, format=form, errors="coerce", utc=True)
        if parsed.notna().all():
            return parsed
    return None


def _infer_time(frame, source, exclude) -> tuple[str, str]:
    candidates = [c for c in frame.columns if c not in exclude]
    for column in candidates:
        if _TIME_NAME.match(str(column)) and _parses_as_time(frame[column]):
            return column, "named like a time and its values are dates"
    for column in candidates:
        if not _is_numeric(frame[column]) and _parses_as_time(frame[column]):
            return column, "its values parse as dates"
    raise DataError(f"{source}: no column parses as dates (columns: {', '.join(map(str, frame.columns))}). "
                    "Pass --time COLUMN; write dates like 2000-01-31, Jan 31 2000, 2000-01, 2000 Q1 or 2000.")


def _parses_as_time(column: pd.Series) -> bool:
    sample = column.dropna().head(200)
    try:
        return len(sample) > 0 and parse_times(sample, "", "").notna().all()
    except (DataError, ValueError, TypeError, OverflowError):
        return False


def _infer_id(frame, text_columns, time) -> str | None:
    """A text column with few distinct values; unless named like an id, only when times repeat in the table (a
    flag such as `holiday` next to a single series' unique times is a covariate, not an id)."""
    repeated = [c for c in text_columns if frame[c].nunique() <= max(1, _ID_SHARE * len(frame))]
    named = [c for c in repeated if _ID_NAME.match(str(c))]
    if named:
        return named[0]
    several = [c for c in repeated if frame[c].nunique() > 1]
    return several[0] if several and frame[time].duplicated().any() else None


def _infer_target(numeric, source, time, id) -> tuple[str, str]:
    named = [c for c in numeric if _TARGET_NAME.match(str(c))]
    if named:
        return named[0], "named like a target"
    if numeric:
        return numeric[0], ("the numeric column" if len(numeric) == 1 else
                            f"the first of the numeric columns {', '.join(map(str, numeric))}")
    raise DataError(f"{source}: no numeric column to forecast besides the time '{time}'"
                    f"{f' and the id {id!r}' if id else ''}. Pass --target COLUMN.")


def _melt_wide(frame, time, numeric, reasons) -> tuple[pd.DataFrame, SeriesColumns]:
    reasons.append(f"wide table: {len(numeric)} numeric columns ({', '.join(map(str, numeric[:6]))}"
                   f"{', ...' if len(numeric) > 6 else ''}) read as one series each, in long format as "
                   f"series, {time}, value; pass --target to forecast one column with the others as covariates")
    # the long table's names, unless the wide one already uses them (melt refuses a name it has)
    series, value = (next(n for n in names if n not in frame.columns)
                     for names in (("series", "series_id", "id_"), ("value", "values", "value_")))
    long = frame.melt(id_vars=[time], value_vars=numeric, var_name=series, value_name=value)
    return long, SeriesColumns(id=series, time=time, target=value, reasons=reasons)


def _row_indexes(frame: pd.DataFrame, columns: list, reasons: list[str]) -> list:
    """Columns of row numbers (the index pandas writes with a file, a running count): neither a series to
    forecast nor a covariate; said once."""
    found = []
    for column in columns:
        kind = infer_kind(frame[column])
        if kind.kind == "identifier" and pd.api.types.is_integer_dtype(frame[column]):
            found.append(column)
            reasons.append(f"column '{column}' left out: {kind.reason}")
    return found


def _is_numeric(column: pd.Series) -> bool:
    present = column.dropna()
    if pd.api.types.is_numeric_dtype(column) or present.empty:
        return pd.api.types.is_numeric_dtype(column)
    return pd.to_numeric(present, errors="coerce").notna().mean() >= _NUMERIC_SHARE


def _numeric_target(frame, columns, source, fill) -> tuple[np.ndarray, list[Finding]]:
    """The target as floats; text in it and missing values are told per series, as findings."""
    raw = frame[columns.target]
    values = pd.to_numeric(raw, errors="coerce")
    text = values.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
    empty = raw.isna() | (raw.astype("string").str.strip() == "")
    filled = "left missing" if fill == "none" else f"filled by {fill}"
    ids = frame[columns.id].astype(str) if columns.id else pd.Series("series", index=frame.index)
    findings = []
    for mask, kind, what in ((text, "non_numeric", ("value that is not a number", "values that are not numbers")),
                             (empty, "missing_target", ("missing value", "missing values"))):
        for key, where in ids[mask.to_numpy()].groupby(ids[mask.to_numpy()], sort=False).indices.items():
            positions = np.flatnonzero(mask.to_numpy() & (ids == key).to_numpy())
            rows = [int(i) + 1 for i in positions]
            shown = f" ({', '.join(repr(str(v)) for v in raw.iloc[positions[:3]])})" if kind == "non_numeric" else ""
            findings.append(Finding(key, kind, f"{len(rows)} {what[len(rows) > 1]} in '{columns.target}'{shown} at "
                                               f"{rows_preview(rows)}; treated as missing, {filled}", rows))
    return values.to_numpy(dtype=np.float64), findings


def _too_short(key, length, min_length, rows) -> Finding:
    return Finding(key, "too_short", f"{length} observations, fewer than the {max(min_length, 3)} needed "
                                     "(the horizon and enough history to learn from); left out", rows.tolist())


def _late_starts(panel: Panel) -> list[Finding]:
    """Series that start well after the others, in a panel whose series end together (observed up to now):
    they bring less history, which backtests and models trained across series should know."""
    if len(panel) < 3:
        return []
    starts = pd.Series({s.id: s.values.index[0] for s in panel})
    ends = pd.Series({s.id: s.values.index[-1] for s in panel})
    last, first = ends.max(), starts.median()
    findings, aligned_by = [], {}
    for s in panel:
        step = s.frequency.offset
        if (s.frequency.alias, s.season_length) not in aligned_by:  # the same for every series of a frequency
            aligned_by[s.frequency.alias, s.season_length] = (ends >= last - step * s.season_length).mean() >= 0.5
        aligned = aligned_by[s.frequency.alias, s.season_length]
        late = s.values.index[0] > first + step * (2 * s.season_length)
        if aligned and late:
            missed = len(pd.date_range(first, s.values.index[0], freq=s.frequency.alias)) - 1
            findings.append(Finding(s.id, "late_start", (
                f"starts {s.values.index[0].date()}, {missed} periods after most series ({first.date()}); "
                "it has less history to learn from and to backtest on")))
    return findings


def _check_rule(option: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{option}={value!r} is not a known rule; choose one of {', '.join(allowed)}.")
