"""Zero-config `trainwright train --task forecast` on the classic panel, scored on observations it never saw.

The last 12 observations of each monthly series (8 of quarterly UKgas) are cut off; trainwright trains on the rest
through the command line, with only `--task forecast --horizon H` (the monthly series in one run at horizon 12,
UKgas in one at horizon 8), chooses each series' model on backtests inside that training part, and its saved
forecasts are scored against the held-out values: MASE per series and its geometric mean, and the share of held-out
values inside the 0.1–0.9 interval. The backtest coverage of the chosen models comes from each run's leaderboard.
Printed beside them, in one table: seasonal naive computed here, and statsforecast's AutoETS, AutoARIMA, AutoTheta
and their mean measured in this run on the same split by statsforecast_panel.py, a child run by statsforecast's own
venv (it pins pandas < 3, so it cannot live in ours); the shared data's reference figures stand beside them. Without
that venv the reference figures alone are printed, marked as such, with how to create it.

`--models lightgbm lstm nbeats` runs each of those candidate sets instead (comma-separated within one, as
`--model` takes them), side by side: `--models lightgbm` is LightGBM alone on every series.

Run from the project root:
    python3 -m venv .sf-venv && .sf-venv/bin/pip install statsforecast     # once
    .venv/bin/python benchmarks/forecast_panel.py [--data PATH] [--threads 2] [--models SET ...]
                                                  [--statsforecast-python .sf-venv/bin/python]
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
STATSFORECAST_PYTHON = ROOT / ".sf-venv" / "bin" / "python"  # not resolved: a venv's python is a symlink
STATSFORECAST_SCRIPT = Path(__file__).resolve().with_name("statsforecast_panel.py")
STATSFORECAST_VENV = "python3 -m venv .sf-venv && .sf-venv/bin/pip install statsforecast"
STATSFORECAST_NAMES = {"AutoETS": "statsforecast AutoETS", "AutoARIMA": "statsforecast AutoARIMA",
                       "AutoTheta": "statsforecast AutoTheta", "mean": "their mean"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=[None], help="candidate sets, each as --model takes it "
                                                                     "[zero-config: the default candidates]")
    parser.add_argument("--statsforecast-python", type=Path, default=STATSFORECAST_PYTHON,
                        help=f"python of statsforecast's venv [{STATSFORECAST_PYTHON}]; create it from the project "
                             f"root with: {STATSFORECAST_VENV}")
    args = parser.parse_args()
    panel = pd.read_csv(args.data)
    # First, so that a broken statsforecast venv stops the benchmark before the long trainwright runs.
    others = statsforecast_results(args.statsforecast_python, args.data, args.threads)
    results = {models or "zero-config": evaluate(panel, models, args.threads) for models in args.models}
    others = {"seasonal naive": (seasonal_naive(panel), None, None), **others}
    print(f"{'system':38s} {'geometric-mean MASE':>20s} {'held-out coverage':>18s} {'time':>7s} {'reference':>10s}")
    for name, (geo, held_out, seconds) in results.items():
        print(f"{'trainwright ' + name:38s} {geo:20.3f} {held_out:18.1%} {seconds:6.0f}s")
    for name, (geo, held_out, seconds) in others.items():
        measured = (f"{name:38s} {geo:20.3f} {'—' if held_out is None else f'{held_out:.1%}':>18s} "
                    f"{'' if seconds is None else f'{seconds:.0f}s':>7s}")
        print(f"{measured} {REFERENCE[name]:10.3f}")
    for name in [name for name in REFERENCE if name not in others]:
        print(f"{name + ' (reference, not run)':38s} {REFERENCE[name]:20.3f}")


def statsforecast_results(python: Path, data: Path, threads: int) -> dict[str, tuple[float, float | None, float]]:
    """statsforecast's geometric-mean MASE, 80% held-out coverage and seconds per model, measured by
    statsforecast_panel.py in statsforecast's own venv; empty (the reference figures stand alone) without it."""
    if not Path(python).exists():
        print(f"statsforecast's venv python {python} is missing, so only its reference figures are printed. Create "
              f"it from the project root with:\n    {STATSFORECAST_VENV}\nor pass another with --statsforecast-python.",
              file=sys.stderr)
        return {}
    child = subprocess.run([str(python), str(STATSFORECAST_SCRIPT), "--data", str(data), "--threads", str(threads)],
                           capture_output=True, text=True)
    if child.returncode != 0:
        tail = "\n".join(child.stderr.strip().splitlines()[-5:])
        sys.exit(f"{STATSFORECAST_SCRIPT.name} failed in {python}:\n{tail}\nReinstall that venv with: "
                 f"{STATSFORECAST_VENV}")
    record = json.loads(child.stdout)
    table = pd.DataFrame({model: {key: row[model]["mase"] for key, row in record["series"].items()}
                          for model in STATSFORECAST_NAMES})
    print(f"statsforecast {record['versions']['statsforecast']} (pandas {record['versions']['pandas']}), MASE:")
    print(table.to_string(float_format="%.3f"))
    print()
    return {STATSFORECAST_NAMES[model]: (summary["mase"], summary["coverage"], record["seconds"])
            for model, summary in record["summary"].items()}


def seasonal_naive(panel: pd.DataFrame) -> float:
    """The held-out geometric-mean MASE of seasonal naive on this split (the shared data's reference: 1.032)."""
    scores = []
    for key, rows in panel.groupby("series", sort=False):
        values, horizon, season = rows["value"].to_numpy(float), HORIZONS.get(key, 12), SEASONS.get(key, 12)
        history, actual = values[:-horizon], values[-horizon:]
        scores.append(mase(actual, np.resize(history[-season:], horizon), history, season))
    return geometric_mean(scores)


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
