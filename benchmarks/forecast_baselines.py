"""The statistical baselines on the classic panel: MASE per series and its geometric mean, and 80% interval coverage.

The last 12 observations of each monthly series (8 of quarterly UKgas) are held out and forecast from the rest.
Beside each baseline: the mean and the median of ETS, ARIMA and Theta, and a model chosen per series by its mean
MASE over rolling-origin backtests inside the training part only (--windows of one horizon each), so the held-out
part never takes part in the choice. The shared data's reference points are printed for comparison (seasonal
naive must match exactly: it checks the MASE).

Run from the project root (one BLAS thread: the fits are small, and more threads only contend on a shared machine):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/forecast_baselines.py [--data PATH] [--windows 3]
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trainwright.forecast.backtest import backtest_windows, score
from trainwright.forecast.baselines import BASELINES, combine
from trainwright.forecast.metrics import coverage, geometric_mean

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeseries" / "classic_panel.csv"
QUARTERLY = {"UKgas"}
SINGLE = ["naive", "seasonal_naive", "ets", "arima", "theta"]
COMBINED = {"mean": "mean", "median": "median"}  # of ets, arima, theta
MODELS = SINGLE + list(COMBINED)
QUANTILES = (0.1, 0.5, 0.9)  # 0.1 and 0.9 bound the 80% interval
REFERENCE = {"seasonal_naive": 1.032, "ets": 0.790, "arima": 0.740, "theta": 0.799}  # statsforecast Auto*


def forecasts(train: np.ndarray, season: int, horizon: int) -> dict:
    """Every model's forecast of the `horizon` periods after `train`; combinations reuse their members' fits."""
    result = {name: BASELINES[name]().fit(train, season).forecast(horizon, QUANTILES) for name in SINGLE}
    members = [result[name] for name in ("ets", "arima", "theta")]
    for name, how in COMBINED.items():
        result[name] = combine(members, how)
    return result


def evaluate_series(name: str, y: np.ndarray, windows: int) -> dict:
    season, horizon = (4, 8) if name in QUARTERLY else (12, 12)
    train, test = y[:-horizon], y[-horizon:]
    held_out = {m: score(train, test, f, season) | {"forecast": f}
                for m, f in forecasts(train, season, horizon).items()}
    backtests = {m: [] for m in MODELS}
    for window in backtest_windows(len(train), horizon, windows, min_train=2 * season + 2, name=name):
        bt_train, bt_test = window.split(train)
        for m, f in forecasts(bt_train, season, horizon).items():
            backtests[m].append(score(bt_train, bt_test, f, season))
    chosen = min(MODELS, key=lambda m: np.mean([s["mase"] for s in backtests[m]]))
    return {"test": test, "held_out": held_out, "backtests": backtests, "chosen": chosen}


def pooled_coverage(results: dict, model: str) -> float:
    """Share of all held-out points of the panel inside the model's 80% interval ("chosen": each series' choice)."""
    inside = []
    for r in results.values():
        forecast = r["held_out"][r["chosen"] if model == "chosen" else model]["forecast"]
        inside.append(coverage(r["test"], forecast.quantiles[0.1], forecast.quantiles[0.9]) * len(r["test"]))
    return sum(inside) / sum(len(r["test"]) for r in results.values())


def backtest_coverage(results: dict, model: str) -> float:
    """The same over every backtest window of every series (all windows have one horizon of points each)."""
    values = [s["coverage"] for r in results.values() for s in r["backtests"][model]]
    return float(np.mean(values))


def print_table(results: dict, seconds: float) -> None:
    columns = MODELS + ["chosen"]
    width = max(len(c) for c in columns) + 1
    print(f"{'MASE':<15}" + "".join(f"{c:>{width}}" for c in columns))
    for name, r in results.items():
        row = [r["held_out"][m]["mase"] for m in MODELS] + [r["held_out"][r["chosen"]]["mase"]]
        print(f"{name:<15}" + "".join(f"{v:>{width}.3f}" for v in row))
    means = [geometric_mean(r["held_out"][m]["mase"] for r in results.values()) for m in MODELS]
    chosen = geometric_mean(r["held_out"][r["chosen"]]["mase"] for r in results.values())
    print(f"{'geometric mean':<15}" + "".join(f"{v:>{width}.3f}" for v in means + [chosen]))
    print(f"{'reference':<15}" + "".join(f"{REFERENCE[m]:>{width}.3f}" if m in REFERENCE else " " * width
                                         for m in columns))
    print(f"{'80% cover test':<15}" + "".join(f"{pooled_coverage(results, m):>{width}.3f}" for m in columns))
    print(f"{'80% cover bt':<15}" + "".join(f"{backtest_coverage(results, m):>{width}.3f}" for m in MODELS))
    print("chosen on backtests: " + ", ".join(f"{n} {r['chosen']}" for n, r in results.items()))
    print("reference: statsforecast AutoETS / AutoARIMA / AutoTheta on the same split (shared data README); "
          f"{seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--windows", type=int, default=3, help="backtest windows inside the training part")
    args = parser.parse_args()
    # trainwright's own notes, e.g. a series too short for every backtest window
    logging.getLogger("trainwright").addHandler(logging.StreamHandler())
    logging.getLogger("trainwright").setLevel(logging.INFO)
    panel = pd.read_csv(args.data)
    start = time.perf_counter()
    results = {}
    for name, group in panel.groupby("series", sort=False):
        y = group.sort_values("date")["value"].to_numpy(float)
        results[name] = evaluate_series(name, y, args.windows)
    print_table(results, time.perf_counter() - start)


if __name__ == "__main__":
    main()
