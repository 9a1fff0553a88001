"""statsforecast's AutoETS, AutoARIMA, AutoTheta and their mean on the classic panel's held-out part, as JSON.

Runs inside its own venv, not the project's: statsforecast pins pandas < 3, so it cannot live beside trainwright,
and this script imports nothing of trainwright. `forecast_panel.py` runs it as a child and prints its figures
beside trainwright's. The split is forecast_panel.py's: the last 12 observations of each monthly series (8 of
quarterly UKgas) are held out and forecast from the rest, with season length 12 (4 for UKgas). MASE is M4's,
copied from trainwright.forecast.metrics: the forecast's MAE over the in-sample seasonal-naive MAE.

Printed: one JSON object, {"versions", "seconds", "series": {id: {model: {"mase", "coverage"}}}, "summary":
{model: {"mase" (geometric mean), "coverage" (share of all held-out values inside the 80% interval)}}}. The mean
has no interval of its own, so its coverage is null.

Set-up, from the project root:
    python3 -m venv .sf-venv && .sf-venv/bin/pip install statsforecast
    .sf-venv/bin/python benchmarks/statsforecast_panel.py [--data PATH] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "timeseries" / "classic_panel.csv"
HORIZONS = {"UKgas": 8}  # quarterly; every other series is monthly: 12 (as forecast_panel.py)
SEASONS = {"UKgas": 4}
MODELS = ("AutoETS", "AutoARIMA", "AutoTheta")
MEAN = "mean"


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int) -> float:
    """M4's MASE, as trainwright.forecast.metrics.mase: a history under two seasons is scaled at lag 1."""
    lag = season if season > 1 and history.size >= 2 * season else 1
    scale = np.mean(np.abs(history[lag:] - history[:-lag]))
    return float(np.mean(np.abs(actual - forecast)) / scale) if scale > 0 else float("nan")


def geometric_mean(values) -> float:
    """Geometric mean of the finite values, as trainwright.forecast.metrics.geometric_mean."""
    values = np.asarray(list(values), dtype=float)
    values = values[np.isfinite(values)]
    return float(np.exp(np.mean(np.log(values)))) if values.size else float("nan")


def split(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training part and the held-out last H observations of each series."""
    horizon = panel["series"].map(lambda key: HORIZONS.get(key, 12))
    held_out = panel.groupby("series").cumcount(ascending=False) < horizon
    return panel[~held_out], panel[held_out]


def forecast_one(history: np.ndarray, horizon: int, season: int) -> dict[str, dict[str, np.ndarray]]:
    """Each model's point forecast and 80% interval for one series, plus the mean of the three points."""
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    out = {}
    for model in (AutoETS(season_length=season), AutoARIMA(season_length=season), AutoTheta(season_length=season)):
        result = model.forecast(y=history, h=horizon, level=[80])
        out[type(model).__name__] = {"point": result["mean"], "low": result["lo-80"], "high": result["hi-80"]}
    out[MEAN] = {"point": np.mean([out[name]["point"] for name in MODELS], axis=0)}
    return out


def evaluate(panel: pd.DataFrame) -> dict:
    """Per series and per model: MASE and the 80% interval's held-out coverage; their summaries."""
    train, test = split(panel)
    series, inside, points = {}, {name: 0 for name in MODELS}, 0
    for key in panel["series"].unique():
        history = train.loc[train["series"] == key, "value"].to_numpy(float)
        actual = test.loc[test["series"] == key, "value"].to_numpy(float)
        season = SEASONS.get(key, 12)
        forecasts = forecast_one(history, len(actual), season)
        series[key] = {}
        for name, forecast in forecasts.items():
            row = {"mase": mase(actual, forecast["point"], history, season), "coverage": None}
            if "low" in forecast:
                hits = int(np.sum((actual >= forecast["low"]) & (actual <= forecast["high"])))
                inside[name] += hits
                row["coverage"] = hits / len(actual)
            series[key][name] = row
        points += len(actual)
    summary = {name: {"mase": geometric_mean(s[name]["mase"] for s in series.values()),
                      "coverage": inside[name] / points if name in inside else None}
               for name in (*MODELS, MEAN)}
    return {"series": series, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    # numba and BLAS read these at import, so they are set before statsforecast is first imported.
    for variable in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, str(args.threads))
    import statsforecast

    started = time.perf_counter()
    result = evaluate(pd.read_csv(args.data))
    result["seconds"] = time.perf_counter() - started
    result["versions"] = {"statsforecast": statsforecast.__version__, "pandas": pd.__version__,
                          "numpy": np.__version__}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
