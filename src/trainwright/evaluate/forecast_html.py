"""The forecast report's page: the run report's look (its stylesheet, tiles and tables) with each series' figure
embedded as a base64 data: URI, so the one file opens offline and can be mailed. No scripts; every value from
the record is escaped. write_forecast_report reads RUN/forecast.json and writes RUN/report.html, its content
computed by forecast_report.py.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from ..destination import write_atomically
from ..version import __version__
from .forecast_report import (METRICS, PLOTTED, RECENT_HORIZONS, RECENT_SEASONS, ForecastContent, SeriesView,
                              forecast_report, read_forecast)
from .report import REPORT_DIR
from .report_html import CSS as REPORT_CSS

PAGE = "report.html"  # in REPORT_DIR, where the report of every run is
CSS = REPORT_CSS + """
tr.chosen td { background:#f0fff4; font-weight:600; }
.series { margin-top:18px; } .series .figure { border:0; padding:4px 0 0; }
.series h3 { text-transform:none; letter-spacing:0; font-size:15px; color:var(--ink); margin:0 0 4px; }
.series .rank { color:var(--muted); font-weight:400; margin-right:6px; }
.series .form { color:var(--muted); font-size:13px; margin:0 0 8px; }
.scores { display:flex; flex-wrap:wrap; gap:4px 18px; font-size:13.5px; margin:0 0 8px; }
.scores b { font-variant-numeric:tabular-nums; } .scores span { color:var(--muted); }
"""
_HEADS = {"mase": "MASE", "smape": "sMAPE", "mae": "MAE", "rmse": "RMSE", "wql": "wQL", "coverage": "coverage"}
_SHOWN = ("mase", "smape", "wql", "coverage")


def write_forecast_report(run_dir: str | Path) -> Path:
    """Write RUN_DIR/report/report.html from RUN_DIR/forecast.json; returns the page's path."""
    run = Path(run_dir)
    record = read_forecast(run)
    (run / REPORT_DIR).mkdir(exist_ok=True)
    page = run / REPORT_DIR / PAGE
    write_atomically(page, render_forecast_report(forecast_report(record), run.resolve().name))
    return page


def render_forecast_report(content: ForecastContent, name: str = "forecast") -> str:
    body = "".join([_header(content, name), _verdict(content), _tiles(content), _leaderboard(content), _series(content),
                    _findings(content), _footer()])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Forecast report: {escape(name)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _header(content: ForecastContent, name: str) -> str:
    r = content.record
    columns = r.get("columns") or {}
    facts = []
    if r.get("file"):
        facts.append(f"on <b>{escape(Path(str(r['file'])).name)}</b>")
    facts.append(f"horizon <b>{r['horizon']}</b> periods")
    if content.quantiles:
        facts.append(f"quantiles <b>{escape(', '.join(f'{q:g}' for q in content.quantiles))}</b>")
    facts.append(f"<b>{len(content.series):,}</b> series forecast"
                 + (f" ({len(content.left_out)} left out)" if content.left_out else ""))
    if r.get("backtest_windows"):
        facts.append(f"<b>{r['backtest_windows']}</b> backtest windows")
    chosen = ", ".join(f"{escape(m)} ×{n}" for m, n in content.chosen_models.most_common())
    used = ", ".join(f"{label} <span class=mono>{escape(str(columns[key]))}</span>"
                     for key, label in (("id", "id"), ("time", "time"), ("target", "target")) if columns.get(key))
    return (f"<div class=eyebrow>trainwright report · forecast run</div><h1>{escape(name)}</h1>"
            f"<p class=meta>{' · '.join(facts)}"
            + (f"<br>columns: {used}" if used else "")
            + (f"<br>models chosen per series: <b>{chosen}</b>" if chosen else "") + "</p>")


def _verdict(content: ForecastContent) -> str:
    if content.against_naive is None:
        return ""
    chosen, naive = content.against_naive
    if chosen < naive:
        return (f"<div class='verdict ok'>The chosen models beat seasonal naive on the backtests: MASE {chosen:.3f} "
                f"against {naive:.3f}, {1 - chosen / naive:.0%} less error.</div>")
    return (f"<div class='verdict warn'>The chosen models do not beat seasonal naive on the backtests: MASE "
            f"{chosen:.3f} against {naive:.3f}. Repeating the last season forecasts these series as well.</div>")


def _tiles(content: ForecastContent) -> str:
    chosen = next((r for r in content.leaderboard if r.get("model") == "chosen"), None) or \
        (content.leaderboard[0] if content.leaderboard else None)
    if chosen is None:
        return "<p class=note>The record has no leaderboard: no backtest scores to show.</p>"
    tiles = []
    for key in _SHOWN:
        value = chosen.get(key)
        if value is None:
            continue
        sub = (f"<div class=sub>nominal {content.interval:.0%}</div>" if key == "coverage" and content.interval
               else "")
        tiles.append(f"<div class=tile><div class=n>{_format(key, value)}</div><div class=l>backtest "
                     f"{_HEADS[key]} ({escape(str(chosen.get('model')))})</div>{sub}</div>")
    return "<div class=tiles>" + "".join(tiles) + "</div>"


def _leaderboard(content: ForecastContent) -> str:
    if not content.leaderboard:
        return ""
    keys = [k for k in METRICS if any(r.get(k) is not None for r in content.leaderboard)]
    head = "".join(f"<th style='text-align:right'>{_HEADS[k]}</th>" for k in keys)
    rows = "".join(
        f"<tr{' class=chosen' if r.get('model') == 'chosen' else ''}><td class=num>{i}</td>"
        f"<td>{escape(str(r.get('model')))}</td>"
        + "".join(f"<td class=num>{_format(k, r.get(k))}</td>" for k in keys) + "</tr>"
        for i, r in enumerate(content.leaderboard, 1))
    return ("<h2>Leaderboard</h2><p class=meta>Every candidate scored on the rolling-origin backtests of all "
            "series, best first; <b>chosen</b> is each series' own choice of model. MASE below 1 beats the "
            "in-sample seasonal naive forecast; coverage is the share of actual values inside the "
            + (f"{content.interval:.0%} " if content.interval else "") + "interval.</p>"
            f"<table class=compact><thead><tr><th style='text-align:right'>#</th><th>Model</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _series(content: ForecastContent) -> str:
    if not content.series:
        return "<h2>Series</h2><p class=note>No series was forecast: see the findings below.</p>"
    many = (f"<p class=note>{len(content.series):,} series: the {PLOTTED} worst by the chosen model's MASE are "
            f"drawn; the other {len(content.listed):,} are listed in the table after them.</p>"
            if content.listed else "")
    cards = "".join(_series_card(view, rank) for rank, view in enumerate(content.plotted, 1))
    return (f"<h2>Series, worst first</h2><p class=meta>Ordered by the chosen model's backtest MASE, highest first. "
            f"Black: the history (dots: the actual values of the backtest windows); dashed: the backtest "
            f"forecasts; blue: the forecast after the last observation (dotted line), shaded between the lowest "
            f"and highest quantile. A long series shows its recent part: its last {RECENT_SEASONS} seasons, or "
            f"{RECENT_HORIZONS} horizons when that is shorter.</p>{many}{cards}"
            f"{_rest(content)}")


def _series_card(view: SeriesView, rank: int) -> str:
    scores = "".join(f"<div><span>{_HEADS[k]}</span> <b>{_format(k, view.scores.get(k))}</b></div>"
                     for k in _SHOWN if view.scores.get(k) is not None)
    form = f" · <span class=mono>{escape(view.model_form)}</span>" if view.model_form else ""
    shown = (f" · the last {view.shown:,} of {view.points:,} points shown" if view.shown < view.points
             else f" · {view.points:,} points")
    image = ""
    if view.figure:
        data = base64.b64encode(view.figure).decode("ascii")
        image = (f"<figure class=figure><img src='data:image/png;base64,{data}' "
                 f"alt='{escape(view.id)}: history, backtests and forecast'></figure>")
    return (f"<section class='series card' id='series-{rank}'><h3><span class=rank>{rank}.</span>"
            f"{escape(view.id)}</h3><p class=form>{escape(view.model)}{form} · {escape(view.frequency)}{shown}</p>"
            f"<div class=scores>{scores or '<span>no backtest scores</span>'}</div>{image}</section>")


def _rest(content: ForecastContent) -> str:
    if not content.listed:
        return ""
    head = "".join(f"<th style='text-align:right'>{_HEADS[k]}</th>" for k in _SHOWN)
    rows = "".join(f"<tr><td class=num>{rank}</td><td>{escape(v.id)}</td><td>{escape(v.model)}</td>"
                   + "".join(f"<td class=num>{_format(k, v.scores.get(k))}</td>" for k in _SHOWN) + "</tr>"
                   for rank, v in enumerate(content.listed, PLOTTED + 1))
    return (f"<h3 class=spaced>The other {len(content.listed):,} series</h3><table class=compact><thead><tr>"
            f"<th style='text-align:right'>#</th><th>Series</th><th>Model</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _findings(content: ForecastContent) -> str:
    if not content.findings:
        return "<h2>Findings</h2><p class=empty-note>Reading the panel found nothing to report.</p>"
    rows = []
    for f in content.findings:
        series = str(f.get("series")) if f.get("series") is not None else "all series"
        tag = "<span class=tag>not forecast</span>" if series in content.left_out else ""
        lines = f.get("rows") or []
        where = (f"<div class=rows>rows {escape(', '.join(map(str, lines[:10])))}"
                 f"{' …' if len(lines) > 10 else ''}</div>") if lines else ""
        rows.append(f"<tr><td>{escape(series)}{tag}</td><td><span class=kind>{escape(str(f.get('kind', '')))}"
                    f"</span></td><td>{escape(str(f.get('message', '')))}{where}</td></tr>")
    return ("<h2>Findings</h2><p class=meta>What reading the panel noticed, as <code>trainwright doctor</code> "
            "reports it; rows are data rows of the file, counted from 1 (the header is not counted).</p>"
            "<table class='findings compact'>"
            "<colgroup><col style='width:18%'><col style='width:16%'><col></colgroup><thead><tr><th>Series</th>"
            f"<th>Kind</th><th>Message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _format(key: str, value) -> str:
    """MASE 0.684, sMAPE 12.1 (percent points), wQL 0.0512, coverage 82%; '–' for a missing score."""
    if not isinstance(value, (int, float)):
        return "–"
    if key == "coverage":
        return f"{value:.0%}"
    if key == "smape":
        return f"{value:.1f}"
    if key == "mase":
        return f"{value:.3f}"
    return f"{value:.3g}" if key == "wql" else f"{value:.4g}"


def _footer() -> str:
    return (f"<footer>Scores are the averages over the rolling-origin backtest windows. Report made by "
            f"<code>trainwright report</code> {escape(__version__)}.</footer>")
