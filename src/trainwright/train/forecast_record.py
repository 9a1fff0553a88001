"""A forecast run's folder, plain files only (nothing pickled):

    config.json          the resolved run configuration (data.task "forecast")
    forecast.json        the run's record, format "trainwright-forecast/1": the columns, the leaderboard, and per
                         series its frequency, the model chosen, every candidate's backtest scores, the history,
                         the chosen model's backtests (of the BACKTESTS_KEPT worst series, those a report can
                         draw; [] for the others) and the forecast; the findings of reading the file
    metrics.json         the leaderboard and the model chosen per series
    forecasts.csv        id, date, point and one column per quantile: the next horizon of every series
    model.json, weights.safetensors   the N-BEATS model, when it is chosen for any series; lstm.json and
                         lstm.safetensors, lightgbm.json and lightgbm-q*.txt likewise (train/forecast_learned.py)
    .trainwright.json    the marker: a trainwright forecast folder (destination.py)

It is written to a temporary folder beside the destination and moved into place, so a crash never leaves a
half-written run where a good one was; only the files the marker names are replaced.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import RunConfig, saved_config
from ..destination import mark, not_writable, owned_entries, replace_folder
from ..errors import ArtifactError
from ..forecast.metrics import geometric_mean
from .forecast_learned import save_learned

if TYPE_CHECKING:
    from ..forecast.series import Panel

FORMAT = "trainwright-forecast/1"
METRICS = ("mase", "smape", "mae", "rmse", "wql", "coverage")
# The report draws the worst series and lists the rest by their scores: backtest forecasts are kept for this many
# worst series by the chosen model's MASE (every series of a smaller panel), so a large panel's record stays small.
BACKTESTS_KEPT = 100


@dataclass
class ForecastRun:
    file: str  # the data file's name, as the record names it
    config: RunConfig
    panel: Panel
    runs: dict  # series id -> forecasting.SeriesRun
    learned: dict = field(default_factory=dict)  # name -> each learned model chosen anywhere (forecast_learned.py)
    seconds: float = 0.0
    path: Path | None = None
    record: dict = field(default_factory=dict)
    main_process: bool = True  # False in the other processes of a torchrun/srun launch: rank 0 saved the run


def forecast_record(result: ForecastRun) -> dict:
    """forecast.json's content: plain values, dates as ISO strings, NaN written as null."""
    fc, columns = result.config.forecast, result.panel.columns
    shown = _worst(result.runs.values(), BACKTESTS_KEPT)
    return _plain({
        "format": FORMAT,
        "file": result.file,
        "horizon": fc.horizon, "quantiles": list(fc.quantiles), "backtest_windows": fc.backtest,
        "columns": {"id": columns.id, "time": columns.time, "target": columns.target,
                    "covariates": list(columns.covariates)},
        "leaderboard": leaderboard(result.runs.values(), fc.models),
        "series": [_series_record(run, fc, run.series.id in shown) for run in result.runs.values()],
        "findings": [{"series": f.series, "kind": f.kind, "message": f.message, "rows": list(f.rows)}
                     for f in _findings(result)],
    })


def leaderboard(runs, models) -> list[dict]:
    """Every candidate over all series' backtests, best first: MASE as the geometric mean of the series' mean
    MASEs (one series' huge ratio cannot dominate it), the other metrics as plain means. "chosen" is each series'
    own choice, scored on the same backtests it was chosen on (so a little optimistic)."""
    runs = list(runs)
    rows = []
    for model in ["chosen", *models]:
        scores = [run.mean_scores(run.model if model == "chosen" else model) for run in runs
                  if (run.model if model == "chosen" else model) in run.candidates()]
        if not scores:
            continue
        row = {"model": model, "mase": geometric_mean(s["mase"] for s in scores)}
        for metric in METRICS[1:]:
            values = [s[metric] for s in scores if metric in s and np.isfinite(s[metric])]
            row[metric] = float(np.mean(values)) if values else None
        rows.append(row)
    return sorted(rows, key=lambda r: (not _finite(r["mase"]), r["mase"] if _finite(r["mase"]) else 0.0))


def _worst(runs, count: int) -> set[str]:
    """The ids of the `count` series whose chosen model has the highest mean backtest MASE (none last)."""
    def mase(run) -> float:
        value = run.mean_scores(run.model)["mase"] if run.model in run.candidates() else math.nan
        return value if math.isfinite(value) else -math.inf

    return {run.series.id for run in sorted(runs, key=mase, reverse=True)[:count]}


def _series_record(run, fc, backtests: bool = True) -> dict:
    series, index = run.series, run.series.values.index
    y = series.to_numpy()
    return {
        "id": series.id, "frequency": series.frequency.alias, "frequency_name": series.frequency.name,
        "season_length": run.season_length, "model": run.model,
        "model_form": repr(run.fitted) if run.fitted is not None else None,
        "scores": {m: {k: run.mean_scores(m).get(k) for k in METRICS} for m in run.candidates()},
        "history": {"dates": iso_dates(index), "values": y.tolist()},
        "backtests": [{"dates": iso_dates(index[w.train_end:w.test_end]),
                       "actual": y[w.train_end:w.test_end].tolist(), **_forecast_values(f)}
                      for w, f in zip(run.windows, run.forecasts[run.model] if run.model in run.candidates() else [])
                      if backtests],
        "forecast": {"dates": iso_dates(future_dates(series, fc.horizon)), **_forecast_values(run.forecast)},
    }


def future_dates(series, horizon: int) -> pd.DatetimeIndex:
    """The `horizon` periods after the series' last one, on its frequency."""
    return pd.date_range(series.values.index[-1], periods=horizon + 1, freq=series.frequency.alias)[1:]


def _forecast_values(forecast) -> dict:
    return {"point": forecast.point.tolist(),
            "quantiles": {str(float(q)): values.tolist() for q, values in sorted(forecast.quantiles.items())}}


def iso_dates(index: pd.DatetimeIndex) -> list[str]:
    """ISO dates, or full timestamps when a time of day is in them (hourly data and finer)."""
    if (index == index.normalize()).all():
        return [d.strftime("%Y-%m-%d") for d in index]
    return [d.isoformat() for d in index]


def _findings(result: ForecastRun) -> list:
    """Those of reading the file, then those of the run (a series forecast by the fallback)."""
    found = list(result.panel.findings)
    for run in result.runs.values():
        found += [f for f in run.series.findings if f not in found and f.kind == "fallback"]
    return found


def forecasts_frame(record: dict) -> pd.DataFrame:
    """forecasts.csv: id, date, point and one column per quantile, every series' forecast."""
    frames = []
    for series in record["series"]:
        forecast = series["forecast"]
        frames.append(pd.DataFrame({"id": series["id"], "date": forecast["dates"], "point": forecast["point"],
                                    **forecast["quantiles"]}))
    return pd.concat(frames, ignore_index=True)


def save_forecast_run(result: ForecastRun, directory: str | Path) -> Path:
    """Write the run folder (see the module's docstring) through a staging folder; returns its path."""
    directory = Path(directory).resolve()
    owned = owned_entries(directory, "forecast")
    result.record = forecast_record(result)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    except OSError as e:
        raise not_writable(directory, e) from None
    staging.chmod(0o755)  # mkdtemp makes it private; a run folder is an ordinary folder
    try:
        _write_json(staging / "config.json", result.config.model_dump(mode="json"))
        # a large panel's record is read by programs, not people: one number a line would double its size
        _write_json(staging / "forecast.json", result.record, indent=1 if len(result.runs) <= BACKTESTS_KEPT else None)
        _write_json(staging / "metrics.json", {"task": "forecast", "leaderboard": result.record["leaderboard"],
                                               "models": {s["id"]: s["model"] for s in result.record["series"]},
                                               "fit_s": round(result.seconds, 3)})
        forecasts_frame(result.record).to_csv(staging / "forecasts.csv", index=False)
        for learned in result.learned.values():
            save_learned(learned, staging)
        mark(staging, "forecast", tuple(p.name for p in staging.iterdir()))
        replace_folder(staging, directory, owned)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def is_forecast_run(directory: str | Path) -> bool:
    """Whether `directory` holds a forecast run (its config.json's data.task), rather than a model."""
    try:
        raw = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(raw, dict) and (raw.get("data") or {}).get("task") == "forecast"


def load_forecast_run(directory: str | Path) -> tuple[RunConfig, dict]:
    """A saved run's configuration and record (forecast.json)."""
    directory = Path(directory)
    try:
        raw = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        record = json.loads((directory / "forecast.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ArtifactError(f"{directory} is not a complete forecast run ({e}): train it again with "
                            "`trainwright train FILE --task forecast --horizon H --out RUN`.") from None
    if record.get("format") != FORMAT:
        raise ArtifactError(f"{directory}/forecast.json has format {record.get('format')!r}; this trainwright "
                            f"reads {FORMAT}. Train the run again with this version.")
    return saved_config(raw, str(directory / "config.json")), record


def _write_json(path: Path, content, indent: int | None = 1) -> None:
    separators = None if indent else (",", ":")
    path.write_text(json.dumps(content, indent=indent, separators=separators, allow_nan=False) + "\n",
                    encoding="utf-8")


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def _plain(value):
    """JSON values: NumPy numbers as Python ones, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
