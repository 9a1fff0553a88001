"""A leaderboard of saved runs: model, key settings, validation (and test) metrics, training time and size, best
first. As rows of plain values (`--json`), a rich table for the terminal, or a self-contained HTML page.

    rows = compare_runs(["runs/sst2", "runs/sst2-plain"])
    rows[0]["run"], rows[0]["valid_accuracy"], rows[0]["parameters"]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table
from safetensors import SafetensorError, safe_open

from ..errors import ArtifactError
from ..version import __version__
from .report import Run, model_summary, read_run

# multilabel: micro F1, as subset accuracy (every label of a row right) is near 0 for many labels
MAIN_METRIC = {"binary": "valid_accuracy", "multiclass": "valid_accuracy", "multilabel": "valid_f1",
               "regression": "valid_r2"}
LOWER_IS_BETTER = ("valid_loss", "valid_mse", "valid_mae", "valid_hamming_loss", "test_loss", "fit_s",
                   "parameters", "size_mb")
VALID_METRICS = ("accuracy", "f1", "roc_auc", "hamming_loss", "loss", "mse", "mae", "r2")
# (row key, column title, format) of the leaderboard; a column none of the runs has is left out.
COLUMNS = [
    ("rank", "#", "{}"), ("run", "run", "{}"), ("tune_state", "trial", "{}"), ("model", "model", "{}"),
    ("task", "task", "{}"),
    ("epochs_run", "epochs", "{}"), ("dropout", "dropout", "{:.3g}"), ("size", "emb / hidden", "{}"),
    ("learning_rate", "lr", "{:.3g}"), ("batch_size", "batch", "{}"),
    ("valid_accuracy", "val acc", "{:.4f}"), ("valid_f1", "val F1", "{:.4f}"), ("valid_roc_auc", "val AUC", "{:.4f}"),
    ("valid_hamming_loss", "val Hamming", "{:.4f}"),
    ("valid_loss", "val loss", "{:.4f}"), ("valid_mse", "val MSE", "{:.4g}"), ("valid_mae", "val MAE", "{:.4g}"),
    ("valid_r2", "val R²", "{:.4f}"), ("test_accuracy", "test acc", "{:.4f}"), ("fit_s", "fit s", "{:.1f}"),
    ("parameters", "params", "{:,}"), ("size_mb", "MB", "{:.2f}"),
]


def compare_runs(run_dirs: Sequence[str | Path], sort_by: str | None = None) -> list[dict[str, Any]]:
    """One row per run, best first: by `sort_by` (a row key) or else each task's main validation metric
    (accuracy; micro F1 for multilabel; R² for regression), classification runs before regression ones.
    Raises ArtifactError for a path that is not a run directory."""
    rows = [_row(read_run(path)) for path in run_dirs]
    if sort_by is not None and rows and not any(sort_by in row for row in rows):
        raise ArtifactError(f"Cannot sort by '{sort_by}': not a leaderboard column. Use one of: "
                            f"{', '.join(k for k, _, _ in COLUMNS if k not in ('rank', 'run'))}.")
    rows.sort(key=lambda row: _sort_key(row, sort_by))
    for rank, row in enumerate(rows, 1):
        row["rank"], row["ranked_by"] = rank, sort_by or row["main_metric"]
    return rows


def _row(run: Run) -> dict[str, Any]:
    config_model = run.config.get("model") or {}
    train = run.config.get("train") or {}
    training = run.metrics.get("training") or {}
    architecture = config_model.get("name") or run.model.get("name")
    weights = run.path / "weights.safetensors"
    if not weights.is_file():  # a fine-tuned pretrained model keeps its weights in its Hugging Face folder
        weights = run.path / "hf" / "model.safetensors"
    parameters, size_mb = weights_size(weights)
    row: dict[str, Any] = {
        "rank": None, "run": run.name, "path": str(run.path), "model": _model_name(run), "task": run.task,
        "epochs_run": training.get("epochs_run", len(run.history) or None),
        "dropout": config_model.get("mlp_dropout" if architecture == "mlp" else "dropout"),
        "embedding_dim": None if architecture == "mlp" else config_model.get("embedding_dim"),
        "hidden_size": None if architecture == "mlp" else config_model.get("hidden_size"),
        "mlp_hidden_sizes": config_model.get("mlp_hidden_sizes") if architecture in ("mlp", "lstm+mlp") else None,
        "learning_rate": train.get("learning_rate"), "batch_size": train.get("batch_size"),
    }
    row["size"] = _size(row)
    valid, test = run.metrics.get("valid") or {}, run.metrics.get("test") or {}
    for key in VALID_METRICS:
        row[f"valid_{key}"] = _number(valid.get(key))
    row["test_accuracy"] = _number(test.get("accuracy"))
    row["test_loss"] = _number(test.get("loss"))
    row.update(fit_s=training.get("fit_s"), parameters=parameters, size_mb=size_mb)
    row["main_metric"] = MAIN_METRIC.get(run.task or "", "valid_accuracy")
    row["tune_state"] = _tune_state(run.metrics.get("tune"))
    return row


def _tune_state(tune) -> str | None:
    """A `trainwright tune` trial's outcome: complete, pruned at epoch N, failed, or the study's best."""
    if not isinstance(tune, dict) or not tune.get("state"):
        return None
    if tune.get("pruned_at_epoch"):
        return f"{tune['state']} at epoch {tune['pruned_at_epoch']}"
    return str(tune["state"])


def weights_size(path: Path) -> tuple[int | None, float | None]:
    """(parameter count, file size in MB) of a safetensors file, reading only the tensors' shapes."""
    if not path.is_file():
        return None, None
    try:
        with safe_open(str(path), framework="numpy") as f:
            count = sum(math.prod(f.get_slice(key).get_shape()) for key in f.keys())  # noqa: SIM118
    except (SafetensorError, OSError):  # a damaged file: its size still means something
        count = None
    return count, round(path.stat().st_size / 1e6, 3)


def _model_name(run: Run) -> str:
    """'lstm', 'lstm+mlp', 'ensemble of 5 mlp'."""
    summary = model_summary(run)
    return summary.split(" (")[0]


def _size(row: dict) -> str:
    parts = []
    if row["embedding_dim"] is not None:
        parts.append(f"{row['embedding_dim']} / {row['hidden_size']}")
    if row["mlp_hidden_sizes"]:
        parts.append("MLP " + "-".join(map(str, row["mlp_hidden_sizes"])))
    return ", ".join(parts)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _sort_key(row: dict, sort_by: str | None):
    key = sort_by or row["main_metric"]
    value = row.get(key)
    if not isinstance(value, (int, float)):
        return (1, 0, 0.0, row["run"])
    sign = 1 if key in LOWER_IS_BETTER else -1
    group = 0 if sort_by or row["task"] != "regression" else 1
    return (0, group, sign * value, row["run"])


def leaderboard_table(rows: list[dict[str, Any]]) -> Table:
    """The leaderboard for a terminal; the best value of each metric column in bold."""
    columns = _columns(rows)
    table = Table(title="Runs, best first", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for key, title, _ in columns:
        table.add_column(title, justify="left" if key in ("run", "tune_state", "model", "task", "size") else "right",
                         no_wrap=key != "run", overflow="fold")
    best = _best(rows, columns)
    for row in rows:
        table.add_row(*[(f"[bold green]{_cell(row, key, fmt)}[/]" if best.get(key) == row["run"] and len(rows) > 1
                         else _cell(row, key, fmt).replace("[", r"\[")) for key, _, fmt in columns])
    return table


def _columns(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [c for c in COLUMNS if c[0] in ("rank", "run") or any(row.get(c[0]) not in (None, "") for row in rows)]


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    return "–" if value is None or value == "" else fmt.format(value)


def _best(rows: list[dict], columns) -> dict[str, str]:
    """Metric column -> the run with its best value (lowest loss/MSE/MAE, highest of the others)."""
    best = {}
    for key, _, _ in columns:
        if not key.startswith(("valid_", "test_")):
            continue
        scored = [(row[key] if key in LOWER_IS_BETTER else -row[key], row["run"]) for row in rows
                  if isinstance(row.get(key), float)]
        if scored:
            best[key] = min(scored)[1]
    return best


def render_leaderboard(rows: list[dict[str, Any]]) -> str:
    """The leaderboard as one self-contained HTML page, in the run report's style."""
    from .report_html import CSS

    columns = _columns(rows)
    best = _best(rows, columns)
    numeric = {key for key, _, fmt in columns if fmt != "{}" or key in ("rank", "epochs_run", "batch_size")}
    head = "".join(f"<th{' class=num' if key in numeric else ''}>{escape(title)}</th>" for key, title, _ in columns)
    body = []
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            text = escape(_cell(row, key, fmt))
            if key == "run":
                text = f"<span class=mono title='{escape(row['path'])}'>{text}</span>"
            classes = " ".join(c for c in ("num" if key in numeric else "",
                                           "best" if best.get(key) == row["run"] and len(rows) > 1 else "") if c)
            cells.append(f"<td class='{classes}'>{text}</td>" if classes else f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    css = CSS + ("td.best { color:var(--green); font-weight:700; } .board { overflow-x:auto; } "
                 ".board table { font-size:13px; white-space:nowrap; } .board th, .board td { padding:7px 9px; } "
                 "main { max-width:1400px; }")
    paths = "".join(f"<li><span class=mono>{escape(row['path'])}</span></li>" for row in rows)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Leaderboard: {len(rows)} runs</title><style>{css}</style></head><body><main>"
            f"<div class=eyebrow>trainwright compare · leaderboard</div><h1>{len(rows)} runs, best first</h1>"
            f"<p class=meta>Ranked by {escape(_ranking(rows))}; the best value of each metric is in green.</p>"
            f"<div class=board><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            f"<h2>Runs</h2><ul>{paths}</ul><footer>Parameters are counted from weights.safetensors; MB is its "
            f"size on disk. Made by <code>trainwright compare</code> {escape(__version__)}.</footer>"
            f"</main></body></html>\n")


def _ranking(rows: list[dict]) -> str:
    keys = dict.fromkeys(row.get("ranked_by", row["main_metric"]) for row in rows)
    names = {"valid_accuracy": "validation accuracy", "valid_f1": "validation F1",
             "valid_r2": "validation R² (regression runs after the others)"}
    return " then ".join(names.get(k, k) for k in keys) or "validation accuracy"


def write_leaderboard(rows: list[dict[str, Any]], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_leaderboard(rows), encoding="utf-8")
    return path
