"""The forecast report's content, computed from the one file a forecast run writes, RUN/forecast.json: the
header facts, the backtest leaderboard, the series ordered worst first with a figure each (history, backtest
forecasts against the actual, the future with its interval band), and the findings of reading the panel.
forecast_html.py formats the page and writes it (write_forecast_report):

    content = forecast_report(read_forecast("runs/sales"))
    content.series[0].id, content.series[0].scores["mase"]     # the worst series by the chosen model's MASE

Figures are PNG bytes, embedded in the page: nothing else is written beside it.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import ArtifactError
from . import plots

FORMAT = "trainwright-forecast/1"
RECORD = "forecast.json"
PLOTTED = 12  # a page of hundreds of figures is unreadable: the worst ones are drawn, the rest listed
# A long series shows its recent part, so the forecast is not a sliver at the right edge: its last seasons, yet no
# more than some horizons (a 4-hour forecast after 10 days of hours would be lost).
RECENT_SEASONS, RECENT_HORIZONS = 10, 20
METRICS = ("mase", "smape", "mae", "rmse", "wql", "coverage")
BACKTEST, FUTURE = plots.VALID, plots.TRAIN


@dataclass
class SeriesView:
    """One series as the page shows it: the chosen model, its backtest scores and its figure (PNG bytes)."""

    id: str
    model: str
    model_form: str | None
    frequency: str  # "monthly (MS)"
    scores: dict  # the chosen model's metrics, METRICS keys (a value may be None)
    points: int  # observations in the history
    shown: int  # of which the figure shows the last `shown`
    figure: bytes | None = None

    @property
    def mase(self) -> float | None:
        return self.scores.get("mase")


@dataclass
class ForecastContent:
    """Everything the forecast page shows, computed once: the page template only formats it."""

    record: dict
    leaderboard: list[dict]  # best first, as training ranked them; "chosen" is the per-series choice
    series: list[SeriesView]  # worst first by the chosen model's MASE; series without one last
    findings: list[dict]
    left_out: list[str] = field(default_factory=list)  # series with findings but no forecast (e.g. too short)

    @property
    def plotted(self) -> list[SeriesView]:
        return self.series[:PLOTTED]

    @property
    def listed(self) -> list[SeriesView]:
        return self.series[PLOTTED:]

    @property
    def quantiles(self) -> list[float]:
        return sorted(float(q) for q in self.record.get("quantiles") or [])

    @property
    def interval(self) -> float | None:
        """The nominal coverage of the band drawn (highest minus lowest quantile), e.g. 0.8."""
        q = self.quantiles
        return round(q[-1] - q[0], 6) if len(q) >= 2 else None

    @property
    def against_naive(self) -> tuple[float, float] | None:
        """(MASE of the per-series choice, MASE of seasonal naive) over the backtests, when both were scored:
        the baseline a forecast has to beat to be worth its model."""
        mase = {r.get("model"): _number(r.get("mase")) for r in self.leaderboard}
        chosen, naive = mase.get("chosen"), mase.get("seasonal_naive")
        return (chosen, naive) if chosen is not None and naive else None

    @property
    def chosen_models(self) -> Counter:
        return Counter(s.model for s in self.series)


def read_forecast(run_dir: str | Path) -> dict:
    """RUN_DIR/forecast.json, checked to be a forecast record. Raises ArtifactError saying what to do."""
    path = Path(run_dir)
    if not path.is_dir():
        raise ArtifactError(f"{path}: no such run directory. Pass the --out directory of a "
                            "`trainwright train --task forecast` run.")
    file = path / RECORD
    if not file.is_file():
        raise ArtifactError(f"{path} has no {RECORD}: it is not a forecast run. Pass the --out directory of a "
                            "`trainwright train --task forecast` run.")
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ArtifactError(f"{file} cannot be read ({e}). Train the run again to rewrite it.") from None
    check_record(record, file)
    return record


def check_record(record, source: str | Path = RECORD) -> None:
    """Raise ArtifactError naming the first key of `record` that a forecast report cannot use."""
    if not isinstance(record, dict):
        raise ArtifactError(f"{source} holds a {type(record).__name__}, not a JSON object.")
    if record.get("format") != FORMAT:
        raise ArtifactError(f"{source}: format is {record.get('format')!r}, expected {FORMAT!r}. It was written by "
                            "another trainwright version: train the run again, or report it with that version.")
    for key, kind in (("series", list), ("leaderboard", list), ("horizon", int)):
        if not isinstance(record.get(key), kind):
            raise ArtifactError(f"{source}: key {key!r} is missing or not a {kind.__name__} "
                                f"(got {type(record.get(key)).__name__}). Train the run again to rewrite it.")
    for i, series in enumerate(record["series"]):
        missing = [k for k in ("id", "model", "history", "forecast") if not isinstance(series, dict) or k not in series]
        if missing:
            raise ArtifactError(f"{source}: series[{i}] lacks {', '.join(map(repr, missing))}. Train the run "
                                "again to rewrite it.")


def forecast_report(record: dict) -> ForecastContent:
    """The page's content from a forecast record (the JSON object of RUN/forecast.json); draws the figures of
    the PLOTTED worst series."""
    check_record(record)
    quantiles = sorted(float(q) for q in record.get("quantiles") or [])
    views = sorted((_view(s) for s in record["series"]), key=_worst_first)
    by_id = {str(s["id"]): s for s in record["series"]}
    for view in views[:PLOTTED]:
        view.figure = series_figure(by_id[view.id], quantiles, view.shown)
    findings = [f for f in record.get("findings") or [] if isinstance(f, dict)]
    left_out = sorted({str(f.get("series")) for f in findings if f.get("series") is not None} - set(by_id))
    return ForecastContent(record, [r for r in record["leaderboard"] if isinstance(r, dict)], views, findings,
                           left_out)


def _view(series: dict) -> SeriesView:
    model = str(series["model"])
    scores = (series.get("scores") or {}).get(model) or {}
    name, code = series.get("frequency_name"), series.get("frequency")
    frequency = f"{name} ({code})" if name and code else str(name or code or "unknown frequency")
    points = len((series.get("history") or {}).get("values") or [])
    return SeriesView(str(series["id"]), model, series.get("model_form"), frequency,
                      {k: _number(scores.get(k)) for k in METRICS}, points, recent_length(series, points))


def _worst_first(view: SeriesView) -> tuple:
    return (view.mase is None, -(view.mase or 0.0), view.id)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and np.isfinite(value) else None


def recent_length(series: dict, points: int) -> int:
    """How many of the last history points the figure shows: RECENT_SEASONS seasons but at most RECENT_HORIZONS
    horizons (without a season: 10 horizons), and at least every backtest window with a season before it."""
    season = max(int(series.get("season_length") or 1), 1)
    horizon = max(len((series.get("forecast") or {}).get("dates") or []), 1)
    backtest = sum(len(w.get("dates") or []) for w in series.get("backtests") or [])
    recent = min(RECENT_SEASONS * season, RECENT_HORIZONS * horizon) if season > 1 else 10 * horizon
    return min(points, max(recent, backtest + season, 4 * horizon))


def series_figure(series: dict, quantiles: list[float], shown: int) -> bytes:
    """PNG: the last `shown` history points, each backtest window's forecast (dashed, its band shaded) against
    the actual, and the future forecast with the band between the lowest and highest quantile."""
    history = series.get("history") or {}
    dates, values = _dates(history.get("dates")), _values(history.get("values"))
    low, high = (_key(quantiles[0]), _key(quantiles[-1])) if len(quantiles) >= 2 else (None, None)
    with matplotlib.rc_context(plots.STYLE):
        fig = Figure(figsize=(10.0, 3.3), layout="constrained")
        ax = fig.subplots()
        ax.plot(dates[-shown:] if shown else dates, values[-shown:] if shown else values, color=plots.INK,
                linewidth=1.3, label="history")
        for k, window in enumerate(series.get("backtests") or []):
            when = _dates(window.get("dates"))
            _band(ax, when, window.get("quantiles") or {}, low, high, BACKTEST, 0.15)
            ax.plot(when, _values(window.get("actual")), "o", color=plots.INK, markersize=2.6)
            ax.plot(when, _values(window.get("point")), color=BACKTEST, linestyle="--", linewidth=1.5,
                    label="backtest forecasts" if k == 0 else None)
        future = series.get("forecast") or {}
        when = _dates(future.get("dates"))
        band = _band(ax, when, future.get("quantiles") or {}, low, high, FUTURE, 0.2)
        ax.plot(when, _values(future.get("point")), color=FUTURE, linewidth=1.8, label="forecast")
        if band:
            ax.fill_between([], [], color=FUTURE, alpha=0.2, lw=0, label=f"{quantiles[0]:g}–{quantiles[-1]:g} "
                                                                           "quantiles")
        if len(dates):
            ax.axvline(dates[-1], color=plots.MUTED, linestyle=":", linewidth=1)
        ax.set_title(f"{series['id']}: {series['model']}")
        ax.legend(loc="upper left", ncols=4)
        ax.margins(x=0.01)
        return _png(fig)


def _band(ax, when, quantiles: dict, low: str | None, high: str | None, color: str, alpha: float) -> bool:
    """Shade between the lowest and highest quantile when the record has both for these dates."""
    lower, upper = quantiles.get(low), quantiles.get(high)
    if low is None or lower is None or upper is None or len(lower) != len(when) or len(upper) != len(when):
        return False
    ax.fill_between(when, _values(lower), _values(upper), color=color, alpha=alpha, lw=0)
    return True


def _key(q: float) -> str:
    """A quantile's key in the record: its level written with str(float), '0.1'."""
    return str(float(q))


def _dates(values) -> np.ndarray:
    """ISO dates or timestamps ('2000-01-01', '2000-01-01T09:30:00+01:00') as datetime64, in their own clock
    time: a plot of one series needs no time zone."""
    import pandas as pd

    if not values:
        return np.array([], dtype="datetime64[ns]")
    moments = pd.to_datetime(pd.Series([str(v) for v in values]), format="ISO8601", utc=False)
    if getattr(moments.dt, "tz", None) is not None:
        moments = moments.dt.tz_localize(None)
    return moments.to_numpy(dtype="datetime64[ns]")


def _values(values) -> np.ndarray:
    """Numbers with null (a value the record could not write) as NaN: a gap in the line."""
    return np.array([np.nan if v is None else v for v in values or []], dtype=float)


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes, drawn as plots.py draws its files."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=plots.DPI, format="png", bbox_inches="tight", pad_inches=0.15,
                metadata={"Software": None})
    return buffer.getvalue()
