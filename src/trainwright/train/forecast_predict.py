"""`trainwright predict RUN [FILE]` for a forecast run: its saved forecasts, or forecasts from a newer history.

From a newer history the models chosen in training are kept, never chosen again: naive and seasonal naive
forecast from the new history as they are; N-BEATS and the LSTM run their saved weights on each series' new last
lookback, LightGBM its saved boosters (with the covariates' new past values);
ETS and ARIMA are fit again on the new history in the form chosen in training (ETS's error, trend and season,
ARIMA's orders: only their parameters are re-estimated), Theta and the combination as they were chosen (Theta
has no form to keep; the combination's members choose theirs again). A series the run did not know is
forecast by seasonal naive.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import pandas as pd

from ..data import read_table
from ..data.layout import Layout
from ..errors import ArtifactError, DataError
from ..forecast.baselines import ARIMA, BASELINES, ETS
from ..forecast.covariates import read_covariates
from ..forecast.lags import History
from ..forecast.series import read_panel
from ..log import logger
from .forecast_learned import LEARNED, load_learned
from .forecast_record import future_dates, iso_dates, load_forecast_run

FALLBACK = "seasonal_naive"


def saved_forecasts(run: str | Path) -> pd.DataFrame:
    """The forecasts the run saved (forecasts.csv): id, date, point and one column per quantile."""
    load_forecast_run(run)  # a clear message when the folder is not a forecast run
    try:
        return pd.read_csv(Path(run) / "forecasts.csv", dtype={"id": str})
    except (OSError, ValueError) as e:
        raise ArtifactError(f"{run}/forecasts.csv cannot be read ({e}): train the run again.") from None


def forecast_history(run: str | Path, data: str | Path) -> pd.DataFrame:
    """The next horizon after each series' end in `data` (a newer history, the run's columns), by the models
    the run chose; the same columns as forecasts.csv."""
    config, record = load_forecast_run(run)
    fc, columns = config.forecast, record["columns"]
    frame = read_table(data, config.data.encoding, Layout.of(config.data))
    panel = read_panel(frame, str(data), id=columns["id"], time=columns["time"], target=columns["target"],
                       min_length=2, fill=fc.fill, duplicates=fc.duplicates)
    for finding in panel.findings:
        logger.info(str(finding))
    chosen = {s["id"]: s["model"] for s in record["series"]}
    seasons = {s["id"]: s["season_length"] for s in record["series"]}
    forms = {s["id"]: s["model_form"] for s in record["series"]}
    unknown = [key for key in panel.ids if key not in chosen]
    if unknown:
        logger.info(f"{len(unknown)} series the run did not forecast ({', '.join(unknown[:5])}"
                    f"{', ...' if len(unknown) > 5 else ''}): forecast by {FALLBACK}.")
    forecasts = _learned_forecasts(run, frame, panel, chosen, fc, str(data))
    frames = []
    for series in panel:
        model = chosen.get(series.id, FALLBACK)
        season = seasons.get(series.id, series.season_length)
        if series.id in forecasts:
            forecast = forecasts[series.id]
        else:
            forecast = _refit(model, forms.get(series.id), series, season).forecast(fc.horizon, fc.quantiles)
        frames.append(pd.DataFrame({"id": series.id, "date": iso_dates(future_dates(series, fc.horizon)),
                                    "point": forecast.point,
                                    **{str(float(q)): v for q, v in sorted(forecast.quantiles.items())}}))
    return pd.concat(frames, ignore_index=True)


def _learned_forecasts(run, frame, panel, chosen: dict[str, str], fc, source: str) -> dict:
    """The forecasts of the series whose chosen model is learned, by their saved models."""
    covariates = read_covariates(frame, panel, fc.covariates, source) if fc.covariates else {}
    forecasts = {}
    for name in LEARNED:
        ids = [key for key in panel.ids if chosen.get(key) == name]
        if ids:
            histories = {key: History.of(panel[key], covariates) for key in ids}
            forecasts.update(load_learned(Path(run), name).forecast(histories, fc.quantiles))
    return forecasts


def _refit(model: str, form: str | None, series, season: int):
    """The model fit on the new history in its kept form; the form chosen again when it no longer fits."""
    y = series.to_numpy()
    try:
        return kept_form(model, form).fit(y, season)
    except (DataError, ValueError, np.linalg.LinAlgError) as e:
        if form is None or model not in ("ets", "arima"):
            raise
        logger.info(f"Series {series.id!r}: {form} cannot be fit on the new history ({e}); its {model} form is "
                    "chosen again.")
        return BASELINES[model]().fit(y, season)


_ETS_FORM = re.compile(r"^ETS\(([AM]),(N|A|Ad),([NAM])\)$")
_ARIMA_FORM = re.compile(r"^ARIMA\((\d+),(\d+),(\d+)\)(?:\((\d+),(\d+),(\d+)\)\[(\d+)\])?$")
_COMPONENT = {"N": None, "A": "add", "M": "mul"}


class _KeptETS(ETS):
    """ETS in one form: the only candidate is the one chosen in training."""

    def __init__(self, form: re.Match):
        self.form = form

    def _candidates(self, y, season_length):
        error, trend, seasonal = self.form.groups()
        yield _COMPONENT[error], _COMPONENT[trend[0]], trend == "Ad", _COMPONENT[seasonal]


class _KeptARIMA(ARIMA):
    """ARIMA with the orders chosen in training, its constant or drift as the search keeps it (d + D <= 1)."""

    def __init__(self, form: re.Match):
        self.form = form

    def _fit(self, y, season_length):
        from statsmodels.tsa.arima.model import ARIMA as StatsmodelsARIMA

        p, d, q, sp, sd, sq, m = (int(g) if g is not None else 0 for g in self.form.groups())
        trend = {0: "c", 1: "t"}.get(d + sd, "n")
        self.result_ = StatsmodelsARIMA(pd.Series(y), order=(p, d, q), seasonal_order=(sp, sd, sq, m if m > 1 else 0),
                                        trend=trend).fit()
        self.spec_ = self.form.group(0)


def kept_form(model: str, form: str | None):
    """A baseline of kind `model` that keeps the form written in the run (`model_form`), when it has one."""
    for kind, pattern, kept in (("ets", _ETS_FORM, _KeptETS), ("arima", _ARIMA_FORM, _KeptARIMA)):
        match = pattern.match(form or "") if model == kind else None
        if match:
            return kept(match)
    return BASELINES[model]()
