"""`trainwright serve RUN` for a forecast run: POST /forecast on records and arrays gives what `predict RUN
NEWER.csv` gives, bad histories are 422s naming the series or field, /metadata tells the horizon, frequency and
quantiles, and the page at / plots a forecast in headless Chromium (skipped without it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import trainwright
from live_server import CHROMIUM, chromium
from trainwright.serve.forecast_app import create_forecast_app
from trainwright.train.forecast_predict import RunForecaster, forecast_history

HORIZON = 6


def write_panel(path: Path, lengths=(48, 40), start="2018-01-01") -> Path:
    """Monthly `store,month,sales` series with a trend and a yearly cycle."""
    rng = np.random.default_rng(0)
    rows = []
    for k, n in enumerate(lengths):
        t = np.arange(n)
        values = 50 * (k + 1) + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, n)
        rows += [{"store": f"s{k}", "month": d.strftime("%Y-%m-%d"), "sales": round(v, 3)}
                 for d, v in zip(pd.date_range(start, periods=n, freq="MS"), values)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("forecast-serve")
    config = trainwright.build_config(overrides={"data": {"task": "forecast"}, "forecast": {
        "horizon": HORIZON, "backtest": 1, "models": ["naive", "seasonal_naive", "theta"]}})
    trainwright.train(write_panel(folder / "sales.csv"), out=folder / "run", config=config)
    return folder / "run"


@pytest.fixture(scope="module")
def client(run):
    with TestClient(create_forecast_app(RunForecaster(run), "sales")) as client:
        yield client


def test_records_and_arrays_forecast_as_predict_does(client, run, tmp_path):
    newer = pd.read_csv(write_panel(tmp_path / "newer.csv", lengths=(54, 46)))
    expected = forecast_history(run, tmp_path / "newer.csv")
    answer = client.post("/forecast", json={"records": newer.to_dict("records")})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["horizon"] == HORIZON and body["quantiles"] == [0.1, 0.5, 0.9]
    assert [f["id"] for f in body["forecasts"]] == ["s0", "s1"]
    for forecast in body["forecasts"]:
        rows = expected[expected["id"] == forecast["id"]]
        assert forecast["known"] and forecast["dates"] == rows["date"].tolist()
        np.testing.assert_allclose(forecast["point"], rows["point"])
        for level in ("0.1", "0.5", "0.9"):
            np.testing.assert_allclose(forecast["quantiles"][level], rows[level])
    assert body["forecasts"][0]["dates"][0] == "2022-07-01"  # after the newer history's end

    # the same history as arrays: from a start on the run's frequency, or with its dates
    s0 = newer[newer["store"] == "s0"]
    by_start = client.post("/forecast", json={"series": [{"id": "s0", "start": "2018-01", "values": s0["sales"].tolist()}],
                                              "include_history": True}).json()["forecasts"][0]
    by_dates = client.post("/forecast", json={"series": [{"id": "s0", "dates": s0["month"].tolist(),
                                                          "values": s0["sales"].tolist()}]}).json()["forecasts"][0]
    assert by_start["point"] == by_dates["point"] == body["forecasts"][0]["point"]
    assert by_start["history"]["dates"][0] == "2018-01-01" and len(by_start["history"]["values"]) == 54


def test_an_unknown_series_is_forecast_by_the_fallback(client):
    values = (100 + 5 * np.sin(np.arange(30) * np.pi / 6)).tolist()
    forecast = client.post("/forecast", json={"series": [{"id": "new", "start": "2020-01", "values": values}]}).json()
    assert forecast["forecasts"][0]["model"] == "seasonal_naive" and not forecast["forecasts"][0]["known"]
    assert forecast["forecasts"][0]["point"] == pytest.approx(values[-12:-6])


@pytest.mark.parametrize("body, status, message", [
    ({}, 422, 'send either "records"'),
    ({"records": [{"store": "a", "month": "2020-01", "sales": 1, "price": 3}]}, 422, "'price' is not a column"),
    ({"records": [{"store": "a", "sales": 1}]}, 422, "records[0]: 'month' is missing"),
    ({"records": [{"store": "a", "month": "soon", "sales": 1}, {"store": "a", "month": "later", "sales": 2}]},
     422, "month"),
    ({"series": [{"id": "a", "values": [1, 2, 3]}]}, 422, "series[0] ('a'): neither a start nor dates"),
    ({"series": [{"id": "a", "dates": ["2020-01"], "values": [1, 2]}]}, 422, "1 dates for 2 values"),
    ({"series": [{"id": "a", "start": "2020-01", "values": [1]}]}, 422, "series[0].values"),
    ({"series": [{"id": "a", "start": "2020-01", "values": [1, "x"]}]}, 422, "series[0].values[1]: expected a number"),
])
def test_bad_histories_are_422s_naming_the_field(client, body, status, message):
    answer = client.post("/forecast", json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"], answer.json()["detail"]
    assert "Traceback" not in answer.text


def test_metadata_health_and_series(client, run):
    assert client.get("/health").json() == {"status": "ok", "task": "forecast"}
    meta = client.get("/metadata").json()
    assert meta["task"] == "forecast" and meta["horizon"] == HORIZON and meta["frequency"] == "MS"
    assert meta["quantiles"] == [0.1, 0.5, 0.9] and set(meta["models"]) == {"s0", "s1"}
    assert meta["columns"]["target"] == "sales"
    known = client.get("/series").json()["series"]
    assert [s["id"] for s in known] == ["s0", "s1"] and len(known[0]["history"]["values"]) == 48
    page = client.get("/").text
    assert "forecast · 6 periods" in page and "store,month,sales" in page and "http" not in page.split("<script>")[1]


@pytest.fixture(scope="module")
def live(run, tmp_path_factory):
    """`trainwright serve RUN --port 0` in a subprocess, through the CLI as users start it."""
    log = tmp_path_factory.mktemp("forecast-live") / "server.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "trainwright", "serve", str(run), "--port", "0"],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        line, deadline = "", time.monotonic() + 90
        while "http://" not in line and time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
        found = re.search(r"http://\S+/", line)
        assert found, log.read_text()[-3000:]
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_the_page_plots_a_known_series_forecast(live, tmp_path):
    result = chromium(f"{live}?series=s1", tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    assert 'data-state="done"' in dom, dom[-3000:]
    assert re.search(r'<path class="band" d="M[\d.]+,[\d.]+', dom)  # the interval band
    assert re.search(r'<path class="history" d="M[\d.,L]+"', dom) and '<path class="point"' in dom
    assert len(re.findall(r'<tr data-date="\d', dom)) == HORIZON
    png = tmp_path / "page.png"
    shot = chromium(f"{live}?series=s1", tmp_path / "profile2", f"--screenshot={png}", "--window-size=1000,800")
    assert shot.returncode == 0 and png.stat().st_size > 15_000
    if os.environ.get("TRAINWRIGHT_KEEP_SCREENSHOT"):  # to look at it
        Path(os.environ["TRAINWRIGHT_KEEP_SCREENSHOT"]).write_bytes(png.read_bytes())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_the_page_forecasts_a_csv_history(live, tmp_path):
    csv = "store,month,sales\n" + "\n".join(f"new,2020-{m:02d},{10 + m % 4}" for m in range(1, 13)) + \
          "\n" + "\n".join(f"new,2021-{m:02d},{12 + m % 4}" for m in range(1, 13))
    dom = chromium(f"{live}?csv={quote(csv)}", tmp_path / "profile", "--dump-dom").stdout
    assert 'data-state="done"' in dom, dom[-3000:]
    assert '<strong id="title">new</strong>' in dom and "a series the run did not know" in dom
    assert re.findall(r'<tr data-date="(\d{4}-\d\d-\d\d)"', dom)[0] == "2022-01-01"
    bad_csv = quote("store,month,sales\nnew,someday,3\nnew,later,4")
    bad = chromium(f"{live}?csv={bad_csv}", tmp_path / "profile2", "--dump-dom")
    assert 'data-state="error"' in bad.stdout and "month" in re.search(r'<div id="error"[^>]*>([^<]*)<', bad.stdout).group(1)


def test_a_run_that_reads_covariates_takes_them_in_records_and_asks_for_them_with_arrays(tmp_path):
    rng = np.random.default_rng(3)
    rows = []
    for k in range(2):
        x = rng.normal(0, 1, 124)
        dates = pd.date_range("2024-01-01", periods=120, freq="D")
        rows += [{"shop": f"p{k}", "day": d.date().isoformat(), "sales": 100 + 10 * a + rng.normal(0, 0.2),
                  "promo": b} for d, a, b in zip(dates, x[:-4], x[4:])]
    pd.DataFrame(rows).to_csv(tmp_path / "shops.csv", index=False)
    config = trainwright.build_config(overrides={"data": {"task": "forecast"}, "train": {"threads": 1}, "forecast": {
        "horizon": 4, "backtest": 1, "quantiles": [0.5], "models": ["lightgbm"], "covariates": ["promo"]}})
    trainwright.train(tmp_path / "shops.csv", out=tmp_path / "run", config=config)
    expected = forecast_history(tmp_path / "run", tmp_path / "shops.csv")
    with TestClient(create_forecast_app(RunForecaster(tmp_path / "run"), "shops")) as client:
        answer = client.post("/forecast", json={"records": rows})
        assert answer.status_code == 200, answer.text
        first = answer.json()["forecasts"][0]
        assert first["model"] == "lightgbm"
        np.testing.assert_allclose(first["point"], expected[expected["id"] == "p0"]["point"])
        arrays = client.post("/forecast", json={"series": [{"id": "p0", "start": "2024-01-01",
                                                            "values": [r["sales"] for r in rows[:120]]}]})
        assert arrays.status_code == 422 and "promo" in arrays.json()["detail"] and "records" in arrays.json()["detail"]
