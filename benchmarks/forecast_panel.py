"""Zero-config `trainwright train --task forecast` on the classic panel, scored on observations it never saw.

The last 12 observations of each monthly series (8 of quarterly UKgas) are cut off; trainwright trains on the rest
through the command line, with only `--task forecast --horizon H` (the monthly series in one run at horizon 12,
UKgas in one at horizon 8), chooses each series' model on backtests inside that training part, and its saved
forecasts are scored against the held-out values: MASE per series and its geometric mean, and the share of held-out
values inside the 0.1–0.9 interval. The backtest coverage of the chosen models comes from each run's leaderboard.
Printed beside them: seasonal naive computed here, and the shared data's statsforecast reference points (measured
on the same split; statsforecast pins pandas < 3, so it cannot run beside us).

`--models lightgbm lstm nbeats` runs each of those candidate sets instead (comma-separated within one, as
`--model` takes them), side by side: `--models lightgbm` is LightGBM alone on every series.

Run from the project root:
    .venv/bin/python benchmarks/forecast_panel.py [--data PATH] [--threads 2] [--models SET ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trainwright.forecast.metrics import coverage, geometric_mean, mase

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "timeseries" / "classic_panel.csv"
TRAINWRIGHT = [sys.executable, "-m", "trainwright"]  # the interpreter running this, so its trainwright
HORIZONS = {"UKgas": 8}  # quarterly; every other series is monthly: 12
SEASONS = {"UKgas": 4}
REFERENCE = {"seasonal naive": 1.032, "statsforecast AutoETS": 0.790, "statsforecast AutoARIMA": 0.740,
             "statsforecast AutoTheta": 0.799, "their mean": 0.715}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=[None], help="candidate sets, each as --model takes it "
                                                                     "[zero-config: the default candidates]")
    args = parser.parse_args()
    panel = pd.read_csv(args.data)
    results = {models or "zero-config": evaluate(panel, models, args.threads) for models in args.models}
    print(f"{'system':38s} {'geometric-mean MASE':>20s} {'held-out coverage':>18s} {'time':>7s}")
    for name, (geo, held_out, seconds) in results.items():
        print(f"{'trainwright ' + name:38s} {geo:20.3f} {held_out:18.1%} {seconds:6.0f}s")
    for name, value in REFERENCE.items():
        print(f"{name + ' (reference)':38s} {value:20.3f}")


def evaluate(panel: pd.DataFrame, models: str | None, threads: int) -> tuple[float, float, float]:
    """The held-out geometric-mean MASE, 0.1-0.9 coverage and seconds of the runs with candidates `models`."""
    horizon = {key: HORIZONS.get(key, 12) for key in panel["series"].unique()}
    train = panel[panel.groupby("series").cumcount(ascending=False) >= panel["series"].map(horizon)]
    test = panel.drop(train.index)
    groups = {h: sorted(k for k, v in horizon.items() if v == h) for h in sorted(set(horizon.values()))}
    rows, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        backtest_coverage = {}
        for h, keys in groups.items():
            file = Path(work) / f"panel_h{h}.csv"
            train[train["series"].isin(keys)].to_csv(file, index=False)
            run = Path(work) / f"run_h{h}"
            subprocess.run([*TRAINWRIGHT, "train", str(file), "--task", "forecast", "--horizon", str(h),
                            "--out", str(run), "--threads", str(threads), *(["--model", models] if models else [])],
                           check=True, capture_output=True)
            record = json.loads((run / "forecast.json").read_text(encoding="utf-8"))
            chosen = next(row for row in record["leaderboard"] if row["model"] == "chosen")
            backtest_coverage[h] = (chosen["coverage"], len(keys))
            for series in record["series"]:
                key = series["id"]
                history = train.loc[train["series"] == key, "value"].to_numpy(float)
                actual = test.loc[test["series"] == key, "value"].to_numpy(float)
                point = np.asarray(series["forecast"]["point"], float)
                season = SEASONS.get(key, 12)
                naive = np.resize(history[-season:], len(actual))
                low, high = (np.asarray(series["forecast"]["quantiles"][q], float) for q in ("0.1", "0.9"))
                rows.append({"series": key, "model": series["model"], "mase": mase(actual, point, history, season),
                             "seasonal naive": mase(actual, naive, history, season),
                             "inside": coverage(actual, low, high) * len(actual), "points": len(actual)})
    seconds = time.perf_counter() - started
    table = pd.DataFrame(rows)
    print(table[["series", "model", "mase", "seasonal naive"]].to_string(index=False, float_format="%.3f"))
    print()
    held_out = table["inside"].sum() / table["points"].sum()
    backtest = (sum(c * n for c, n in backtest_coverage.values()) / sum(n for _, n in backtest_coverage.values()))
    print(f"seasonal naive (here): {geometric_mean(table['seasonal naive']):.3f}")
    print(f"0.1-0.9 interval coverage: held-out {held_out:.1%}, backtests of the chosen models {backtest:.1%}")
    print(f"time: {seconds:.0f} s for the two runs, {threads} threads\n")
    return geometric_mean(table["mase"]), held_out, seconds


if __name__ == "__main__":
    main()
