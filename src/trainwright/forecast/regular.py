"""One series' observations made into a regular series: one value per period of its frequency, no holes.

The steps, each told as a `Finding` when it changes something: timestamps seen more than once are aggregated
(or refused), dates off the inferred grid are moved to the nearest period, missing periods and missing values
are filled by the chosen rule, and outliers and level shifts are named but left as they are: whether a spike
is an error or news is the user's call, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, rows_preview
from .frequency import MAXSTRETCHES, STRETCH, Frequency, infer_frequency

FILL_RULES = ("interpolate", "ffill", "zero", "none")
DUPLICATE_RULES = ("mean", "sum", "last", "error")
_UNUSUAL = 6.0  # robust z-score (median/MAD of the differences) above which a change is named
_DATES_SHOWN = 3


@dataclass
class Finding:
    """Something about one series that the user should know: what kind, in words, and the data rows behind it
    (counting data rows from 1)."""

    series: str
    kind: str  # duplicate_timestamps, irregular, gaps, missing_target, non_numeric, too_short, late_start, ...
    message: str
    rows: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.series}: {self.message}"


def regularize(series_id: str, times: pd.DatetimeIndex, values: np.ndarray, rows: np.ndarray, source: str,
               fill: str = "interpolate", duplicates: str = "mean",
               frequency: Frequency | None = None) -> tuple[pd.Series, Frequency | None, list[Finding]]:
    """The regular series (DatetimeIndex with a freq) of one series' observations, its frequency and findings.

    `values` are floats, NaN where missing; `rows` the data row of each observation. The frequency is
    inferred unless given; when it cannot be (fewer than 3 distinct times) the series comes back as observed,
    with None.
    """
    observed = pd.DataFrame({"value": values, "row": rows}, index=times).sort_index(kind="stable")
    findings: list[Finding] = []
    observed = _merge_duplicates(series_id, observed, duplicates, source, findings)
    frequency = frequency or infer_frequency(observed.index)
    if frequency is None:
        return observed["value"], None, findings
    observed = _snap_to_grid(series_id, observed, frequency, findings)
    grid = pd.date_range(observed.index[0], observed.index[-1], freq=frequency.alias)
    regular = observed["value"].reindex(grid)
    _name_gaps(series_id, grid.difference(observed.index), frequency, fill, findings)
    regular = fill_missing(regular, fill)
    regular.index.freq = frequency.alias
    regular.name = series_id
    findings += unusual_changes(series_id, regular, frequency.season_length, observed["row"])
    return regular, frequency, findings


class PanelGrid:
    """`regularize` for the many series of one panel, sharing what they have in common: a frequency is inferred
    once per distinct set of times, and a series whose times all lie on a grid already met, without repeats,
    is placed on it by position (no dates to snap, no grid to build). The results are regularize's.

    A frequency is taken from a grid only when pandas would infer it from the series itself: its consecutive
    stretches (those infer_frequency votes with) are most of them. Business-day grids are left to regularize
    (five business days in a row read as daily).
    """

    def __init__(self, first: pd.Timestamp, last: pd.Timestamp):
        self.first, self.last = first, last
        self._frequencies: dict[bytes, Frequency | None] = {}
        self._grids: dict[str, tuple[Frequency, pd.DatetimeIndex, np.ndarray]] = {}

    def regularize(self, series_id: str, times: pd.DatetimeIndex, values: np.ndarray, rows: np.ndarray,
                   source: str, fill: str = "interpolate",
                   duplicates: str = "mean") -> tuple[pd.Series, Frequency | None, list[Finding]]:
        order = np.argsort(times.asi8, kind="stable")
        stamps = times.as_unit("ns").asi8[order]
        if len(stamps) < 3 or not (np.diff(stamps) > 0).all():
            return regularize(series_id, times, values, rows, source, fill, duplicates)
        for frequency, grid, grid_stamps in self._grids.values():
            position = np.searchsorted(grid_stamps, stamps)
            if position[-1] < len(grid_stamps) and (grid_stamps[position] == stamps).all() and \
                    _mostly_consecutive(position):
                return _on_grid(series_id, grid, position, values[order], rows[order], frequency, fill)
        key = stamps.tobytes()
        if key not in self._frequencies:
            self._frequencies[key] = infer_frequency(times[order])
            self._add_grid(self._frequencies[key])
        return regularize(series_id, times, values, rows, source, fill, duplicates, self._frequencies[key])

    def _add_grid(self, frequency: Frequency | None) -> None:
        if frequency is None or frequency.alias in self._grids or frequency.alias.startswith(("B", "C")):
            return
        offset = frequency.offset
        if isinstance(offset, pd.offsets.Tick) and (self.last - self.first) / pd.Timedelta(offset) > _MAX_GRID:
            return
        grid = pd.date_range(offset.rollback(self.first), offset.rollforward(self.last), freq=frequency.alias)
        if len(grid) <= _MAX_GRID:
            self._grids[frequency.alias] = (frequency, grid, grid.as_unit("ns").asi8)


_MAX_GRID = 2_000_000  # periods of a panel's grid; a finer one (seconds over years) is left to regularize


def _mostly_consecutive(position: np.ndarray) -> bool:
    """Whether most of the stretches infer_frequency samples are consecutive periods (then they outvote the rest)."""
    size = min(STRETCH, len(position))
    starts = np.arange(len(position) - size + 1)
    if len(starts) > MAXSTRETCHES:
        step = len(starts) / MAXSTRETCHES
        starts = np.unique((np.arange(MAXSTRETCHES) * step).astype(int))
    consecutive = position[starts + size - 1] - position[starts] == size - 1
    return consecutive.sum() * 2 > len(starts)


def _on_grid(series_id, grid, position, values, rows, frequency, fill) -> tuple[pd.Series, Frequency, list[Finding]]:
    """regularize's result for distinct sorted times at `position` of the panel's grid."""
    span = position - position[0]
    placed = np.full(span[-1] + 1, np.nan)
    placed[span] = values
    index = grid[position[0]:position[-1] + 1]
    findings: list[Finding] = []
    if len(position) < len(placed):
        missing = np.setdiff1d(np.arange(len(placed)), span)
        _name_gaps(series_id, index[missing], frequency, fill, findings)
    regular = pd.Series(placed, index=index, name=series_id)
    if np.isnan(placed).any():
        regular = fill_missing(regular, fill)
    regular.index.freq = frequency.alias
    findings += unusual_changes(series_id, regular, frequency.season_length, pd.Series(rows, index=index[span]))
    return regular, frequency, findings


def fill_missing(series: pd.Series, rule: str) -> pd.Series:
    """Missing values filled by `rule`; at the ends, where there is nothing to interpolate from, the nearest
    value is carried."""
    if rule == "interpolate":
        return series.interpolate(method="linear", limit_direction="both")
    if rule == "ffill":
        return series.ffill().bfill()
    if rule == "zero":
        return series.fillna(0.0)
    return series


def _merge_duplicates(series_id, observed, rule, source, findings) -> pd.DataFrame:
    repeated = observed.index.duplicated(keep=False)
    if not repeated.any():
        return observed
    times = observed.index[repeated].unique()
    rows = observed["row"][repeated].tolist()
    verb = "appears" if len(times) == 1 else "appear"
    where = f"{_count(len(times), 'timestamp')} {verb} more than once ({_dates(times)}; {rows_preview(rows)})"
    if rule == "error":
        raise DataError(f"{source}: series '{series_id}': {where}. Aggregate them with duplicates='mean', 'sum' or "
                        "'last', or remove the repeated rows.")
    grouped = observed.groupby(level=0)
    merged = pd.DataFrame({
        # sum of only missing values stays missing (not 0); last is the last observed value
        "value": grouped["value"].sum(min_count=1) if rule == "sum" else getattr(grouped["value"], rule)(),
        "row": grouped["row"].first(),
    })
    findings.append(Finding(series_id, "duplicate_timestamps", f"{where}; aggregated by their {rule}", rows))
    return merged


def _snap_to_grid(series_id, observed, frequency, findings) -> pd.DataFrame:
    offset = frequency.offset
    start, end = offset.rollback(observed.index[0]), offset.rollforward(observed.index[-1])
    grid = pd.date_range(start, end, freq=frequency.alias)
    off = ~observed.index.isin(grid)
    if not off.any():
        return observed
    snapped = grid[grid.get_indexer(observed.index, method="nearest")]
    rows = observed["row"][off].tolist()
    findings.append(Finding(series_id, "irregular", (
        f"{_count(int(off.sum()), 'timestamp')} {'is' if off.sum() == 1 else 'are'} off its {frequency.name} grid "
        f"({_dates(observed.index[off])}; "
        f"{rows_preview(rows)}); moved to the nearest period, values landing on the same period averaged"), rows))
    moved = observed.set_axis(snapped)
    grouped = moved.groupby(level=0)
    return pd.DataFrame({"value": grouped["value"].mean(), "row": grouped["row"].first()})


def _name_gaps(series_id, missing: pd.DatetimeIndex, frequency, fill, findings) -> None:
    if missing.empty:
        return
    grid = pd.date_range(missing[0], missing[-1], freq=frequency.alias)
    position = grid.get_indexer(missing)
    runs = np.split(position, np.flatnonzero(np.diff(position) != 1) + 1)
    longest = max(runs, key=len)
    filled = "left missing" if fill == "none" else f"filled by {fill}"
    findings.append(Finding(series_id, "gaps", (
        f"{len(missing)} missing {frequency.name} periods in {len(runs)} gap{'s' if len(runs) > 1 else ''}, "
        f"the longest {len(longest)} from {grid[longest[0]].date()}; {filled}")))


def unusual_changes(series_id: str, series: pd.Series, season_length: int,
                    rows: pd.Series | None = None) -> list[Finding]:
    """Outliers (a jump that comes back) and level shifts (a jump that stays), named, not changed.

    Robust rule: the differences (seasonal ones when there are 3 seasons or more, so a regular seasonal swing
    is not news; of the logarithm when all values are positive) scaled by their median and MAD; a difference
    over the threshold followed, one lag later, by one as large the other way is an outlier, else a level shift.
    """
    lag = season_length if season_length > 1 and len(series) >= 3 * season_length else 1
    values = series.to_numpy(dtype=np.float64)
    if len(values) <= lag:
        return []
    # a positive series that grows swings more as it grows (airline passengers, gas use): compare ratios
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.log(values) if (values > 0).all() else values
    change = np.concatenate([np.full(lag, np.nan), level[lag:] - level[:-lag]])
    if np.isnan(change).all():
        return []
    middle = np.nanmedian(change)
    scale = 1.4826 * np.nanmedian(np.abs(change - middle))
    if not np.isfinite(scale) or scale == 0:
        return []
    z = (change - middle) / scale
    outliers, shifts, skip = [], [], set()
    for i in np.flatnonzero(np.abs(np.nan_to_num(z)) > _UNUSUAL):
        if i in skip:
            continue
        back = i + lag < len(z) and z[i + lag] * z[i] < 0 and abs(z[i + lag]) > _UNUSUAL / 2
        (outliers if back else shifts).append(series.index[i])
        skip.update(range(i, i + lag + 1))  # the same event seen again in the next differences
    return ([_change_finding(series_id, "outlier", outliers, series, rows)] if outliers else []) + \
        ([_change_finding(series_id, "level_shift", shifts, series, rows)] if shifts else [])


def _change_finding(series_id, kind, times, series, rows) -> Finding:
    at = [int(rows[t]) for t in times if rows is not None and t in rows.index]
    what = "outlier" if kind == "outlier" else "level shift"
    many = "s" if len(times) > 1 else ""
    message = (f"{len(times)} {what}{many} at {_dates(pd.DatetimeIndex(times))} (median/MAD of the differences); "
               "left as they are: check them, and correct or remove them in the file if they are errors")
    return Finding(series_id, kind, message, at)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _dates(times: pd.DatetimeIndex) -> str:
    shown = ", ".join(str(t.date()) if t == t.normalize() else str(t) for t in times[:_DATES_SHOWN])
    return shown + (f" and {len(times) - _DATES_SHOWN} more" if len(times) > _DATES_SHOWN else "")
