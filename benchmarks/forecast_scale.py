"""A large panel through the command line: `trainwright train --task forecast` and `trainwright predict` on a
synthetic panel of 10,000 monthly series of 200 points, with the wall time and peak memory of each command.

Each series is a level, a trend, a yearly season of its own amplitude and phase, and noise (some series
multiplicative, some with a trend break); a few have missing months. The last 12 points of each series are held
out; trainwright trains on the rest with only `--task forecast --horizon 12` (its candidate budget decides which
models run) and its saved forecasts are scored against them: the geometric mean of the per-series MASE, beside
seasonal naive computed here. `predict RUN` (the saved forecasts) and `predict RUN NEWER.csv` (the training part
again, as a newer history: every chosen model is fit once more) are timed too.

Peak RSS is that of the command's largest process (os.wait4's ru_maxrss); the per-series fits run in worker
processes, whose peak is printed beside it from the run's log. The files go to a temporary folder, never the repo.

Run from the project root:
    .venv/bin/python benchmarks/forecast_scale.py [--series 10000] [--points 200] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trainwright.forecast.metrics import geometric_mean, mase

ROOT = Path(__file__).resolve().parents[1]
TRAINWRIGHT = Path(sys.executable).parent / "trainwright"
HORIZON, SEASON = 12, 12


def synthetic_panel(series: int, points: int, seed: int = 0) -> pd.DataFrame:
    """`series` monthly series of `points` values in long format (series, date, value), a few months missing."""
    rng = np.random.default_rng(seed)
    t = np.arange(points)
    dates = pd.date_range("2000-01-01", periods=points, freq="MS")
    level = rng.uniform(50, 500, (series, 1))
    trend = rng.normal(0, 0.003, (series, 1)) * level
    amplitude = rng.uniform(0.0, 0.3, (series, 1)) * level
    phase = rng.uniform(0, 2 * np.pi, (series, 1))
    season = amplitude * np.sin(2 * np.pi * t / SEASON + phase)
    noise = rng.normal(0, 1, (series, points)) * rng.uniform(0.02, 0.1, (series, 1)) * level
    values = level + trend * t + season + noise
    multiplicative = rng.random(series) < 0.3  # the season grows with the level
    values[multiplicative] = (level + trend * t)[multiplicative] * (1 + season / level)[multiplicative] \
        + noise[multiplicative]
    broken = rng.random(series) < 0.1  # the trend turns two-thirds of the way
    values[broken] -= 2 * (trend * np.clip(t - 2 * points // 3, 0, None))[broken]
    frame = pd.DataFrame({"series": np.repeat([f"s{i:05d}" for i in range(series)], points),
                          "date": np.tile(dates.strftime("%Y-%m-%d"), series),
                          "value": np.round(values.ravel(), 3)})
    gaps = rng.random(len(frame)) < 0.002  # a few missing months, never the first or the held-out last ones
    position = np.tile(t, series)
    return frame[~(gaps & (position > 0) & (position < points - HORIZON))].reset_index(drop=True)


def timed(command: list[str]) -> tuple[float, float, str]:
    """Run `command`; its wall seconds, peak RSS in MiB (its largest process) and its stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        log = err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{log[-4000:]}")
    return seconds, usage.ru_maxrss / 1024, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more `trainwright train` options")
    args = parser.parse_args()
    panel = synthetic_panel(args.series, args.points)
    last = panel.groupby("series").cumcount(ascending=False) < HORIZON
    train, test = panel[~last], panel[last]
    with tempfile.TemporaryDirectory() as work:
        file, run = Path(work) / "panel.csv", Path(work) / "run"
        train.to_csv(file, index=False)
        print(f"{args.series} series x {args.points} points ({len(panel):,} rows, {file.stat().st_size / 2**20:.0f} "
              f"MiB csv), horizon {HORIZON}, {args.threads} threads")
        base = [str(TRAINWRIGHT)]
        figures = {"train": timed(base + ["train", str(file), "--task", "forecast", "--horizon", str(HORIZON),
                                          "--out", str(run), "--threads", str(args.threads), *args.extra])}
        figures["predict RUN"] = timed(base + ["predict", str(run), "--out", str(Path(work) / "saved.csv")])
        figures["predict RUN NEWER.csv"] = timed(base + ["predict", str(run), str(file), "--out",
                                                         str(Path(work) / "newer.csv")])
        forecasts = pd.read_csv(Path(work) / "saved.csv", dtype={"id": str})
        for line in figures["train"][2].splitlines():
            if "left out" in line or "worker" in line or "in parallel" in line:
                print("  log:", line.strip())
        sizes = {p.name: p.stat().st_size / 2**20 for p in run.iterdir() if p.is_file()}
    for name, (seconds, rss, _) in figures.items():
        print(f"{name:24s} {seconds:8.1f} s   peak RSS {rss:7.0f} MiB")
    print("run folder:", ", ".join(f"{k} {v:.1f} MiB" for k, v in sorted(sizes.items())))
    ours, naive = [], []
    history = {key: group["value"].to_numpy() for key, group in train.groupby("series")}
    predicted_by = {key: group["point"].to_numpy() for key, group in forecasts.groupby("id")}
    for key, group in test.groupby("series"):
        actual, y, predicted = group["value"].to_numpy(), history[key], predicted_by[key]
        ours.append(mase(actual, predicted, y, SEASON))
        naive.append(mase(actual, y[-SEASON:][np.arange(HORIZON) % SEASON], y, SEASON))
    print(f"geo-MASE on the held-out last {HORIZON} points: trainwright {geometric_mean(ours):.3f}, "
          f"seasonal naive {geometric_mean(naive):.3f}")


if __name__ == "__main__":
    main()
