"""`trainwright doctor FILE --task forecast` as a user runs it: columns chosen and why, one row per series, the
findings worst first with the setting that fixes each, --json, --html, --strict and the exit codes of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data

from trainwright.doctor.series import diagnose_series, min_points

CLASSIC = {"AirPassengers": 144, "nottem": 240, "co2": 468, "UKDriverDeaths": 192, "USAccDeaths": 72, "UKgas": 108}


@pytest.fixture
def run(cli):
    """run("doctor", ARGS...) -> Result(code, stdout, stderr)."""
    return cli


def doctor_json(run, *args) -> dict:
    result = run("doctor", *map(str, args), "--task", "forecast", "--json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)  # the whole of stdout: one object


def checks(report: dict, series: str | None = None) -> dict[str, dict]:
    return {f["check"]: f for f in report["findings"] if series is None or f["series"] == series}


def messy_panel(folder: Path) -> Path:
    """The classic panel with what real files have: a 3-month gap, a repeated date, NA and text in the values,
    and one series (USAccDeaths) of 8 months, shorter than a horizon of 12."""
    frame = pd.read_csv(shared_data("timeseries", "classic_panel.csv")).astype({"value": object})
    air = frame.index[frame.series == "AirPassengers"]
    frame = frame.drop(air[10:13])
    nottem = frame.index[frame.series == "nottem"]
    repeat = frame.loc[[nottem[5]]].assign(value=frame.loc[nottem[5], "value"] + 10)
    frame = pd.concat([frame.loc[:nottem[5]], repeat, frame.loc[nottem[6]:]], ignore_index=True)
    frame.loc[frame.index[frame.series == "co2"][7], "value"] = "NA"
    frame.loc[frame.index[frame.series == "UKDriverDeaths"][3], "value"] = "about 1500"
    frame = frame.drop(frame.index[frame.series == "USAccDeaths"][8:])
    path = folder / "messy_panel.csv"
    frame.to_csv(path, index=False)
    return path


def monthly(n: int, start: str = "2001-01-01", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = np.arange(n)
    return pd.DataFrame({"date": pd.date_range(start, periods=n, freq="MS").strftime("%Y-%m-%d"),
                         "value": np.round(100 + 10 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 1, n), 2)})


def test_classic_panel_columns_series_and_frequencies(run):
    result = run("doctor", shared_data("timeseries", "classic_panel.csv"), "--task", "forecast", "--horizon", "12")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "6 series, id series, time date, target value, horizon 12: a series needs 25 periods" in out
    assert "id column: 'series' (text repeated over time: 6 series); pass --id to choose another" in out
    assert "UKgas" in out and "quarterly" in out and "Traceback" not in result.stderr

    report = doctor_json(run, shared_data("timeseries", "classic_panel.csv"), "--horizon", "12")
    assert report["columns"] == {"id": "series", "time": "date", "target": "value", "covariates": []}
    series = {s["id"]: s for s in report["series"]}
    assert {k: s["points"] for k, s in series.items()} == CLASSIC
    assert series["UKgas"]["frequency"] == "quarterly" and series["UKgas"]["season_length"] == 4
    assert series["co2"]["alias"] == "MS" and series["co2"]["season_length"] == 12
    assert series["AirPassengers"]["start"] == "1949-01-01" and series["AirPassengers"]["end"] == "1960-12-01"
    assert all(s["usable"] for s in report["series"]) and report["summary"]["blocking"] == 0


def test_stocks_dates_like_jan_1_2000_and_a_late_start(run):
    report = doctor_json(run, shared_data("timeseries", "stocks.csv"), "--horizon", "12")
    assert report["columns"]["id"] == "symbol" and report["columns"]["target"] == "price"
    series = {s["id"]: s for s in report["series"]}
    assert sorted(series) == ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"]
    assert series["MSFT"]["start"] == "2000-01-01" and series["MSFT"]["frequency"] == "monthly"
    late = checks(report)["late_start"]
    assert late["series"] == "GOOG" and late["severity"] == "info" and series["GOOG"]["checks"] == ["late_start"]


def test_json_structure(run, tmp_path):
    report = doctor_json(run, messy_panel(tmp_path), "--horizon", "12")
    assert set(report) == {"task", "file", "rows", "columns", "reasons", "series", "findings", "summary"}
    assert report["task"] == "forecast"
    assert set(report["series"][0]) == {"id", "start", "end", "observations", "points", "frequency", "alias",
                                        "season_length", "usable", "checks"}
    assert set(report["findings"][0]) == {"series", "check", "severity", "message", "fix", "count", "rows"}
    assert set(report["summary"]) == {"series", "usable", "blocking", "warnings", "info", "horizon", "min_points",
                                      "fill", "duplicates"}
    assert report["summary"]["min_points"] == min_points(12) == 25


def test_messy_panel_findings_named_per_series_with_their_fix(run, tmp_path):
    path = messy_panel(tmp_path)
    report = doctor_json(run, path, "--horizon", "12")
    gaps = checks(report, "AirPassengers")["gaps"]
    assert "3 missing monthly periods in 1 gap" in gaps["message"] and "--fill" in gaps["fix"]
    assert "[now interpolate]" in gaps["fix"]
    duplicate = checks(report, "nottem")["duplicate_timestamps"]
    assert duplicate["severity"] == "warning" and "1920-06-01" in duplicate["message"] and duplicate["count"] == 2
    assert "--duplicates mean, sum or last [now mean]" in duplicate["fix"]
    missing = checks(report, "co2")["missing_target"]
    assert missing["count"] == 1 and "--fill" in missing["fix"] and "--target" in missing["fix"]
    text = checks(report, "UKDriverDeaths")["non_numeric"]
    assert "'about 1500'" in text["message"] and "--target" in text["fix"]
    short = checks(report, "USAccDeaths")["too_short"]
    assert "8 periods, not more than twice the horizon of 12" in short["message"] and short["count"] == 8
    series = {s["id"]: s for s in report["series"]}
    assert not series["USAccDeaths"]["usable"] and series["USAccDeaths"]["points"] == 8
    assert series["USAccDeaths"]["start"] == "1973-01-01" and series["USAccDeaths"]["end"] == "1973-08-01"
    assert series["AirPassengers"]["points"] == 144 and series["AirPassengers"]["observations"] == 141
    assert report["summary"] == {**report["summary"], "series": 6, "usable": 5, "blocking": 0}
    severities = [f["severity"] for f in report["findings"]]
    assert severities == sorted(severities, key=["blocking", "warning", "info"].index)  # worst first

    terminal = run("doctor", path, "--task", "forecast", "--horizon", "12")
    assert terminal.code == 0 and "Traceback" not in terminal.stderr
    flat = " ".join(terminal.stdout.split())
    assert "AirPassengers: 3 missing monthly periods" in flat and "5 of 6 series can train" in flat


def test_series_no_longer_than_twice_the_horizon_are_named_too_short(run, tmp_path):
    path = tmp_path / "two.csv"
    pd.concat([monthly(60).assign(id="long"), monthly(30, seed=1).assign(id="short")]).to_csv(path, index=False)
    report = doctor_json(run, path, "--horizon", "15")
    short = checks(report, "short")["too_short"]
    assert "30 periods, not more than twice the horizon of 15" in short["message"]
    assert short["fix"].startswith("--horizon 14 or less") and short["count"] == 30
    assert {s["id"]: s["usable"] for s in report["series"]} == {"long": True, "short": False}
    assert not checks(doctor_json(run, path, "--horizon", "14"), "short")  # 30 > 2 x 14


def test_strict_exits_1_when_no_series_is_long_enough(run, tmp_path):
    path = tmp_path / "short.csv"
    monthly(20).to_csv(path, index=False)
    assert run("doctor", path, "--task", "forecast", "--horizon", "6", "--strict").code == 0
    result = run("doctor", path, "--task", "forecast", "--horizon", "12", "--strict", "--json")
    assert result.code == 1, result.stderr
    blocking = checks(json.loads(result.stdout))["no_usable_series"]
    assert blocking["series"] is None and "the longest has 20" in blocking["message"]
    assert blocking["fix"].startswith("--horizon 9 or less")
    assert run("doctor", path, "--task", "forecast", "--horizon", "12").code == 0  # blocking fails only --strict


def test_refused_duplicates_are_blocking_for_every_series(run, tmp_path):
    path = tmp_path / "repeats.csv"
    first, second = monthly(40).assign(id="a"), monthly(40, seed=1).assign(id="b")
    pd.concat([first, first.iloc[[4]], second, second.iloc[[9, 9]]]).to_csv(path, index=False)
    result = run("doctor", path, "--task", "forecast", "--duplicates", "error", "--strict", "--json")
    assert result.code == 1, result.stderr
    refused = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "duplicate_timestamps"]
    assert [f["series"] for f in refused] == ["a", "b"] and {f["severity"] for f in refused} == {"blocking"}
    assert "refuses them" in refused[0]["message"] and "aggregated" not in refused[0]["message"]
    assert refused[0]["fix"].startswith("--duplicates mean, sum or last combines them")
    assert run("doctor", path, "--task", "forecast", "--strict").code == 0  # averaged by default: a warning


def test_wide_file_is_read_as_one_series_per_column_and_said_so(run, tmp_path):
    path = tmp_path / "wide.csv"
    frame = monthly(48)
    frame.assign(north=frame.value, south=frame.value * 2).drop(columns="value").to_csv(path, index=False)
    report = doctor_json(run, path)
    assert any(r.startswith("wide table: 2 numeric columns (north, south)") for r in report["reasons"])
    assert [s["id"] for s in report["series"]] == ["north", "south"]
    assert report["summary"]["horizon"] is None and all(s["usable"] for s in report["series"])


def test_headerless_csv(run, tmp_path):
    path = tmp_path / "headerless.csv"
    frame = pd.concat([monthly(36).assign(id="x"), monthly(36, seed=2).assign(id="y")])[["id", "date", "value"]]
    frame.to_csv(path, index=False, header=False)
    report = doctor_json(run, path, "--no-header", "--horizon", "6")
    assert report["columns"] == {"id": "column_1", "time": "column_2", "target": "column_3", "covariates": []}
    assert [s["points"] for s in report["series"]] == [36, 36]
    named = doctor_json(run, path, "--column-names", "store,month,sales")
    assert (named["columns"]["id"], named["columns"]["time"], named["columns"]["target"]) == ("store", "month",
                                                                                                 "sales")


def test_latin1_file(run, tmp_path):
    path = tmp_path / "ventes.csv"
    frame = pd.concat([monthly(30).assign(magasin="Orléans"), monthly(30, seed=3).assign(magasin="Besançon")])
    frame.to_csv(path, index=False, encoding="latin-1")
    report = doctor_json(run, path, "--id", "magasin", "--horizon", "6", "--encoding", "latin-1")
    assert sorted(s["id"] for s in report["series"]) == ["Besançon", "Orléans"]
    assert report["reasons"][0] == "id column: 'magasin' (given with --id)"


def test_semicolon_separated_file_with_decimal_commas_is_read(run, tmp_path):
    # What a French spreadsheet writes: semicolons between fields, a comma as the decimal mark, Latin-1 text.
    path = tmp_path / "ventes.csv"
    frame = monthly(30).assign(magasin="Orléans")
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="latin-1")
    report = doctor_json(run, path, "--target", "value")
    assert [s["id"] for s in report["series"]] == ["series"] and report["series"][0]["points"] == 30
    assert report["columns"]["time"] == "date"


def test_html_report(run, tmp_path):
    out = tmp_path / "report" / "series.html"
    result = run("doctor", messy_panel(tmp_path), "--task", "forecast", "--horizon", "12", "--html", out)
    assert result.code == 0 and f"Wrote the HTML report to {out}" in result.stderr.replace("\n", "")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "https://" not in page
    assert "AirPassengers" in page and "duplicate_timestamps" in page and "--fill" in page


@pytest.mark.parametrize("content, options, expected", [
    ("id,value\na,1\nb,2\n", [], "no column parses as dates (columns: id, value). Pass --time COLUMN"),
    ("date,value\n2001-01-01,1\nsoon,2\n2001-03-01,3\n", ["--time", "date"],
     "column 'date': 1 value is missing or not dates ('soon'; row 2"),
])
def test_bad_input_is_a_message_and_exit_2(run, tmp_path, content, options, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = run("doctor", path, "--task", "forecast", *options)
    assert result.code == 2 and expected in result.stderr and "Traceback" not in result.stderr


def test_options_of_the_wrong_kind_are_errors(run, tmp_path):
    path = tmp_path / "one.csv"
    monthly(30).to_csv(path, index=False)
    horizon = run("doctor", path, "--horizon", "3")
    assert horizon.code == 3 and "--horizon describes a time-series file: add --task forecast" in horizon.stderr
    task = run("doctor", path, "--task", "regression")
    assert task.code == 3 and "the doctor takes --task forecast" in task.stderr
    test = run("doctor", path, "--task", "forecast", "--test", path)
    assert test.code == 3 and "leave --test out" in test.stderr
    fill = run("doctor", path, "--task", "forecast", "--fill", "mean")
    assert fill.code == 3 and "fill='mean' is not a known rule" in fill.stderr
    missing = run("doctor", path, "--task", "forecast", "--id", "store")
    assert missing.code == 2 and "no column 'store' for the id" in missing.stderr


def test_python_api_on_a_frame():
    frame = monthly(40)
    report = diagnose_series(frame, horizon=4)
    assert report.file == "<DataFrame>" and report.series[0].id == "series" and report.series[0].usable
    assert "no id column: the table is one series; pass --id if it holds several" in report.reasons
