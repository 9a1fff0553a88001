"""`trainwright train --task forecast` and `trainwright predict` of a forecast run, through the command line.

A synthetic panel (written by the tests) checks the run's files: forecast.json's schema, the report's contract,
forecasts.csv, predict with and without a newer history, and the errors. The shared data check real files:
two classic series with every candidate, and stocks.csv with no option but the task and the horizon.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import Result, shared_data

# N-BEATS small and short: the tests check the run, not the model's accuracy
FAST = ["--epochs", "2", "--hidden-size", "16", "--threads", "1"]
METRICS = {"mase", "smape", "mae", "rmse", "wql", "coverage"}
SERIES_KEYS = {"id", "frequency", "frequency_name", "season_length", "model", "model_form", "scores", "history",
               "backtests", "forecast"}


def ok(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def failed(result: Result, code: int) -> Result:
    assert result.code == code, f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    return result


def write_panel(path: Path, lengths=(48, 40, 9), start="2018-01-01") -> Path:
    """Monthly series with a trend and a yearly cycle, `store,month,sales`; the last one short."""
    rng = np.random.default_rng(0)
    rows = []
    for k, n in enumerate(lengths):
        t = np.arange(n)
        values = 50 * (k + 1) + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, n)
        dates = pd.date_range(start, periods=n, freq="MS")
        rows += [{"store": f"s{k}", "month": d.strftime("%Y-%m-%d"), "sales": round(v, 3)}
                 for d, v in zip(dates, values)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def check_schema(record: dict, horizon: int, quantiles: list[float]) -> None:
    """forecast.json as the report reads it."""
    assert record["format"] == "trainwright-forecast/1"
    assert set(record) == {"format", "file", "horizon", "quantiles", "backtest_windows", "columns", "leaderboard",
                           "series", "findings"}
    assert record["horizon"] == horizon and record["quantiles"] == quantiles
    assert set(record["columns"]) == {"id", "time", "target", "covariates"}
    board = record["leaderboard"]
    assert "chosen" in [row["model"] for row in board]
    assert all(set(row) == {"model"} | METRICS for row in board)
    finite = [row["mase"] for row in board if row["mase"] is not None]
    assert finite == sorted(finite)  # best first
    keys = [str(float(q)) for q in quantiles]
    for series in record["series"]:
        assert set(series) == SERIES_KEYS
        assert series["model"] in series["scores"]
        assert all(set(scores) == METRICS for scores in series["scores"].values())
        assert len(series["history"]["dates"]) == len(series["history"]["values"])
        forecast = series["forecast"]
        assert len(forecast["dates"]) == len(forecast["point"]) == horizon
        assert list(forecast["quantiles"]) == keys
        assert forecast["dates"][0] > series["history"]["dates"][-1]
        for window in series["backtests"]:
            assert len(window["dates"]) == len(window["actual"]) == len(window["point"]) == horizon
            assert list(window["quantiles"]) == keys
            assert window["dates"][-1] <= series["history"]["dates"][-1]
    for finding in record["findings"]:
        assert set(finding) == {"series", "kind", "message", "rows"}


def test_synthetic_panel_run_files_and_predict(cli, tmp_path):
    data = write_panel(tmp_path / "sales.csv")
    run = tmp_path / "run"
    result = ok(cli("train", data, "--task", "forecast", "--horizon", "6", "--backtest", "2", "--out", run, *FAST))
    assert "id column: 'store'" in result.stderr and "s2" in result.stderr  # columns and the short series told
    record = read_json(run / "forecast.json")
    check_schema(record, 6, [0.1, 0.5, 0.9])
    assert record["file"] == "sales.csv" and record["backtest_windows"] == 2
    assert record["columns"] == {"id": "store", "time": "month", "target": "sales", "covariates": []}
    # the series shorter than the horizon needs is named and left out
    assert [s["id"] for s in record["series"]] == ["s0", "s1"]
    short = [f for f in record["findings"] if f["series"] == "s2"]
    assert [f["message"] for f in short if f["kind"] == "too_short"][0].endswith("left out")
    s0 = record["series"][0]
    assert s0["frequency"] == "MS" and s0["frequency_name"] == "monthly" and s0["season_length"] == 12
    assert len(s0["backtests"]) == 2 and s0["forecast"]["dates"][0] == "2022-01-01"
    # the LSTM only when asked for, LightGBM when asked for or with covariates
    assert set(s0["scores"]) == {"naive", "seasonal_naive", "ets", "arima", "theta", "combination", "nbeats"}
    assert record["leaderboard"][0]["model"] in {"chosen", *s0["scores"]}
    assert {"config.json", "metrics.json", "forecasts.csv", ".trainwright.json"} <= {p.name for p in run.iterdir()}
    assert read_json(run / "config.json")["data"]["task"] == "forecast"
    assert read_json(run / "metrics.json")["leaderboard"] == record["leaderboard"]
    chosen = {s["model"] for s in record["series"]}
    assert (run / "weights.safetensors").exists() == ("nbeats" in chosen)
    assert (run / "lightgbm.json").exists() == ("lightgbm" in chosen)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run")]  # no staging folder left
    assert f"Wrote the run report to {run / 'report' / 'report.html'}" in result.stderr
    assert "Forecast report" in (run / "report" / "report.html").read_text(encoding="utf-8")

    saved = pd.read_csv(run / "forecasts.csv")
    assert list(saved.columns) == ["id", "date", "point", "0.1", "0.5", "0.9"]
    assert len(saved) == 12 and list(saved["id"].unique()) == ["s0", "s1"]
    assert (saved["0.1"] <= saved["0.9"]).all()

    printed = ok(cli("predict", run))
    assert pd.read_csv(pd.io.common.StringIO(printed.stdout)).equals(saved)
    ok(cli("predict", run, "--out", tmp_path / "again.csv"))
    assert pd.read_csv(tmp_path / "again.csv").equals(saved)

    newer = write_panel(tmp_path / "newer.csv", lengths=(54, 46))  # six more months of each series
    ok(cli("predict", run, newer, "--out", tmp_path / "next.csv"))
    later = pd.read_csv(tmp_path / "next.csv")
    assert list(later.columns) == list(saved.columns) and len(later) == 12
    assert later.groupby("id")["date"].min().tolist() == ["2022-07-01", "2021-11-01"]  # after each new end
    assert np.isfinite(later[["point", "0.1", "0.9"]].to_numpy()).all()


def test_statistical_candidates_only_and_quantiles_reach_the_record(cli, tmp_path):
    data = write_panel(tmp_path / "sales.csv", lengths=(40,))
    run = tmp_path / "run"
    ok(cli("train", data, "--task", "forecast", "--horizon", "4", "--backtest", "1", "--model", "naive,seasonal_naive",
           "--quantiles", "0.05,0.95", "--season-length", "6", "--out", run))
    record = read_json(run / "forecast.json")
    check_schema(record, 4, [0.05, 0.95])
    series = record["series"][0]
    assert series["season_length"] == 6 and set(series["scores"]) == {"naive", "seasonal_naive"}
    assert not (run / "weights.safetensors").exists()
    assert list(pd.read_csv(run / "forecasts.csv").columns) == ["id", "date", "point", "0.05", "0.95"]


def test_missing_horizon_is_a_clear_error(cli, tmp_path):
    result = failed(cli("train", write_panel(tmp_path / "sales.csv"), "--task", "forecast"), 3)
    assert "--horizon" in result.stderr


def test_forecast_options_without_the_task_are_refused(cli, tmp_path):
    result = failed(cli("train", write_panel(tmp_path / "sales.csv"), "--horizon", "6"), 3)
    assert "--task forecast" in result.stderr


def test_an_existing_foreign_folder_is_refused(cli, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = failed(cli("train", write_panel(tmp_path / "sales.csv"), "--task", "forecast", "--horizon", "6",
                        "--out", foreign), 4)
    assert "notes.txt" in result.stderr and "not a trainwright forecast folder" in result.stderr
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


def test_no_series_long_enough_is_a_data_error(cli, tmp_path):
    result = failed(cli("train", write_panel(tmp_path / "sales.csv", lengths=(9, 8)), "--task", "forecast",
                        "--horizon", "6", "--out", tmp_path / "run"), 2)
    assert "s0" in result.stderr and not (tmp_path / "run").exists()


def test_classic_panel_two_series_every_candidate(cli, tmp_path):
    panel = pd.read_csv(shared_data("timeseries", "classic_panel.csv"))
    subset = tmp_path / "classic.csv"
    panel[panel["series"].isin(["AirPassengers", "UKgas"])].to_csv(subset, index=False)
    run = tmp_path / "run"
    ok(cli("train", subset, "--task", "forecast", "--horizon", "6", "--backtest", "1", "--out", run, *FAST))
    record = read_json(run / "forecast.json")
    check_schema(record, 6, [0.1, 0.5, 0.9])
    by_id = {s["id"]: s for s in record["series"]}
    assert by_id["AirPassengers"]["frequency_name"] == "monthly" and by_id["UKgas"]["frequency_name"] == "quarterly"
    assert by_id["UKgas"]["season_length"] == 4
    assert by_id["AirPassengers"]["forecast"]["dates"][0] == "1961-01-01"


@pytest.mark.slow
def test_stocks_zero_config(cli, tmp_path):
    """Only the task and the horizon: the columns are inferred, dates like `Jan 1 2000` read, five forecasts."""
    result = ok(cli("train", shared_data("timeseries", "stocks.csv"), "--task", "forecast", "--horizon", "12",
                    cwd=tmp_path))
    record = read_json(tmp_path / "runs" / "stocks" / "forecast.json")
    check_schema(record, 12, [0.1, 0.5, 0.9])
    assert record["columns"] == {"id": "symbol", "time": "date", "target": "price", "covariates": []}
    assert sorted(s["id"] for s in record["series"]) == ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"]
    assert any(f["series"] == "GOOG" and f["kind"] == "late_start" for f in record["findings"])
    assert "Run saved to" in result.stdout


@pytest.mark.parametrize("model, form", [("ets", "ETS(A,Ad,A)"), ("ets", "ETS(M,N,M)"),
                                         ("arima", "ARIMA(1,1,1)(0,1,1)[12]"), ("arima", "ARIMA(2,1,0)")])
def test_a_newer_history_keeps_the_chosen_form(model, form):
    from trainwright.train.forecast_predict import kept_form

    t = np.arange(60)
    y = 100 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 0.3, 60)
    fitted = kept_form(model, form).fit(y, 12)
    assert repr(fitted) == form and np.isfinite(fitted.forecast(6, (0.1, 0.9)).point).all()


def test_the_python_api_trains_a_forecast_from_the_config(tmp_path):
    import trainwright

    data = write_panel(tmp_path / "sales.csv", lengths=(40,))
    config = trainwright.build_config(overrides={"data": {"task": "forecast"}, "forecast": {
        "horizon": 4, "backtest": 1, "models": ["naive", "seasonal_naive"]}})
    result = trainwright.train(data, out=tmp_path / "run", config=config)
    assert Path(result.path).resolve() == (tmp_path / "run").resolve()
    assert result.metrics["leaderboard"][0]["model"] in {"chosen", "naive", "seasonal_naive"}
    assert (tmp_path / "run" / "forecasts.csv").is_file()
    with pytest.raises(trainwright.errors.ConfigError, match="test apply to a labeled table"):
        trainwright.train(data, test=data, out=tmp_path / "other", config=config)



def test_backtest_windows_leave_seasonal_models_two_seasons_of_history():
    from trainwright.train.forecasting import _min_history

    assert _min_history(48, 12, 12) == 26  # 36 points before the last window: room for two seasons
    assert _min_history(30, 12, 12) == 13  # too short for that: windows after more history than the horizon
    assert _min_history(100, 4, 1) == 5


def test_a_messy_panel_trains_with_each_problem_named(cli, tmp_path):
    """Gaps, a repeated timestamp, a missing value and text among the numbers: each is a finding of the run, the
    series are repaired and forecast, and nothing is a traceback."""
    clean = pd.read_csv(write_panel(tmp_path / "clean.csv", lengths=(48, 40)))
    messy = clean.drop(index=[5, 6, 7]).astype({"sales": object})  # a three-month gap in s0
    messy.loc[20, "sales"] = "n/a?"  # text among the numbers
    messy.loc[30, "sales"] = None  # a missing value
    messy = pd.concat([messy, clean.iloc[[60]].assign(sales=clean.loc[60, "sales"] + 10)])  # s1's month repeated
    data = tmp_path / "messy.csv"
    messy.to_csv(data, index=False)
    run = tmp_path / "run"
    result = ok(cli("train", data, "--task", "forecast", "--horizon", "6", "--backtest", "1", "--model",
                    "seasonal_naive,ets", "--out", run))
    assert "Traceback" not in result.stderr
    record = read_json(run / "forecast.json")
    kinds = {(f["series"], f["kind"]) for f in record["findings"]}
    assert {("s0", "gaps"), ("s0", "non_numeric"), ("s0", "missing_target"), ("s1", "duplicate_timestamps")} <= kinds
    assert [s["id"] for s in record["series"]] == ["s0", "s1"]
    s0 = record["series"][0]
    assert len(s0["history"]["values"]) == 48 and all(v is not None for v in s0["history"]["values"])
    assert all(np.isfinite(s["forecast"]["point"]).all() for s in record["series"])
