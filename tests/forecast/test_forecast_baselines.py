"""Baselines: hand-checked naive methods, parity with statsmodels for the models it provides, the shared
fit/forecast contract for every registered baseline, and the seasonal-naive reference figure on the classic panel."""

import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from trainwright.errors import DataError, NotFittedError
from trainwright.forecast.backtest import backtest
from trainwright.forecast.baselines import BASELINES, ETS, Combination, Naive, SeasonalNaive, Theta
from trainwright.forecast.metrics import geometric_mean, mase

Z90 = NormalDist().inv_cdf(0.9)


def seasonal_series(n=60, season=12, seed=0):
    """A positive monthly-like series: level 50, trend 0.5 a period, a sine season of amplitude 8, noise sd 1."""
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(0, 1, n)
    return 50 + 0.5 * t + 8 * np.sin(2 * np.pi * t / season) + noise


def test_naive_by_hand():
    y = np.array([1.0, 3.0, 2.0, 4.0])  # one-step errors 2, -1, 2: sigma = sqrt(9 / 3)
    forecast = Naive().fit(y).forecast(3, quantiles=(0.1, 0.5, 0.9))
    assert forecast.point.tolist() == [4.0, 4.0, 4.0]
    sigma = np.sqrt(3.0)
    np.testing.assert_allclose(forecast.quantiles[0.9], 4 + Z90 * sigma * np.sqrt([1, 2, 3]))
    np.testing.assert_allclose(forecast.quantiles[0.1], 4 - Z90 * sigma * np.sqrt([1, 2, 3]))
    assert forecast.quantiles[0.5].tolist() == [4.0, 4.0, 4.0]


def test_seasonal_naive_by_hand():
    y = np.array([1.0, 5.0, 2.0, 7.0, 4.0, 9.0])  # season 2: seasonal errors 1, 2, 2, 2
    forecast = SeasonalNaive().fit(y, season_length=2).forecast(5, quantiles=(0.9,))
    assert forecast.point.tolist() == [4.0, 9.0, 4.0, 9.0, 4.0]
    sigma = np.sqrt((1 + 4 + 4 + 4) / 4)
    # Whole seasons ahead: 0, 0, 1, 1, 2 -> sd multiplied by sqrt(1), sqrt(1), sqrt(2), sqrt(2), sqrt(3).
    np.testing.assert_allclose(forecast.quantiles[0.9] - forecast.point, Z90 * sigma * np.sqrt([1, 1, 2, 2, 3]))


def test_seasonal_naive_on_less_than_a_season_forecasts_the_last_value(caplog):
    with caplog.at_level("INFO", logger="trainwright"):
        forecast = SeasonalNaive().fit([1.0, 2.0, 3.0], season_length=12).forecast(2)
    assert forecast.point.tolist() == [3.0, 3.0]
    assert "not more than one season of 12" in caplog.text


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_forecasts_points_and_ordered_quantiles(name):
    y = seasonal_series()
    model = BASELINES[name]().fit(y, season_length=12)
    forecast = model.forecast(6, quantiles=(0.1, 0.5, 0.9))
    assert forecast.point.shape == (6,) and np.all(np.isfinite(forecast.point))
    assert sorted(forecast.quantiles) == [0.1, 0.5, 0.9]
    assert np.all(forecast.quantiles[0.1] < forecast.quantiles[0.9])
    assert np.all(forecast.quantiles[0.1] <= forecast.point + 1e-9)
    assert np.all(forecast.point <= forecast.quantiles[0.9] + 1e-9)
    again = model.forecast(6, quantiles=(0.1, 0.5, 0.9))  # same fitted model, same forecast (seeded simulation)
    np.testing.assert_array_equal(again.quantiles[0.1], forecast.quantiles[0.1])


@pytest.mark.parametrize("name", ["ets", "arima", "theta", "combination"])
def test_fitted_models_beat_seasonal_naive_on_a_trending_seasonal_series(name):
    y = seasonal_series(n=72)
    train, test = y[:-12], y[-12:]
    naive_error = mase(test, SeasonalNaive().fit(train, 12).forecast(12).point, train, 12)
    model_error = mase(test, BASELINES[name]().fit(train, 12).forecast(12).point, train, 12)
    assert model_error < naive_error


def test_ets_matches_statsmodels_for_the_form_it_chose():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    y = seasonal_series()
    model = ETS().fit(y, season_length=12)
    letters = model.spec_[4:-1].split(",")  # "ETS(A,Ad,A)" -> ["A", "Ad", "A"]
    words = {"N": None, "A": "add", "M": "mul"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ETSModel(pd.Series(y), error=words[letters[0]], trend=words[letters[1][0]],
                             damped_trend=letters[1].endswith("d"), seasonal=words[letters[2]],
                             seasonal_periods=12 if letters[2] != "N" else None).fit(disp=False)
    np.testing.assert_allclose(model.forecast(6).point, reference.forecast(6), rtol=1e-8)


def test_theta_matches_statsmodels():
    from statsmodels.tsa.forecasting.theta import ThetaModel
    y = seasonal_series()
    reference = ThetaModel(pd.Series(y), period=12).fit()
    forecast = Theta().fit(y, season_length=12).forecast(6, quantiles=(0.1, 0.9))
    np.testing.assert_allclose(forecast.point, reference.forecast(6))
    # statsmodels' own intervals take σ² from the series before deseasonalizing: ours are narrower, centred
    upper = np.asarray(reference.prediction_intervals(6, alpha=0.2)["upper"])
    half = forecast.quantiles[0.9] - forecast.point
    np.testing.assert_allclose(forecast.point - forecast.quantiles[0.1], half)
    assert (half > 0).all() and (half < upper - forecast.point).all()


def test_theta_intervals_cover_what_they_say_on_its_own_process():
    """Series drawn from the process Theta is (SES with drift, an IMA(1,1)): its 80% intervals hold about 80%."""
    rng = np.random.default_rng(0)
    alpha, drift, inside = 0.4, 0.2, []
    for _ in range(150):
        errors = rng.normal(0, 1, 106)
        changes = drift + errors[1:] + (alpha - 1) * errors[:-1]
        y = 50 + np.concatenate([[0], np.cumsum(changes)])
        forecast = Theta().fit(y[:-6], season_length=1).forecast(6, quantiles=(0.1, 0.9))
        inside.append(np.mean((y[-6:] >= forecast.quantiles[0.1]) & (y[-6:] <= forecast.quantiles[0.9])))
    assert 0.72 <= np.mean(inside) <= 0.88, np.mean(inside)


def test_combination_is_the_median_of_its_members():
    y = seasonal_series()
    members = [BASELINES[n]().fit(y, 12).forecast(4, (0.1,)) for n in ("naive", "seasonal_naive", "theta")]
    combined = Combination(("naive", "seasonal_naive", "theta"), how="median").fit(y, 12).forecast(4, (0.1,))
    np.testing.assert_allclose(combined.point, np.median([m.point for m in members], axis=0))
    np.testing.assert_allclose(combined.quantiles[0.1], np.median([m.quantiles[0.1] for m in members], axis=0))


def test_bad_input_is_named():
    with pytest.raises(DataError, match="2 missing or infinite values, first at positions 1, 3"):
        Naive().fit([1.0, np.nan, 2.0, np.inf])
    with pytest.raises(DataError, match="has 3 values; this model needs at least 4"):
        ETS().fit([1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="season_length"):
        Naive().fit([1.0, 2.0], season_length=0)
    with pytest.raises(NotFittedError, match="call fit"):
        Theta().forecast(3)
    with pytest.raises(DataError, match="Quantile 90"):
        Naive().fit([1.0, 2.0]).forecast(3, quantiles=(90,))
    with pytest.raises(DataError, match="members must be among"):
        Combination(("ets", "prophet")).fit(seasonal_series())


def test_backtest_of_naive_on_a_line_by_hand():
    # On y = t the naive forecast from y[t-1] is off by 1, 2, ..., h: MAE (h + 1) / 2, scale 1.
    result = backtest(Naive, np.arange(30.0), season_length=1, horizon=4, windows=3, quantiles=(0.1, 0.9))
    assert len(result.scores) == 3 and len(result.forecasts) == 3
    assert result.mean("mase") == pytest.approx(2.5)
    assert result.scores[0]["mae"] == pytest.approx(2.5)
    assert 0 <= result.mean("coverage") <= 1


def test_seasonal_naive_reproduces_the_classic_panel_reference():
    # The shared data's README: seasonal naive geometric-mean MASE 1.032 on the last 12 (UKgas: 8) observations.
    panel = pd.read_csv(shared_data("timeseries", "classic_panel.csv"))
    scores = {}
    for name, group in panel.groupby("series", sort=False):
        y = group.sort_values("date")["value"].to_numpy(float)
        season, horizon = (4, 8) if name == "UKgas" else (12, 12)
        train, test = y[:-horizon], y[-horizon:]
        scores[name] = mase(test, SeasonalNaive().fit(train, season).forecast(horizon).point, train, season)
    assert round(scores["AirPassengers"], 3) == 1.571 and round(scores["UKgas"], 3) == 3.627
    assert round(geometric_mean(scores.values()), 3) == 1.032
