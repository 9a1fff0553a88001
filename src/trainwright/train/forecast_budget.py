"""Which candidates a forecast run can afford: a large panel cannot have every model fit on every backtest window
of every series (ARIMA's stepwise search alone takes seconds a fit).

The cost of each candidate is estimated from the panel's size — fits per series (the backtest windows and the
refit) × the series × their length, shared among the worker processes — and the candidates are taken cheapest and
strongest first until the budget is spent: `train.time_limit` when it is set (most of it: reading the file and
writing the run take the rest), else DEFAULT_BUDGET_S. The run says which were left out and how to have them. An
explicit list (`--model`, forecast.models in a config file) is always honoured.

The seconds are those of one core of the 2-core machine the benchmarks ran on (benchmarks/forecast_scale.py); a
faster machine only does better than planned.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import RunConfig
from ..forecast.lags import MAX_TRAINING_ORIGINS
from ..forecast.windows import MAX_TRAINING_WINDOWS

DEFAULT_BUDGET_S = 3600.0  # a large panel without --time-limit: an hour of fitting, not a night
SHARE_OF_LIMIT = 0.8  # of --time-limit, for the fits; reading, choosing and writing take the rest
# Seconds per fit of a series of REFERENCE_POINTS points, one core (ETS searches its forms, ARIMA its orders).
SECONDS_PER_FIT = {"naive": 0.001, "seasonal_naive": 0.001, "theta": 0.05, "ets": 0.8, "arima": 4.0}
REFERENCE_POINTS = 200
# N-BEATS: seconds per training window and epoch, batches of 32 on the machine's cores together (4.6e-4 measured
# on the 2-core machine when busy).
NBEATS_SECONDS_PER_WINDOW = 6e-4
LSTM_SLOWDOWN = 3.0  # the LSTM forecaster's step against N-BEATS's (its recurrence runs the lookback step by step)
# LightGBM: seconds per training row (an origin and a step) for all its quantile boosters, and the origins it keeps
# per series (forecast/lags.py). 240,000 rows (20,000 origins x 12 steps, 3 levels) took 575 s on the 2-core
# machine at load 7, the process getting about a quarter of a core: about 3e-4 s a row on 2 free cores.
LIGHTGBM_SECONDS_PER_ROW = 5e-4
LIGHTGBM_ORIGINS = 400
# Cheapest and strongest first: seasonal naive is the fallback and the bar, ETS the best single baseline for its
# cost, N-BEATS one model for all series; Theta and ARIMA where there is room; the combination needs all three.
PRIORITY = ("seasonal_naive", "naive", "ets", "nbeats", "lightgbm", "theta", "arima", "lstm", "combination")
COMBINED = ("ets", "arima", "theta")
PARALLEL_FROM_S = 20.0  # per-series fits shorter than this in one process are not worth starting workers (seconds each)


@dataclass
class Plan:
    """The candidates kept, those left out, and the estimate and budget they were weighed by (seconds)."""

    models: list[str]
    left_out: list[str]
    seconds: float
    budget: float

    def message(self, series: int) -> str | None:
        """The line the run tells when candidates were left out."""
        if not self.left_out:
            return None
        names = " and ".join([", ".join(self.left_out[:-1]), self.left_out[-1]] if len(self.left_out) > 1
                             else self.left_out)
        return (f"{series:,} series: {names} left out to fit the budget of {self.budget / 60:.0f} min (about "
                f"{self.seconds / 60:.0f} min planned for {', '.join(self.models)}); pass --model "
                f"{','.join(self.models + self.left_out)} to include them, or --time-limit SECONDS for a "
                "budget of your own.")


def plan_candidates(config: RunConfig, lengths: list[int], workers: int) -> Plan:
    """The candidates of config.forecast.models that fit the budget, for series of `lengths` points fit on
    `workers` processes; all of them when the list was given explicitly. Of the default candidates, lightgbm
    runs only with --covariates: it is the one that reads them, and without them it won no series of the
    benchmarks' panels while costing the most time after ARIMA."""
    fc = config.forecast
    explicit = "models" in fc.model_fields_set
    wanted = [m for m in fc.models if explicit or m != "lightgbm" or fc.covariates]
    budget = SHARE_OF_LIMIT * config.train.time_limit if config.train.time_limit else DEFAULT_BUDGET_S
    cost = {m: candidate_seconds(m, lengths, config, workers) for m in wanted}
    if explicit:
        return Plan(wanted, [], sum(cost.values()), budget)
    kept, spent = [], 0.0
    for model in sorted(wanted, key=PRIORITY.index):
        if model == "combination" and not all(m in kept for m in COMBINED):
            continue
        if model == "seasonal_naive" or spent + cost[model] <= budget:  # the fallback is always there
            kept.append(model)
            spent += cost[model]
    return Plan([m for m in wanted if m in kept], [m for m in wanted if m not in kept], spent, budget)


def worker_count(config: RunConfig, lengths: list[int], threads: int) -> int:
    """Processes for the per-series fits: `threads`, or 1 when one process does them in a few seconds."""
    serial = sum(candidate_seconds(m, lengths, config, 1) for m in config.forecast.models if m in SECONDS_PER_FIT)
    return threads if serial >= PARALLEL_FROM_S else 1


def refit_workers(fits: list[tuple[str, int]], threads: int) -> int:
    """Processes for refitting statistical models on new histories, `fits` being (model, length) pairs:
    `threads`, or 1 when one process does them in a few seconds."""
    serial = sum(SECONDS_PER_FIT.get(model, 0.0) * length / REFERENCE_POINTS for model, length in fits)
    return threads if serial >= PARALLEL_FROM_S else 1


def candidate_seconds(model: str, lengths: list[int], config: RunConfig, workers: int) -> float:
    """Estimated wall seconds of the model over the run: per series, a fit on each backtest window and one refit
    (per-series models on `workers` processes); N-BEATS trained once per window and once more."""
    fits = config.forecast.backtest + 1
    if model == "combination":
        return 0.0  # the median of its members' forecasts
    horizon = config.forecast.horizon or 1
    if model in ("nbeats", "lstm"):
        windows = sum(max(n - 6 * horizon, 1) for n in lengths)  # a lookback of about 3 horizons, two held back
        windows = min(windows, MAX_TRAINING_WINDOWS)  # a large panel's are sampled (forecast/windows.py)
        slowdown = LSTM_SLOWDOWN if model == "lstm" else 1.0
        return fits * config.train.epochs * windows * NBEATS_SECONDS_PER_WINDOW * slowdown
    if model == "lightgbm":
        origins = sum(min(max(n - 4 * horizon, 1), LIGHTGBM_ORIGINS) for n in lengths)
        rows = min(origins, MAX_TRAINING_ORIGINS) * horizon  # a large panel's are sampled (forecast/lags.py)
        return fits * rows * LIGHTGBM_SECONDS_PER_ROW
    per_point = SECONDS_PER_FIT[model] / REFERENCE_POINTS
    return fits * per_point * sum(lengths) / max(workers, 1)
