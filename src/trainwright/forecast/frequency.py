"""How often a series is observed, and the season length that goes with it.

pandas' `infer_freq` names the frequency of a perfectly regular index and gives up (None) on the first gap or
stray date. Real series have both, so when the whole index is not regular, `infer_freq` is asked about short
stretches of consecutive observations and the most common answer wins: a series with a few missing months is
still monthly, and the dates off that grid are named by the caller.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import pandas as pd

STRETCH = 5  # points per stretch asked of infer_freq; enough to tell month starts from every-30-days
MAXSTRETCHES = 60  # stretches sampled along a long irregular series, so the cost stays bounded

# Offset class name -> (what to call it, season length). Season lengths follow the forecasting convention
# (statsforecast, AutoGluon): the cycle one period up (a year of months, a week of days, a day of hours).
_KINDS = {
    "MonthBegin": ("monthly", 12), "MonthEnd": ("monthly", 12),
    "BusinessMonthBegin": ("monthly", 12), "BusinessMonthEnd": ("monthly", 12),
    "QuarterBegin": ("quarterly", 4), "QuarterEnd": ("quarterly", 4),
    "BQuarterBegin": ("quarterly", 4), "BQuarterEnd": ("quarterly", 4),
    "YearBegin": ("yearly", 1), "YearEnd": ("yearly", 1), "BYearBegin": ("yearly", 1), "BYearEnd": ("yearly", 1),
    "Week": ("weekly", 52), "Day": ("daily", 7), "BusinessDay": ("business-daily", 5),
    "Hour": ("hourly", 24), "Minute": ("minutely", 60), "Second": ("secondly", 60),
}


@dataclass(frozen=True)
class Frequency:
    alias: str  # pandas' offset alias, e.g. "MS", "QS-OCT", "D": `pd.date_range(..., freq=alias)` extends the series
    name: str  # "monthly", "quarterly", "every 2 days", ...
    season_length: int  # observations per seasonal cycle; 1 when there is none to speak of

    @property
    def offset(self) -> pd.DateOffset:
        return pd.tseries.frequencies.to_offset(self.alias)

    def __str__(self) -> str:
        return f"{self.name} ({self.alias}, season length {self.season_length})"


def describe(alias: str) -> Frequency:
    """The Frequency of a pandas offset alias: its plain name and season length."""
    offset = pd.tseries.frequencies.to_offset(alias)
    name, season = _KINDS.get(type(offset).__name__, (f"every {offset.freqstr}", 1))
    if offset.n != 1:
        unit = {"monthly": "months", "quarterly": "quarters", "yearly": "years", "weekly": "weeks",
                "daily": "days", "hourly": "hours", "minutely": "minutes", "secondly": "seconds"}.get(name)
        name = f"every {offset.n} {unit}" if unit else name
        # 15-minute data still has a daily cycle of 96; 5-day steps have no weekly one
        season = season // offset.n if season % offset.n == 0 else 1
        if type(offset).__name__ == "Minute" and 60 * 24 % offset.n == 0:
            season = 60 * 24 // offset.n
    return Frequency(alias=offset.freqstr, name=name, season_length=max(season, 1))


def infer_frequency(times: pd.DatetimeIndex) -> Frequency | None:
    """The frequency of sorted, distinct `times`: of the whole index when it is regular, else the most common
    frequency of its stretches of consecutive observations. None when there are too few points to tell."""
    if len(times) < 3:
        return None
    alias = _infer_freq(times)
    if alias is None:
        alias = _most_common_stretch_frequency(times)
    return describe(alias) if alias else None


def _most_common_stretch_frequency(times: pd.DatetimeIndex) -> str | None:
    size = min(STRETCH, len(times))
    starts = range(len(times) - size + 1)
    if len(starts) > MAXSTRETCHES:
        step = len(starts) / MAXSTRETCHES
        starts = sorted({int(i * step) for i in range(MAXSTRETCHES)})
    votes = Counter(alias for i in starts if (alias := _infer_freq(times[i:i + size])))
    if not votes:
        # no stretch is regular (every step differs): fall back to the smallest step as a fixed duration
        step = pd.Series(times).diff().dropna().min()
        if step <= pd.Timedelta(0):
            return None
        days = step / pd.Timedelta(days=1)
        # whole days as calendar days (D), not 24-hour spans: pandas 3 names a Timedelta of one day "24h"
        return (f"{int(days)}D" if days > 1 else "D") if days == int(days) else pd.tseries.frequencies.to_offset(
            step).freqstr
    return votes.most_common(1)[0][0]


def _infer_freq(times: pd.DatetimeIndex) -> str | None:
    """pd.infer_freq as an alias string, on pandas versions that return a string and those that return an offset."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*infer_freq.*", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*infer_freq.*", category=DeprecationWarning)
        found = pd.infer_freq(times)
    return getattr(found, "freqstr", found)
