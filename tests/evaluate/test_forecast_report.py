"""The forecast report, written from a forecast.json built here: its sections in order, the series worst first
with their numbers, figures embedded (nothing written beside the page), many series drawn 12 and listed, a
clear error for a run that is not a forecast run, and rendered by a real browser (headless Chromium; skipped
when it is not installed: apt-get install -y chromium)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trainwright.errors import ArtifactError
from trainwright.evaluate.forecast_html import write_forecast_report
from trainwright.evaluate.forecast_report import forecast_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
IMAGE = re.compile(r"<img src='data:image/png;base64,([A-Za-z0-9+/=]+)'")
QUANTILES = [0.1, 0.5, 0.9]


def scores(mase: float) -> dict:
    return {"mase": mase, "smape": 20 * mase, "mae": 3 * mase, "rmse": 4 * mase, "wql": mase / 20,
            "coverage": 0.8}


def make_series(key: str, frequency: str, name: str, season: int, length: int, mase: float, model: str = "arima",
                horizon: int = 4, windows: int = 2) -> dict:
    """A seasonal series with trend and noise; its backtests are its last `windows` horizons, forecast with a
    little error, and its future continues the pattern."""
    rng = np.random.default_rng(length)
    dates = pd.date_range("2000-01-01", periods=length + horizon, freq=frequency)
    t = np.arange(length + horizon)
    level = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / season) + rng.normal(0, 2, len(t))
    iso = [d.strftime("%Y-%m-%dT%H:%M:%S" if frequency == "h" else "%Y-%m-%d") for d in dates]

    def window(start: int) -> dict:
        point = level[start:start + horizon] + rng.normal(0, 3, horizon)
        return {"dates": iso[start:start + horizon], "point": point.tolist(),
                "quantiles": {"0.1": (point - 8).tolist(), "0.5": point.tolist(), "0.9": (point + 8).tolist()}}

    backtests = [{**window(length - k * horizon), "actual": level[length - k * horizon:][:horizon].tolist()}
                 for k in range(windows, 0, -1)]
    future = window(length)
    history = level[:length].tolist()
    history[length // 2] = None  # a value the record could not write: a gap in the line
    return {"id": key, "frequency": frequency, "frequency_name": name, "season_length": season, "model": model,
            "model_form": f"ARIMA(1,1,1)(0,1,1)[{season}]" if model == "arima" else None,
            "scores": {model: scores(mase), "seasonal_naive": scores(1.0)},
            "history": {"dates": iso[:length], "values": history}, "backtests": backtests, "forecast": future}


def make_record(series: list[dict]) -> dict:
    return {"format": "trainwright-forecast/1", "file": "sales.csv", "horizon": 4, "quantiles": QUANTILES,
            "backtest_windows": 2, "columns": {"id": "store", "time": "month", "target": "sales", "covariates": []},
            "leaderboard": [{"model": "chosen", **scores(0.812)}, {"model": "arima", **scores(0.85)},
                            {"model": "ets", **scores(0.9)}, {"model": "seasonal_naive", **scores(1.032)}],
            "series": series,
            "findings": [{"series": "late", "kind": "too_short", "message": "6 observations, fewer than the 12 "
                          "needed (the horizon and enough history to learn from); left out", "rows": [301, 302]},
                         {"series": "north", "kind": "gap", "message": "2 missing months filled by interpolation",
                          "rows": [14]}]}


@pytest.fixture(scope="module")
def record() -> dict:
    """Three series: monthly 'north' (good), quarterly 'coast' (the worst), monthly 'south' (long: 300 points);
    'late' was left out as too short and has only a finding."""
    return make_record([make_series("north", "MS", "monthly", 12, 60, 0.45),
                        make_series("coast", "QS", "quarterly", 4, 40, 1.37, model="ets"),
                        make_series("south", "MS", "monthly", 12, 300, 0.91)])


@pytest.fixture(scope="module")
def run(record, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("forecast") / "sales"
    folder.mkdir()
    (folder / "forecast.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def page(run) -> Path:
    return write_forecast_report(run)


def images(html: str) -> list[bytes]:
    found = [base64.b64decode(data) for data in IMAGE.findall(html)]
    assert all(data[:8] == b"\x89PNG\r\n\x1a\n" for data in found)
    return found


def test_page_is_written_beside_the_record_and_self_contained(run, page):
    assert page == run / "report" / "report.html"
    assert sorted(p.name for p in run.iterdir()) == ["forecast.json", "report"]
    assert [p.name for p in (run / "report").iterdir()] == ["report.html"]  # no figure files
    html = page.read_text(encoding="utf-8")
    assert len(images(html)) == 3
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=['"]?(https?:|file:|//)""", html)


def test_sections_in_order(page):
    html = page.read_text(encoding="utf-8")
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["Leaderboard", "Series, worst first", "Findings"]
    assert html.index("trainwright report · forecast run") < html.index("<h2>Leaderboard</h2>")


def test_header_names_file_horizon_quantiles_series_and_chosen_models(page):
    meta = re.search(r"<p class=meta>(.*?)</p>", page.read_text(encoding="utf-8")).group(1)
    for fact in ("<b>sales.csv</b>", "horizon <b>4</b>", "quantiles <b>0.1, 0.5, 0.9</b>",
                 "<b>3</b> series forecast (1 left out)", "<b>2</b> backtest windows", "arima ×2, ets ×1",
                 "target <span class=mono>sales</span>"):
        assert fact in meta, fact


def test_leaderboard_keeps_the_records_order_and_marks_the_choice(page):
    html = page.read_text(encoding="utf-8")
    table = html[html.index("<h2>Leaderboard</h2>"):html.index("<h2>Series")]
    assert re.findall(r"<td>(\w+)</td>", table) == ["chosen", "arima", "ets", "seasonal_naive"]
    assert "<tr class=chosen>" in table
    for shown in ("0.812", "16.2", "0.0406", "80%", "1.032"):  # MASE, sMAPE, wQL, coverage of the choice
        assert f"<td class=num>{shown}</td>" in table, shown
    assert "nominal 80%" in html  # coverage tile: the band is 0.1 to 0.9


def test_series_worst_first_with_model_form_and_scores(page):
    html = page.read_text(encoding="utf-8")
    assert re.findall(r"<span class=rank>\d+\.</span>(\w+)</h3>", html) == ["coast", "south", "north"]
    coast = html[html.index("id='series-1'"):html.index("id='series-2'")]
    assert "ets · quarterly (QS)" in coast and "<b>1.370</b>" in coast and "<b>27.4</b>" in coast
    north = html[html.index("id='series-3'"):]
    assert "<span class=mono>ARIMA(1,1,1)(0,1,1)[12]</span>" in north and "<b>0.450</b>" in north


def test_verdict_compares_the_choice_with_seasonal_naive(page, record):
    assert ("<div class='verdict ok'>The chosen models beat seasonal naive on the backtests: MASE 0.812 against "
            "1.032, 21% less error.</div>") in page.read_text(encoding="utf-8")
    worse = {**record, "leaderboard": [{"model": "seasonal_naive", **scores(0.9)}, {"model": "chosen", **scores(1.1)}]}
    assert forecast_report(worse).against_naive == (1.1, 0.9)


def test_long_series_shows_its_recent_seasons(record):
    content = forecast_report(record)
    south = next(s for s in content.series if s.id == "south")
    assert (south.points, south.shown) == (300, 80)  # twenty horizons of 4 months, fewer than ten years
    coast = next(s for s in content.series if s.id == "coast")
    assert coast.shown == coast.points == 40
    yearly_horizon = forecast_report(make_record([make_series("long", "MS", "monthly", 12, 300, 0.5, horizon=12)]))
    assert yearly_horizon.series[0].shown == 120  # ten seasons of twelve months


def test_page_says_which_part_of_a_long_series_it_shows(page):
    html = page.read_text(encoding="utf-8")
    south = html[html.index("id='series-2'"):html.index("id='series-3'")]
    assert "monthly (MS) · the last 80 of 300 points shown" in south


def test_findings_listed_with_the_left_out_series_tagged(page):
    html = page.read_text(encoding="utf-8")
    findings = html[html.index("<h2>Findings</h2>"):]
    assert "late<span class=tag>not forecast</span>" in findings and "too_short" in findings
    assert "rows 301, 302" in findings and "2 missing months filled by interpolation" in findings
    assert "north<span class=tag>" not in findings


def test_many_series_draws_the_worst_twelve_and_lists_the_rest(tmp_path):
    series = [make_series(f"s{i:02d}", "QS", "quarterly", 4, 24, 0.3 + i / 20) for i in range(15)]
    (tmp_path / "forecast.json").write_text(json.dumps(make_record(series)), encoding="utf-8")
    html = write_forecast_report(tmp_path).read_text(encoding="utf-8")
    assert len(images(html)) == 12
    assert "15 series: the 12 worst by the chosen model's MASE are drawn; the other 3 are listed" in html
    drawn = re.findall(r"<span class=rank>\d+\.</span>(\w+)</h3>", html)
    assert drawn == [f"s{i:02d}" for i in range(14, 2, -1)]
    rest = html[html.index("The other 3 series"):html.index("<h2>Findings</h2>")]
    assert re.findall(r"<td>(s\d+)</td>", rest) == ["s02", "s01", "s00"]


def test_hourly_series_and_a_series_without_backtests_quantiles_or_scores(tmp_path):
    """Timestamps below a day; a bare series (no backtests, no quantiles, no scores) is drawn and goes last."""
    hourly = make_series("meter", "h", "hourly", 24, 500, 0.6)
    assert hourly["forecast"]["dates"][0] == "2000-01-21T20:00:00"
    bare = {"id": "bare", "model": "naive", "history": {"dates": ["2001-01-01", "2001-02-01", "2001-03-01"],
                                                        "values": [1.0, None, 3.0]},
            "forecast": {"dates": ["2001-04-01"], "point": [3.0]}}
    record = {**make_record([bare, hourly]), "quantiles": []}
    content = forecast_report(record)
    assert [s.id for s in content.series] == ["meter", "bare"] and all(s.figure for s in content.series)
    assert content.series[0].shown == 80  # twenty 4-hour horizons, fewer than ten days
    (tmp_path / "forecast.json").write_text(json.dumps(record), encoding="utf-8")
    html = write_forecast_report(tmp_path).read_text(encoding="utf-8")
    assert "<span>no backtest scores</span>" in html and "quantiles <b>" not in html


def test_values_from_the_record_are_escaped(record, tmp_path):
    odd = make_series("<b>x</b>", "MS", "monthly", 12, 30, 0.7)
    (tmp_path / "forecast.json").write_text(json.dumps(make_record([odd])), encoding="utf-8")
    html = write_forecast_report(tmp_path).read_text(encoding="utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_run_without_a_forecast_record_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="has no forecast.json: it is not a forecast run"):
        write_forecast_report(tmp_path)
    (tmp_path / "forecast.json").write_text(json.dumps({"format": "trainwright-forecast/9"}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="format is 'trainwright-forecast/9', expected 'trainwright-forecast/1'"):
        write_forecast_report(tmp_path)
    (tmp_path / "forecast.json").write_text(json.dumps({"format": "trainwright-forecast/1", "horizon": 4,
                                                        "leaderboard": []}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="key 'series' is missing"):
        write_forecast_report(tmp_path)


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@NEEDS_CHROMIUM
def test_browser_renders_sections_and_embedded_images(page, tmp_path):
    result = chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == 3
    for heading in ("Leaderboard", "Series, worst first", "Findings"):
        assert f"<h2>{heading}</h2>" in dom, heading


@NEEDS_CHROMIUM
def test_browser_screenshot(page, tmp_path):
    png = tmp_path / "forecast.png"
    result = chromium(page, tmp_path / "profile-shot", f"--screenshot={png}", "--window-size=1280,2400")
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 2400)
    assert len(data) > 60_000  # a rendered page with figures, not a blank one


def test_report_command_writes_the_forecast_page_for_a_forecast_run(cli, record, tmp_path):
    folder = tmp_path / "sales"
    folder.mkdir()
    (folder / "forecast.json").write_text(json.dumps(record), encoding="utf-8")
    result = cli("report", folder)
    assert result.code == 0, result.stderr
    page = folder / "report" / "report.html"
    assert f"Wrote the report to {page}" in result.stderr
    assert "Forecast report" in page.read_text(encoding="utf-8")
