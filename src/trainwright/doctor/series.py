"""diagnose_series(): a time-series file checked before forecasting, per series, each finding with its setting.

The file is read as training will read it (`forecast.series.read_panel`, the same fill and duplicates rules),
so what the doctor reports is what training will meet. Two things differ on purpose: repeated timestamps that
the duplicates rule would refuse are named for every series (training stops at the first) as blocking
findings, and series too short for the horizon stay in the report with their dates, marked unusable.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.layout import Layout
from ..data.readers import read_table
from ..errors import ConfigError
from ..forecast.regular import FILL_RULES
from ..forecast.regular import Finding as Observation
from ..forecast.series import Panel, long_format, parse_times, read_panel
from .report import JSON_ROW_LIMIT, SEVERITIES

# Finding kinds, worst first within a severity. Outliers and level shifts are the user's call, so they are told,
# not warned about; a series that starts late only has less history.
_SEVERITY = {"duplicate_timestamps": "warning", "non_numeric": "warning", "too_short": "warning",
             "irregular": "warning", "missing_target": "warning", "gaps": "warning",
             "level_shift": "info", "outlier": "info", "late_start": "info"}
_KINDS = list(_SEVERITY)


@dataclass
class SeriesFinding:
    """One finding about one series (None: the whole file), and the setting that fixes or changes it."""

    series: str | None
    check: str  # the kinds of forecast.regular.Finding, and no_usable_series
    severity: str  # one of SEVERITIES
    message: str
    fix: str
    rows: list[int] = field(default_factory=list)  # data rows behind it, counting from 1

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "count": len(self.rows), "rows": self.rows[:JSON_ROW_LIMIT]}


@dataclass
class SeriesProfile:
    """One series as training will see it: its span, size and frequency."""

    id: str
    start: str | None  # first period, ISO; None when its dates could not be read
    end: str | None
    observations: int  # rows in the file
    points: int  # periods on its regular grid, gaps filled: what a model sees
    frequency: str | None  # "monthly"; None when fewer than 3 timestamps tell none
    alias: str | None  # pandas' offset alias, "MS"
    season_length: int | None
    usable: bool  # kept for training: long enough, frequency known
    checks: list[str] = field(default_factory=list)  # its findings' checks, worst first


@dataclass
class SeriesReport:
    file: str
    rows: int
    columns: dict[str, Any]  # id, time, target, covariates
    reasons: list[str]  # how each column was chosen
    series: list[SeriesProfile]
    findings: list[SeriesFinding]  # worst first
    horizon: int | None = None
    min_points: int | None = None  # periods a series needs for the horizon
    fill: str = "interpolate"
    duplicates: str = "mean"

    @property
    def blocking(self) -> list[SeriesFinding]:
        return self.by_severity("blocking")

    def by_severity(self, severity: str) -> list[SeriesFinding]:
        return [f for f in self.findings if f.severity == severity]

    def summary(self) -> dict[str, Any]:
        return {"series": len(self.series), "usable": sum(s.usable for s in self.series),
                "blocking": len(self.blocking), "warnings": len(self.by_severity("warning")),
                "info": len(self.by_severity("info")), "horizon": self.horizon, "min_points": self.min_points,
                "fill": self.fill, "duplicates": self.duplicates}

    def to_dict(self) -> dict[str, Any]:
        return {"task": "forecast", "file": self.file, "rows": self.rows, "columns": self.columns,
                "reasons": self.reasons, "series": [asdict(s) for s in self.series],
                "findings": [f.to_dict() for f in self.findings], "summary": self.summary()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def min_points(horizon: int) -> int:
    """Periods a series needs to forecast `horizon` ahead and be judged: one backtest window holds out the last
    `horizon` periods, and what is left must be longer than the horizon to fit a model that forecasts that far
    (lags of `horizon`, a season to repeat). So more than twice the horizon."""
    return 2 * horizon + 1


def diagnose_series(data: str | Path | pd.DataFrame, *, id: str | None = None, time: str | None = None,
                    target: str | None = None, horizon: int | None = None, fill: str = "interpolate",
                    duplicates: str = "mean", encoding: str | None = None, header: bool | None = None,
                    column_names: list[str] | None = None) -> SeriesReport:
    """Check a long (or wide) time-series table for what would hurt forecasting, series by series.

    id, time, target: the columns (inferred when not given). horizon: periods to forecast; series with no more
    than twice as many are named too short. fill, duplicates: the rules training will use (see
    `forecast.series.read_panel`). Unreadable files, a missing time column or unparseable dates raise DataError.
    """
    if horizon is not None and horizon < 1:
        raise ConfigError(f"--horizon {horizon}: the horizon is a number of periods to forecast, 1 or more.")
    frame, source = _read(data, encoding, header, column_names)
    # A refused duplicate is named for every series, not only the first: read as averaged, told as blocking.
    panel = read_panel(frame, source, id=id, time=time, target=target, fill=fill,
                       duplicates="mean" if duplicates == "error" else duplicates)
    long, _ = long_format(frame, source, id=id, time=time, target=target)
    ids = long[panel.columns.id].astype(str) if panel.columns.id else pd.Series("series", index=long.index)
    rows_of = {key: (where + 1).tolist() for key, where in ids.groupby(ids, sort=False).indices.items()}
    needed = min_points(horizon) if horizon else None
    findings = [_finding(f, panel, fill, duplicates) for f in panel.findings]
    findings += _too_short_for(panel, horizon, rows_of)
    profiles = [_profile(key, rows, panel, long, source, needed) for key, rows in rows_of.items()]
    if needed and not any(p.usable for p in profiles):
        findings.append(_none_usable(profiles, horizon, needed))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), _order(f.check)))  # stable: series order kept
    for profile in profiles:
        profile.checks = list(dict.fromkeys(f.check for f in findings if f.series == profile.id))
    columns = panel.columns
    return SeriesReport(file=source, rows=len(frame), series=profiles, findings=findings, horizon=horizon,
                        columns={"id": columns.id, "time": columns.time, "target": columns.target,
                                 "covariates": list(columns.covariates)},
                        reasons=_reasons(columns, id, time, target), min_points=needed, fill=fill,
                        duplicates=duplicates)


def _read(data, encoding, header, column_names) -> tuple[pd.DataFrame, str]:
    if isinstance(data, pd.DataFrame):
        return data, "<DataFrame>"
    layout = Layout("auto" if header is None else header, tuple(column_names) if column_names else None)
    return read_table(data, encoding=encoding, layout=layout), str(data)


def _reasons(columns, id, time, target) -> list[str]:
    """Every column's choice in words: the inferred ones with their reason, the given ones as given."""
    given = [f"{name} column: '{value}' (given with --{name})" for name, value in
             (("id", id), ("time", time), ("target", target)) if value is not None]
    return given + list(columns.reasons)


def _finding(found: Observation, panel: Panel, fill: str, duplicates: str) -> SeriesFinding:
    severity, message = _SEVERITY.get(found.kind, "warning"), found.message
    if found.kind == "duplicate_timestamps" and duplicates == "error":
        severity = "blocking"
        message = message.rsplit("; aggregated", 1)[0] + "; --duplicates error refuses them: training stops here"
    return SeriesFinding(found.series, found.kind, severity, message, _fix(found.kind, panel, fill, duplicates),
                         list(found.rows))


def _fix(kind: str, panel: Panel, fill: str, duplicates: str) -> str:
    target = panel.columns.target
    fills = f"--fill {', '.join(FILL_RULES[:-1])} or {FILL_RULES[-1]} [now {fill}]"
    fixes = {
        "duplicate_timestamps": ("--duplicates mean, sum or last combines them, or remove the repeated rows"
                                 if duplicates == "error" else f"--duplicates mean, sum or last [now {duplicates}] "
                                 "combines them, --duplicates error refuses them; or remove the repeated rows"),
        "irregular": f"check that --time '{panel.columns.time}' is the time column; else correct the dates",
        "gaps": f"{fills} chooses how missing periods are filled",
        "missing_target": f"{fills} chooses how missing values are filled; --target if '{target}' is not the "
                          "column to forecast",
        "non_numeric": f"correct the values, or --target if '{target}' is not the column to forecast; until then "
                       f"they are missing and {fills} fills them",
        "too_short": "give the series more history, or leave it out of the file; a series needs 3 periods",
        "late_start": "nothing to do: models trained across series make up for part of it; more history helps",
        "outlier": "correct or remove them in the file if they are errors; keep them if they happened",
        "level_shift": "correct them in the file if they are errors; keep a shift that really happened",
    }
    return fixes.get(kind, "")


def _too_short_for(panel: Panel, horizon: int | None, rows_of: dict[str, list[int]]) -> list[SeriesFinding]:
    if not horizon:
        return []
    needed = min_points(horizon)
    return [SeriesFinding(s.id, "too_short", "warning", (
        f"{len(s.values)} periods, not more than twice the horizon of {horizon}: too short to hold out a "
        f"backtest window of {horizon} and fit on the rest (it needs {needed}); training leaves it out"),
        f"--horizon {max(1, (len(s.values) - 1) // 2)} or less, or more history for this series",
        rows_of.get(s.id, [])) for s in panel if len(s.values) < needed]


def _profile(key, rows, panel, long, source, needed) -> SeriesProfile:
    if key in panel.series:
        regular = panel[key]
        index, frequency = regular.values.index, regular.frequency
        return SeriesProfile(key, _iso(index[0]), _iso(index[-1]), len(rows), len(index), frequency.name,
                             frequency.alias, frequency.season_length, usable=needed is None or len(index) >= needed)
    # left out by read_panel (fewer than 3 timestamps): its span from the file, no frequency
    times = parse_times(long[panel.columns.time].iloc[[r - 1 for r in rows]], source, panel.columns.time)
    return SeriesProfile(key, _iso(times.min()), _iso(times.max()), len(rows), times.nunique(), None, None, None,
                         usable=False)


def _none_usable(profiles: list[SeriesProfile], horizon: int, needed: int) -> SeriesFinding:
    longest = max((p.points for p in profiles), default=0)
    return SeriesFinding(None, "no_usable_series", "blocking", (
        f"no series has the {needed} periods a horizon of {horizon} needs (the longest has {longest}): there is "
        "nothing to train on"), f"--horizon {max(1, (longest - 1) // 2)} or less, or a file with more history")


def _order(check: str) -> int:
    return _KINDS.index(check) if check in _KINDS else -1  # unknown and whole-file checks first


def _iso(moment) -> str | None:
    if pd.isna(moment):
        return None
    moment = pd.Timestamp(moment)
    return str(moment.date()) if moment == moment.normalize() else moment.isoformat()
