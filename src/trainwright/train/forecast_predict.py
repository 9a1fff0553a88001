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
from functools import partial
from pathlib import Path

import numpy as np

import pandas as pd

from ..data import read_table
from ..data.layout import Layout
from ..errors import ArtifactError, ConfigError, DataError
from ..forecast.baselines import ARIMA, BASELINES, ETS
from ..forecast.covariates import read_covariates
from ..forecast.lags import History
from ..forecast.series import Panel, read_panel
from ..log import logger
from .forecast_budget import refit_workers
from .forecast_learned import LEARNED, WINDOW_MODELS, load_learned
from .forecast_parallel import map_series
from .forecast_record import future_dates, iso_dates, load_forecast_run
from .process import thread_count

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
    forecaster = RunForecaster(run)
    config = forecaster.config
    return forecaster.forecast_frame(read_table(data, config.data.encoding, Layout.of(config.data)), str(data))


class RunForecaster:
    """A saved forecast run, loaded once, that forecasts newer histories with the models it chose (the server
    keeps one for every request). `forecast_frame` reads a long table in the run's columns; `forecast_panel` a
    Panel already read."""

    def __init__(self, run: str | Path):
        self.run = Path(run)
        self.config, self.record = load_forecast_run(run)
        self.horizon, self.quantiles = self.config.forecast.horizon, list(self.config.forecast.quantiles)
        self.chosen = {s["id"]: s for s in self.record["series"]}
        self._learned = {}

    @property
    def columns(self) -> dict:
        """The run's id (None for a single series), time and target column names."""
        return self.record["columns"]

    def read(self, frame: pd.DataFrame, source: str, columns: dict | None = None) -> Panel:
        """The Panel of a newer history in `columns` (default: the run's), filled and aggregated as in training;
        its findings are logged."""
        columns, fc = columns or self.columns, self.config.forecast
        panel = read_panel(frame, source, id=columns["id"], time=columns["time"], target=columns["target"],
                           min_length=2, fill=fc.fill, duplicates=fc.duplicates)
        for finding in panel.findings:
            logger.info(str(finding))
        return panel

    def forecast_frame(self, frame: pd.DataFrame, source: str) -> pd.DataFrame:
        return self.forecast_panel(self.read(frame, source), frame, source)

    def model_of(self, series_id: str) -> str:
        """The model the run chose for this series; the fallback for a series it did not know."""
        return self.chosen[series_id]["model"] if series_id in self.chosen else FALLBACK

    def forecast_panel(self, panel: Panel, frame: pd.DataFrame | None = None, source: str = "input") -> pd.DataFrame:
        """id, date, point and one column per quantile: the next horizon of every series of `panel`; `frame`, the
        table it was read from, gives the covariates of a run that reads them."""
        unknown = [key for key in panel.ids if key not in self.chosen]
        if unknown:
            logger.info(f"{len(unknown)} series the run did not forecast ({', '.join(unknown[:5])}"
                        f"{', ...' if len(unknown) > 5 else ''}): forecast by {FALLBACK}.")
        forecasts = self._learned_forecasts(panel, frame, source)
        forecasts.update(self._refit_forecasts([s for s in panel if s.id not in forecasts]))
        frames = []
        for series in panel:
            forecast = forecasts[series.id]
            frames.append(pd.DataFrame({"id": series.id, "date": iso_dates(future_dates(series, self.horizon)),
                                        "point": forecast.point,
                                        **{str(float(q)): v for q, v in sorted(forecast.quantiles.items())}}))
        return pd.concat(frames, ignore_index=True)

    def _refit_forecasts(self, series: list) -> dict:
        """The forecasts of the series whose chosen model is statistical, each refit on its new history in its
        kept form; in worker processes when there are enough fits to share (as in training)."""
        items = []
        for s in series:
            kept = self.chosen.get(s.id, {})
            items.append((s.id, s.to_numpy(), self.model_of(s.id), kept.get("model_form"),
                          kept.get("season_length", s.season_length)))
        workers = refit_workers([(model, len(y)) for _, y, model, _, _ in items],
                                thread_count(self.config.train.threads))
        fitted = map_series(partial(_refit_forecast, horizon=self.horizon, quantiles=self.quantiles), items, workers)
        return {item[0]: forecast for item, forecast in zip(items, fitted)}

    def histories(self) -> dict[str, np.ndarray]:
        """Each series' history as the run saved it (regular, filled), oldest first; NaN where missing."""
        return {s["id"]: np.asarray(s["history"]["values"], dtype=np.float64) for s in self.record["series"]}

    def _learned_forecasts(self, panel: Panel, frame: pd.DataFrame | None, source: str) -> dict:
        """The forecasts of the series whose chosen model is learned, by their saved models."""
        fc = self.config.forecast
        covariates = read_covariates(frame, panel, fc.covariates, source) if fc.covariates and frame is not None else {}
        forecasts = {}
        for name in LEARNED:
            ids = [key for key in panel.ids if self.model_of(key) == name]
            if ids and name == "lightgbm" and fc.covariates and frame is None:
                raise DataError(f"{source}: series {ids[0]!r} is forecast by lightgbm, which reads the covariates "
                                f"{', '.join(fc.covariates)}: send the history as records with those columns.")
            if ids:
                histories = {key: History.of(panel[key], covariates) for key in ids}
                forecasts.update(self.learned(name).forecast(histories, self.quantiles))
        return forecasts

    def window_model(self):
        """The learned window model (N-BEATS, the LSTM) a series chose, with its lookback, to export; a
        ConfigError when every series chose a model that has no graph to export (the statistical ones are refit
        from each history, LightGBM's trees are read as text)."""
        chosen = {s["model"] for s in self.chosen.values()}
        for name in WINDOW_MODELS:
            if name in chosen:
                return self.learned(name)
        raise ConfigError(f"{self.run}: nothing to export: every series chose a model without a window graph "
                          f"({', '.join(sorted(chosen))}), which is refit from the history or read as text at each "
                          "forecast. Use `trainwright predict RUN NEWER.csv` or `trainwright serve RUN` to forecast "
                          "with them.")

    def learned(self, name: str = "nbeats"):
        if name not in self._learned:
            self._learned[name] = load_learned(self.run, name)
        return self._learned[name]


def _refit_forecast(item: tuple, horizon: int, quantiles: list[float]):
    """The forecast of one series (id, values, model, kept form, season) by its model refit on the values."""
    series_id, y, model, form, season = item
    return _refit(model, form, series_id, y, season).forecast(horizon, quantiles)


def _refit(model: str, form: str | None, series_id: str, y: np.ndarray, season: int):
    """The model fit on the new history in its kept form; the form chosen again when it no longer fits."""
    try:
        return kept_form(model, form).fit(y, season)
    except (DataError, ValueError, np.linalg.LinAlgError) as e:
        if form is None or model not in ("ets", "arima"):
            raise
        logger.info(f"Series {series_id!r}: {form} cannot be fit on the new history ({e}); its {model} form is "
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
