"""The run report's content: one self-contained HTML page (inline CSS, figures embedded as data: URIs, no
scripts) built from the files of a saved run, plus the figures as PNG files beside it. This module reads the run
and computes what the page shows; report_html.py formats the page and writes it (write_report):

    page = write_report("runs/sst2")     # runs/sst2/report/report.html and runs/sst2/report/*.png

It reads only JSON files and never loads the model, so it works on any run, old ones included: a missing or
unreadable optional file (history, metrics, validation predictions) drops the sections that need it, with a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArtifactError
from . import plots
from .diagnosis import Diagnosis, diagnose

REPORT_DIR = "report"
FIGURES = {  # file name -> title
    "learning_curves.png": "Learning curves", "confusion_matrix.png": "Confusion matrix",
    "roc_curve.png": "ROC curve", "precision_recall.png": "Precision-recall curve",
    "calibration.png": "Calibration", "per_class.png": "Per-class metrics",
    "predicted_vs_true.png": "Predicted against true",
}
WRONG_SHOWN = 10


@dataclass
class Run:
    """The JSON files of a run directory; `problems` says which optional ones were missing or unreadable."""

    path: Path
    config: dict = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    validation: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    target: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def task(self) -> str | None:
        task = self.validation.get("task") or self.target.get("task") or (self.config.get("data") or {}).get("task")
        if task in ("binary", "multiclass", "multilabel", "regression"):
            return task
        valid = self.metrics.get("valid") or {}
        if "r2" in valid or "mse" in valid:
            return "regression"
        if "hamming_loss" in valid:
            return "multilabel"
        labels = (valid.get("confusion_matrix") or {}).get("labels")
        return None if labels is None else "binary" if len(labels) == 2 else "multiclass"

    @property
    def classes(self) -> list | None:
        return (self.validation.get("classes") or self.target.get("classes")
                or ((self.metrics.get("valid") or {}).get("confusion_matrix") or {}).get("labels"))


def read_run(run_dir: str | Path) -> Run:
    """The files of a run directory. Raises ArtifactError when `run_dir` is not one."""
    path = Path(run_dir)
    if not path.is_dir():
        raise ArtifactError(f"{path}: no such run directory. Pass the --out directory of a `trainwright train` run.")
    if not any((path / name).is_file() for name in ("metadata.json", "model.json")):
        raise ArtifactError(f"{path} is not a trainwright run directory: it has no metadata.json or model.json. "
                            "Pass the --out directory of a `trainwright train` run.")
    run = Run(path.resolve())
    for name, default in (("config", {}), ("model", {}), ("metrics", {}), ("history", []), ("validation", {}),
                          ("metadata", {}), ("target", {})):
        file = path / f"{name}.json"
        if not file.is_file():
            run.problems.append(f"{name}.json is missing")
            continue
        try:
            value = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            run.problems.append(f"{name}.json cannot be read ({e})")
            continue
        if isinstance(value, type(default)):
            setattr(run, name, value)
        else:
            run.problems.append(f"{name}.json does not hold a {type(default).__name__}")
    return run


def diagnose_run(run_dir: str | Path) -> Diagnosis:
    """`diagnose` on a saved run's history, metrics and config."""
    run = read_run(run_dir)
    return diagnose(run.history, run.metrics, run.config)


@dataclass
class ReportContent:
    """Everything the page shows, computed once: the page template only formats it."""

    run: Run
    diagnosis: Diagnosis
    figures: dict[str, Path]  # file name (a key of FIGURES) -> PNG path
    per_class: list[dict]  # {"label", "precision", "recall", "f1", "support"} per class (multilabel: label)
    wrong: list[dict]  # the most confidently wrong (or, regression, most wrong) validation rows

    @property
    def has_predictions(self) -> bool:
        return bool(self.run.validation.get("outputs"))


def draw_figures(run: Run, diagnosis: Diagnosis, folder: Path) -> dict[str, Path]:
    figures: dict[str, Path] = {}
    rows = [r for r in run.history if isinstance(r, dict) and {"epoch", "train_loss", "val_loss"} <= r.keys()]
    if rows:
        members = diagnosis.facts.get("members") or []
        best = [m["best_epoch"] for m in members] if members and all("best_epoch" in m for m in members) else None
        figures["learning_curves.png"] = plots.learning_curves(rows, folder / "learning_curves.png", best)
    confusion = confusion_of(run)
    if confusion is not None:
        figures["confusion_matrix.png"] = plots.confusion_matrix(*confusion, folder / "confusion_matrix.png",
                                                                  title="Confusion matrix (validation)")
    truth, outputs = _predictions(run)
    if truth is None:
        return figures
    if run.task == "regression":
        figures["predicted_vs_true.png"] = plots.predicted_vs_true(truth, outputs, folder / "predicted_vs_true.png")
        return figures
    if run.task == "binary" and len(np.unique(truth)) == 2:
        figures["roc_curve.png"] = plots.roc_curve(truth, outputs[:, 1], folder / "roc_curve.png")
        figures["precision_recall.png"] = plots.precision_recall_curve(truth, outputs[:, 1],
                                                                       folder / "precision_recall.png")
    if run.task == "multilabel":  # every (row, label) pair is one yes/no prediction
        positive = outputs.ravel()
        figures["calibration.png"] = plots.calibration_curve(
            truth.ravel(), np.column_stack([1 - positive, positive]), folder / "calibration.png",
            xlabel="predicted probability of a label", ylabel="observed share present")
    else:
        figures["calibration.png"] = plots.calibration_curve(truth, outputs, folder / "calibration.png")
    if run.task in ("multiclass", "multilabel"):
        table = per_class(run)
        figures["per_class.png"] = plots.per_class_bars(
            [r["label"] for r in table], [r["precision"] for r in table], [r["recall"] for r in table],
            [r["f1"] for r in table], folder / "per_class.png",
            unit="label" if run.task == "multilabel" else "class")
    return figures


def _predictions(run: Run) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Validation truth and outputs when validation.json has them in a usable shape."""
    v = run.validation
    try:
        truth, outputs = np.asarray(v["truth"]), np.asarray(v["outputs"], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None, None
    if len(truth) == 0 or len(truth) != len(outputs):
        return None, None
    if run.task == "regression":
        return (truth.astype(float), outputs) if outputs.ndim == 1 else (None, None)
    if run.task == "multilabel":  # truth: 0/1 per label, as outputs' per-label probabilities
        return (truth.astype(int), outputs) if outputs.ndim == 2 and truth.shape == outputs.shape else (None, None)
    if outputs.ndim != 2 or outputs.shape[1] < 2:
        return None, None
    return truth.astype(int), outputs


def confusion_of(run: Run) -> tuple[list, list[list[int]]] | None:
    """(labels, matrix) of the validation predictions: saved in metrics.json, else counted from validation.json.
    None for multilabel runs, whose rows have no single true and predicted class."""
    if run.task == "multilabel":
        return None
    saved = (run.metrics.get("valid") or {}).get("confusion_matrix") or {}
    if saved.get("labels") and saved.get("matrix"):
        return saved["labels"], saved["matrix"]
    truth, outputs = _predictions(run)
    if truth is None or run.task == "regression" or not run.classes:
        return None
    k = outputs.shape[1]
    matrix = np.zeros((k, k), dtype=int)
    np.add.at(matrix, (truth, outputs.argmax(axis=1)), 1)
    return list(run.classes), matrix.tolist()


def per_class(run: Run) -> list[dict]:
    """Precision, recall, F1 and support of each class, from the validation confusion matrix; multilabel: of
    each label, as metrics.json saved them (or counted from validation.json)."""
    if run.task == "multilabel":
        return _per_label(run)
    confusion = confusion_of(run)
    if confusion is None:
        return []
    labels, matrix = confusion
    m = np.asarray(matrix, dtype=float)
    return _score_rows(labels, np.diag(m), m.sum(axis=0), m.sum(axis=1))


def _score_rows(labels, hits, predicted, actual) -> list[dict]:
    """Per label: precision, recall and F1 from its counts of hits, predictions and true occurrences."""
    rows = []
    for i, label in enumerate(labels):
        precision = hits[i] / predicted[i] if predicted[i] else 0.0
        recall = hits[i] / actual[i] if actual[i] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"label": label, "precision": float(precision), "recall": float(recall), "f1": float(f1),
                     "support": int(actual[i])})
    return rows


def _per_label(run: Run) -> list[dict]:
    saved = (run.metrics.get("valid") or {}).get("per_label")
    if isinstance(saved, list) and all(isinstance(r, dict) and {"label", "f1"} <= r.keys() for r in saved):
        return saved
    truth, outputs = _predictions(run)
    if truth is None:
        return []
    predicted = outputs > 0.5
    return _score_rows(run.classes or range(truth.shape[1]), (predicted & (truth == 1)).sum(axis=0),
                       predicted.sum(axis=0), truth.sum(axis=0))


def wrong_examples(run: Run, limit: int = WRONG_SHOWN) -> list[dict]:
    """Classification: the misclassified validation rows the model was surest of (multilabel: rows with a
    label set wrong, by the surest wrong label decision). Regression: the rows with the largest absolute error.
    Ties go to the earlier row."""
    truth, outputs = _predictions(run)
    if truth is None:
        return []
    v = run.validation
    rows = v.get("rows") or list(range(1, len(truth) + 1))
    inputs = v.get("inputs") or [""] * len(truth)
    if run.task == "regression":
        error = np.abs(outputs - truth)
        order = sorted(range(len(truth)), key=lambda i: (-error[i], i))[:limit]
        return [{"row": rows[i], "input": inputs[i], "true": float(truth[i]), "predicted": float(outputs[i]),
                 "error": float(error[i])} for i in order]
    classes = run.classes or list(range(outputs.shape[1]))
    if run.task == "multilabel":
        error = np.abs(outputs - truth)  # a wrong decision's confidence: how far past 0.5 it went
        wrong = [i for i in range(len(truth)) if error[i].max() > 0.5]
        order = sorted(wrong, key=lambda i: (-error[i].max(), i))[:limit]
        return [{"row": rows[i], "input": inputs[i], "true": _label_set(classes, truth[i] == 1),
                 "predicted": _label_set(classes, outputs[i] > 0.5), "confidence": float(error[i].max())}
                for i in order]
    predicted, confidence = outputs.argmax(axis=1), outputs.max(axis=1)
    wrong = [i for i in range(len(truth)) if predicted[i] != truth[i]]
    order = sorted(wrong, key=lambda i: (-confidence[i], i))[:limit]
    return [{"row": rows[i], "input": inputs[i], "true": classes[truth[i]], "predicted": classes[predicted[i]],
             "confidence": float(confidence[i])} for i in order]


def _label_set(classes: list, chosen: np.ndarray) -> str:
    """'politics, sports' for a multilabel row's labels, '(none)' for none."""
    return ", ".join(str(c) for c, on in zip(classes, chosen) if on) or "(none)"


def model_summary(run: Run) -> str:
    """'lstm (embedding 64, hidden 64)', 'ensemble of 5 mlp (hidden 64-32)', 'blend of linear 40%, cnn 60%'."""
    name, config = run.model.get("name") or (run.config.get("model") or {}).get("name", "unknown"), \
        run.model.get("config") or {}
    if name == "ensemble":
        members = config.get("members") or []
        if len({member.get("name") for member in members}) > 1:
            weights = config.get("weights") or [1 / len(members)] * len(members)
            return "blend of " + ", ".join(f"{m.get('name')} {w:.0%}" for m, w in zip(members, weights))
        inner = members[0] if members else {}
        return f"ensemble of {len(members)} {_sizes(inner.get('name', '?'), inner.get('config') or {})}"
    return _sizes(name, config)


def _sizes(name: str, config: dict[str, Any]) -> str:
    parts = []
    if "embedding_dim" in config:
        parts.append(f"embedding {config['embedding_dim']}")
    if "hidden_size" in config:
        layers = config.get("num_layers", 1)
        parts.append(f"hidden {config['hidden_size']}" + (f" x {layers} layers" if layers > 1 else "")
                     + (" bidirectional" if config.get("bidirectional") else ""))
    if config.get("hidden_sizes"):
        parts.append("MLP " + "-".join(str(s) for s in config["hidden_sizes"]))
    return f"{name} ({', '.join(parts)})" if parts else name
