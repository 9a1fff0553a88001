"""The record of a tuning study's trials: one row per trial, every worker's, written to OUT/trials.csv and
OUT/trials.json; and the run directory of a trial that failed, so `trainwright compare OUT/trials/*` lists it.

Complete and pruned trials are saved as ordinary runs (a pruned one with the weights of its best epoch before it
was stopped); their metrics.json has a "tune" section with the study, trial number, settings and state.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import RunConfig
from ..destination import write_atomically
from ..errors import ConfigError

STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running", "WAITING": "waiting"}


def trial_rows(study, metric: str) -> list[dict[str, Any]]:
    """Every trial of `study` (all workers'), in trial order, as plain values."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        value = trial.value if trial.value is not None else _last(trial.intermediate_values)
        rows.append({
            "trial": trial.number, "state": STATES.get(trial.state.name, trial.state.name.lower()),
            "metric": metric, "value": value, "valid_accuracy": attrs.get("valid_accuracy"),
            "epochs": attrs.get("epochs"), "pruned_at_epoch": attrs.get("pruned_at_epoch"),
            "seconds": round(trial.duration.total_seconds(), 1) if trial.duration else None,
            "settings": attrs.get("settings", dict(trial.params)), "run": attrs.get("run"),
            "worker": attrs.get("worker"), "error": attrs.get("error"),
        })
    return rows


def write_trials(rows: list[dict], out: Path) -> None:
    """OUT/trials.json (rows as they are) and OUT/trials.csv (one column per setting); each replaced whole, so
    workers finishing at once never leave a half-written file."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomically(out / "trials.json", json.dumps({"trials": rows}, indent=2, ensure_ascii=False) + "\n")
    flat = [{**{k: v for k, v in row.items() if k != "settings"}, **row["settings"]} for row in rows]
    write_atomically(out / "trials.csv", pd.DataFrame(flat).to_csv(index=False))


def save_failed_run(path: Path, config: RunConfig, tune: dict) -> None:
    """A run directory for a failed trial: its config and, in metrics.json, the error. No model: `trainwright
    compare` shows it with no metrics, `trainwright.load` says it is incomplete."""
    if path.exists():
        if not (path / "metadata.json").is_file():
            raise ConfigError(f"{path} exists and is not a trainwright run; choose another --out.")
        shutil.rmtree(path)  # a run of an earlier study saved to the same --out
    path.mkdir(parents=True)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    files = {"config.json": config.model_dump(), "metrics.json": {"tune": tune}, "history.json": [],
             "metadata.json": {"created": created, "tune": "failed trial: no model was saved"}}
    for name, content in files.items():
        (path / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _last(values: dict) -> float | None:
    return values[max(values)] if values else None
