"""A forecast run (`trainwright train FILE --task forecast --horizon H`): read the series, backtest every
candidate, choose per series, refit the choice on the whole history, forecast, and save the run folder.

Each series' last `forecast.backtest` windows of `horizon` periods are forecast from the history before them
(rolling origin, forecast/backtest.py). The statistical baselines are fit per series and window, ARIMA's linear
algebra on one BLAS thread (its matrices are small: more threads only contend). Each learned model (N-BEATS,
the LSTM, LightGBM: train/forecast_learned.py) is trained once per window across all the series long enough for
it, so it is judged on the same windows as the baselines; LightGBM also reads the covariates' past values. The
combination is the median of the ETS, ARIMA and Theta forecasts of each window, from their own fits. Each series
keeps the candidate with the lowest mean MASE over its windows; seasonal naive when it has no window or every
candidate failed on it, and the run says so.

The per-series fits are shared among `train.threads` worker processes (forecast_parallel.py), with the same
results as one process; a large panel runs the candidates its budget affords (forecast_budget.py) and says which
it left out. Under torchrun or srun, the launched processes share the series too, and the learned models train
once with DDP across them (forecast_ranks.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from ..config import RunConfig
from ..data import read_table
from ..data.layout import Layout
from ..destination import check_folder
from ..doctor.series import min_points
from ..errors import ConfigError
from ..forecast.backtest import Window, backtest_windows, score
from ..forecast.baselines import BASELINES, Forecast, combine
from ..forecast.covariates import read_covariates
from ..forecast.lags import History, calendar_features
from ..forecast.regular import Finding
from ..forecast.series import Panel, RegularSeries, read_panel
from ..log import logger
from .forecast_budget import plan_candidates, worker_count
from .forecast_learned import LEARNED, eligible, fit_learned
from .forecast_ranks import Ranks, forecast_ranks
from .forecast_record import ForecastRun, save_forecast_run
from .process import setup, thread_count
from .settings import as_config

FALLBACK = "seasonal_naive"
COMBINED = ("ets", "arima", "theta")  # the members of "combination", their median


@dataclass
class SeriesRun:
    """One series through the run: its backtest windows, each candidate's forecasts and scores on them, the
    model chosen, the fitted model (its repr is the form) and the forecast of the future."""

    series: RegularSeries
    season_length: int
    windows: list[Window]
    forecasts: dict[str, list[Forecast]] = field(default_factory=dict)  # model -> one per window, oldest first
    scores: dict[str, list[dict]] = field(default_factory=dict)
    model: str = FALLBACK
    fitted: object = None
    forecast: Forecast | None = None

    def mean_scores(self, model: str) -> dict[str, float]:
        """The model's metrics averaged over the windows (NaN where a window has none)."""
        rows = self.scores[model]
        return {key: float(np.nanmean([row.get(key, np.nan) for row in rows])) for key in rows[0]}

    def candidates(self) -> list[str]:
        """The models scored on every window of this series."""
        return [m for m, rows in self.scores.items() if rows and len(rows) == len(self.windows)]


def train_forecast(data: str | Path, *, out: str | Path, config: RunConfig | str | Path | None = None) -> ForecastRun:
    """Forecast the series of `data` `forecast.horizon` periods ahead, the model chosen per series on backtests,
    and save the run to `out` (see forecast_record.py for its files). Under torchrun or srun, the launched
    processes share the run (forecast_ranks.py) and rank 0 saves it; the others return with main_process False."""
    check_folder(out, "forecast")  # a folder that is not ours is refused before any work
    config = as_config(config)
    horizon = config.forecast.horizon
    if horizon is None:
        raise ConfigError("A forecast needs a horizon: pass --horizon H, the number of periods to forecast "
                          "(e.g. --horizon 12 for a year of monthly data), or set forecast.horizon in the config.")
    ranks = forecast_ranks(config)
    if ranks.size > 1:  # N-BEATS's last backcast is not in its loss: DDP is told to expect unused parameters
        config = config.derive({"train": {"strategy": "ddp_find_unused_parameters_true"}})
    setup(config)
    start = time.perf_counter()
    frame = read_table(data, config.data.encoding, Layout.of(config.data))
    fc = config.forecast
    panel = read_panel(frame, str(data), id=fc.id, time=fc.time, target=config.data.target,
                       min_length=min_points(horizon), fill=fc.fill, duplicates=fc.duplicates)
    _tell(panel)
    # rank 0's candidates on every process: a machine with other cores would plan others
    config = ranks.agree(_afford(resolve_forecast(config, panel), panel, ranks.size))
    covariates = read_covariates(frame, panel, fc.covariates, str(data)) if fc.covariates else {}
    series = list(panel)
    workers = worker_count(config, [len(s.values) for s in series], thread_count(config.train.threads))
    fitted = ranks.map(partial(_backtest_baselines, config=config), series, workers)
    runs = {s.id: run for s, run in zip(series, fitted)}
    _backtest_learned(runs, config, covariates)
    for run in runs.values():
        _choose(run)
    for key, model in ranks.agree({key: run.model for key, run in runs.items()}).items():
        runs[key].model = model  # rank 0's: the learned models' copies may differ in the last bits
    for run in runs.values():
        _keep_chosen(run)
    learned = _refit(runs, config, covariates, workers, ranks)
    result = ForecastRun(file=Path(data).name, config=config, panel=panel, runs=runs, learned=learned,
                         seconds=time.perf_counter() - start, main_process=ranks.main)
    if ranks.main:
        result.path = save_forecast_run(result, out)
    return result


def resolve_forecast(config: RunConfig, panel: Panel) -> RunConfig:
    """The run's frozen configuration: the task, the columns read, and N-BEATS (the model section) forecasting
    the run's quantiles and the median that is its point forecast."""
    columns = panel.columns
    quantiles = sorted({float(q) for q in config.forecast.quantiles})
    return config.derive({"data": {"task": "forecast", "target": columns.target},
                          "forecast": {"id": columns.id, "time": columns.time, "quantiles": quantiles},
                          "model": {"name": "nbeats", "quantiles": sorted(set(quantiles) | {0.5})}})


def _tell(panel: Panel) -> None:
    """The columns chosen and every finding, once."""
    for reason in panel.columns.reasons:
        logger.info(reason)
    frequencies = sorted({str(s.frequency) for s in panel})
    logger.info(f"{len(panel)} series, {'; '.join(frequencies)}")
    for finding in panel.findings:
        logger.info(str(finding))


def _afford(config: RunConfig, panel: Panel, processes: int = 1) -> RunConfig:
    """The run's candidates cut to those its budget affords (all of them on a small panel), said when any is
    left out; the per-series fits are shared by every process's workers."""
    plan = plan_candidates(config, [len(s.values) for s in panel], thread_count(config.train.threads) * processes)
    message = plan.message(len(panel))
    if message is not None:
        logger.info(message)
    return config if plan.models == list(config.forecast.models) else config.derive({"forecast": {"models": plan.models}})


def _season(series: RegularSeries, config: RunConfig) -> int:
    chosen = config.forecast.season_length
    return series.season_length if chosen == "auto" else int(chosen)


def _backtest_baselines(series: RegularSeries, config: RunConfig) -> SeriesRun:
    """Every statistical candidate on each of the series' backtest windows."""
    from threadpoolctl import threadpool_limits

    fc = config.forecast
    y, season = series.to_numpy(), _season(series, config)
    windows = backtest_windows(len(y), fc.horizon, fc.backtest, min_train=_min_history(len(y), fc.horizon, season),
                               name=series.id)
    run = SeriesRun(series, season, windows)
    wanted = [m for m in fc.models if m in BASELINES and m != "combination"]
    fitted = wanted + [m for m in COMBINED if "combination" in fc.models and m not in wanted]
    failed: set[str] = set()
    with threadpool_limits(1, user_api="blas"):
        for window in windows:
            y_train, y_test = window.split(y)
            found = {m: _baseline_forecast(m, y_train, season, fc, series.id, failed) for m in fitted}
            if "combination" in fc.models and all(found[m] is not None for m in COMBINED):
                found["combination"] = combine([found[m] for m in COMBINED], "median")
            for model in [m for m in fc.models if m in found and found[m] is not None]:
                run.forecasts.setdefault(model, []).append(found[model])
                run.scores.setdefault(model, []).append(score(y_train, y_test, found[model], season))
    return run


def _min_history(length: int, horizon: int, season: int) -> int:
    """The history a backtest window needs before it: two seasons and two points, so that the seasonal forms of
    ETS and ARIMA can be fit there as on the whole series (on a shorter window a seasonal model loses to seasonal
    naive by construction, and the choice would not carry over); a series too short for even one such window is
    judged on windows after more history than the horizon, as the doctor's minimum has it."""
    seasonal = max(horizon + 1, 2 * season + 2)
    return seasonal if length - horizon >= seasonal else horizon + 1


def _baseline_forecast(model: str, y: np.ndarray, season: int, fc, series_id: str, failed: set[str]):
    """The model's forecast after `y`, or None when it cannot be fit (told once per series and model)."""
    try:
        return BASELINES[model]().fit(y, season).forecast(fc.horizon, fc.quantiles)
    except Exception as e:  # statsmodels raises many kinds on a hard series; the other candidates go on
        if model not in failed:
            failed.add(model)
            logger.info(f"Series {series_id!r}: {model} failed on a backtest window ({e}); it is not a candidate "
                        "for this series.")
        return None


def _backtest_learned(runs: dict[str, SeriesRun], config: RunConfig, covariates: dict[str, np.ndarray]) -> None:
    """Each learned candidate trained once per backtest window (the k-th window from the end of every series that
    has it), across the series long enough for it, and scored on each of them."""
    horizon = config.forecast.horizon
    windows = max((len(r.windows) for r in runs.values()), default=0)
    for name in [m for m in config.forecast.models if m in LEARNED]:
        for k in range(windows, 0, -1):
            history = eligible({key: _history(r, covariates, k * horizon) for key, r in runs.items()
                                if len(r.windows) >= k}, horizon)
            if not history:
                continue
            learned = fit_learned(history, {key: runs[key].season_length for key in history}, config,
                                  label=f"{name}, backtest {windows - k + 1}/{windows}: ", name=name,
                                  calendar=_calendar(runs))
            for key, forecast in learned.forecast(history, config.forecast.quantiles).items():
                run = runs[key]
                window = run.windows[len(run.windows) - k]
                y_train, y_test = window.split(run.series.to_numpy())
                run.forecasts.setdefault(name, []).append(forecast)
                run.scores.setdefault(name, []).append(score(y_train, y_test, forecast, run.season_length))


def _history(run: SeriesRun, covariates: dict[str, np.ndarray], cut: int = 0) -> History:
    """The series with its dates and covariates, less its last `cut` periods."""
    return History.of(run.series, covariates).head(len(run.series.values) - cut)


def _calendar(runs: dict[str, SeriesRun]) -> tuple[str, ...]:
    """The calendar features of the panel's frequency; none when its series have different ones."""
    names = {r.series.frequency.name for r in runs.values()}
    return calendar_features(names.pop()) if len(names) == 1 else ()


def _choose(run: SeriesRun) -> None:
    """The candidate with the lowest mean MASE over the series' windows; seasonal naive when none has one."""
    means = {m: run.mean_scores(m)["mase"] for m in run.candidates()}
    finite = {m: v for m, v in means.items() if np.isfinite(v)}
    if finite:
        run.model = min(finite, key=finite.get)
        return
    why = "no backtest window" if not run.windows else "no candidate with a MASE on its backtests"
    run.model = FALLBACK
    _note(run, "fallback", f"{why}: forecast by seasonal naive")


def _keep_chosen(run: SeriesRun) -> None:
    """Only the chosen model's backtest forecasts are kept (the record shows those): the others' scores say
    all the choice needs, and on a large panel their forecasts would hold most of the run's memory."""
    run.forecasts = {m: f for m, f in run.forecasts.items() if m == run.model}


def _refit(runs: dict[str, SeriesRun], config: RunConfig, covariates: dict[str, np.ndarray],
           workers: int = 1, ranks: Ranks = Ranks()) -> dict[str, object]:
    """Each series' chosen model fit on its whole history and forecast; a learned model trained once more on
    every history when it is chosen anywhere. Returns the learned models trained, by name."""
    fc = config.forecast
    learned = {}
    for name in [m for m in fc.models if m in LEARNED]:
        chosen = [key for key, r in runs.items() if r.model == name]
        if not chosen:
            continue
        histories = eligible({key: _history(r, covariates) for key, r in runs.items()}, fc.horizon)
        learned[name] = fit_learned(histories, {key: runs[key].season_length for key in histories}, config,
                                    label=f"{name}, whole history: ", name=name, calendar=_calendar(runs))
        forecasts = learned[name].forecast({key: histories[key] for key in chosen}, fc.quantiles)
        for key in chosen:
            runs[key].forecast = forecasts[key]
    waiting = [r for r in runs.values() if r.forecast is None]
    for run in ranks.map(partial(_refit_baseline, fc=fc), waiting, workers):
        runs[run.series.id] = run
    return learned


def _refit_baseline(run: SeriesRun, fc) -> SeriesRun:
    """The run with its chosen baseline fit on the whole history and forecast (a copy when in a worker)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        _fit_chosen(run, fc)
    return run


def _fit_chosen(run: SeriesRun, fc) -> None:
    y = run.series.to_numpy()
    try:
        run.fitted = BASELINES[run.model]().fit(y, run.season_length)
        run.forecast = run.fitted.forecast(fc.horizon, fc.quantiles)
    except Exception as e:  # as in the backtests: a model that cannot be fit leaves the series to the fallback
        _note(run, "fallback", f"{run.model} could not be fit on the whole history ({e}): forecast by seasonal naive")
        run.model = FALLBACK
        run.fitted = BASELINES[FALLBACK]().fit(y, run.season_length)
        run.forecast = run.fitted.forecast(fc.horizon, fc.quantiles)


def _note(run: SeriesRun, kind: str, message: str) -> None:
    logger.info(f"Series {run.series.id!r}: {message}.")
    run.series.findings.append(Finding(run.series.id, kind, message))
