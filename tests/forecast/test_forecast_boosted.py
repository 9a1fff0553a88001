"""LightGBM as a global forecaster (forecast/boosted.py on forecast/lags.py's rows) and covariates: the rows'
shape, ordered quantiles, a save/load round trip in LightGBM's text format, and a covariate that carries the
target's future lowering the error of a whole forecast run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.errors import DataError
from trainwright.forecast.boosted import BoostedForecaster
from trainwright.forecast.lags import History, feature_names, forecast_rows, training_rows
from trainwright.train.forecasting import train_forecast


def monthly(n: int, level: float, seed: int = 0, covariates: int = 0) -> History:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)
    return History(values, pd.date_range("2015-01-01", periods=n, freq="MS"), rng.normal(size=(n, covariates)))


def test_rows_hold_one_row_per_origin_and_step_with_the_calendar_of_the_date_forecast():
    history = monthly(40, 10.0, covariates=1)
    features, targets = training_rows({"a": history}, lookback=12, horizon=3, season=12, calendar=("month",))
    origins = 40 - 12 - 3 + 1
    names = feature_names(12, 12, ("month",), ["x"])
    assert features.shape == (origins * 3, len(names)) and targets.shape == (origins * 3,)
    step, month = names.index("step"), names.index("calendar_month")
    assert features[:3, step].tolist() == [1.0, 2.0, 3.0]
    assert features[:3, month].tolist() == [1.0, 2.0, 3.0]  # the first origin forecasts 2016-01..03
    rows, base, offset, scale = forecast_rows(history, 12, 3, 12, ("month",))
    assert rows.shape == (3, len(names)) and rows[:, month].tolist() == [5.0, 6.0, 7.0]  # after 2018-04
    np.testing.assert_allclose(offset, history.values[-12:].mean())
    np.testing.assert_allclose(base * scale + offset, history.values[-12:-9])  # seasonal naive: a year before


def test_boosted_forecaster_learns_a_seasonal_panel_and_round_trips_its_text_files(tmp_path):
    histories = {f"s{k}": monthly(72, 20.0 * (k + 1), seed=k) for k in range(4)}
    train = {key: h.head(60) for key, h in histories.items()}
    model = BoostedForecaster(horizon=12, lookback=24, season=12, levels=[0.1, 0.9], calendar=("month",),
                              threads=1).fit(train)
    assert model.base_season_ == 12  # it corrects the seasonal naive forecast of a seasonal panel
    forecasts = model.forecast(train, [0.1, 0.9])
    for key, forecast in forecasts.items():
        actual = histories[key].values[60:]
        assert np.all(forecast.quantiles[0.1] <= forecast.point) and np.all(forecast.point <= forecast.quantiles[0.9])
        assert np.abs(forecast.point - actual).mean() < 1.5  # the cycle is 5 either way, the noise 0.3
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lightgbm-q0.1.txt", "lightgbm-q0.5.txt",
                                                          "lightgbm-q0.9.txt", "lightgbm.json"]
    assert (tmp_path / "lightgbm-q0.5.txt").read_text().startswith("tree")  # LightGBM's own text format
    loaded = BoostedForecaster.load(tmp_path).forecast(train, [0.1, 0.9])
    for key, forecast in forecasts.items():
        np.testing.assert_array_equal(loaded[key].point, forecast.point)
        np.testing.assert_array_equal(loaded[key].quantiles[0.9], forecast.quantiles[0.9])


def test_without_a_season_the_boosters_correct_the_last_value():
    rng = np.random.default_rng(5)
    dates = pd.date_range("2010-01-01", periods=80, freq="MS")
    walks = {f"w{k}": History(100 + np.cumsum(rng.normal(0, 1, 80)), dates, np.empty((80, 0))) for k in range(3)}
    model = BoostedForecaster(horizon=6, lookback=24, season=12, levels=[0.5], threads=1).fit(walks)
    assert model.base_season_ == 1


def lagged_panel(path, lag: int = 4, n: int = 240) -> None:
    """Daily series whose value is its covariate `lag` days before: without it, noise; with it, known."""
    rng = np.random.default_rng(3)
    rows = []
    for k in range(3):
        x = rng.normal(0, 1, n + lag)
        y = 100 + 10 * x[:-lag] + rng.normal(0, 0.2, n)
        dates = pd.date_range("2024-01-01", periods=n, freq="D")
        rows += [{"shop": f"p{k}", "day": d.date().isoformat(), "sales": v, "promo": c, "region": "north"}
                 for d, v, c in zip(dates, y, x[lag:])]
    pd.DataFrame(rows).to_csv(path, index=False)


def lightgbm_mase(data, tmp_path, name: str, covariates: list[str]) -> float:
    config = trainwright.build_config(overrides={
        "data": {"task": "forecast"}, "train": {"threads": 1},
        "forecast": {"horizon": 4, "backtest": 3, "quantiles": [0.5], "models": ["naive", "lightgbm"],
                     "covariates": covariates}})
    run = train_forecast(data, out=tmp_path / name, config=config)
    return next(row["mase"] for row in run.record["leaderboard"] if row["model"] == "lightgbm")


def test_an_informative_covariate_lowers_the_error(tmp_path):
    data = tmp_path / "lagged.csv"
    lagged_panel(data)
    without = lightgbm_mase(data, tmp_path, "without", [])
    with_promo = lightgbm_mase(data, tmp_path, "with", ["promo"])
    assert with_promo < 0.5 * without, (with_promo, without)
    saved = (tmp_path / "with" / "lightgbm.json").read_text()
    assert '"promo"' in saved


@pytest.mark.parametrize(("column", "message"), [("price", "no column 'price' for --covariates"),
                                                  ("region", "covariate 'region' is not numeric")])
def test_an_unknown_or_text_covariate_is_named(tmp_path, column, message):
    data = tmp_path / "lagged.csv"
    lagged_panel(data, n=40)
    config = trainwright.build_config(overrides={
        "data": {"task": "forecast"},
        "forecast": {"horizon": 4, "backtest": 1, "models": ["naive", "lightgbm"], "covariates": [column]}})
    with pytest.raises(DataError, match=message):
        train_forecast(data, out=tmp_path / "run", config=config)


def test_the_covariates_flag_reaches_the_run(cli, tmp_path):
    data = tmp_path / "lagged.csv"
    lagged_panel(data, n=40)
    result = cli("train", data, "--task", "forecast", "--horizon", "4", "--covariates", "promo,price",
                 "--out", tmp_path / "run")
    assert result.code != 0 and "no column 'price' for --covariates" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    result = cli("train", data, "--covariates", "promo", "--out", tmp_path / "table")
    assert result.code != 0 and "--covariates" in result.stderr + result.stdout and "--task forecast" in (
        result.stderr + result.stdout)
