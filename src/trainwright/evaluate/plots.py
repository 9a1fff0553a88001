"""The run report's figures, one PNG each: learning curves, confusion matrix, ROC and precision-recall curves,
reliability diagram, per-class (or per-label) bars, predicted against true values.

matplotlib's object API on the Agg canvas (no pyplot, so no global figure state and no display needed), one
house style applied per figure with `rc_context`, 110 dpi. The same inputs give the same PNG bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter
from sklearn import metrics as skm

DPI = 110
INK, MUTED, GRID = "#1f2933", "#616e7c", "#e4e7eb"  # the HTML pages' --ink, --muted and --line
TRAIN, VALID, BEST, RISING = "#4c7bd9", "#e07a5f", "#2f855a", "#fde8e1"
MEMBERS = ["#4c7bd9", "#e07a5f", "#2f855a", "#9f7aea", "#d69e2e", "#319795", "#d53f8c", "#718096"]
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9.5, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.titlepad": 10, "axes.labelsize": 9.5, "axes.labelcolor": MUTED,
    "axes.edgecolor": "#cbd2d9", "axes.linewidth": 0.8, "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.color": GRID, "grid.linewidth": 0.8, "axes.axisbelow": True, "text.color": INK,
    "xtick.color": MUTED, "ytick.color": MUTED, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5, "legend.frameon": False, "lines.linewidth": 1.8, "lines.markersize": 4,
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
    "svg.hashsalt": "trainwright",
}


def learning_curves(history: list[dict], path: str | Path, best_epochs: Sequence[int] | None = None) -> Path:
    """Training and validation loss (and accuracy, when logged) per epoch. One model: the best epoch (lowest
    validation loss unless `best_epochs` says otherwise) is a labelled vertical line, and the epochs after it
    are shaded when validation loss rose 10% or more. An ensemble: one colour per model (validation solid, training
    dashed), its best epoch a larger dot."""
    groups: dict[int, list[dict]] = {}
    for row in history:
        groups.setdefault(int(row.get("model", 1)), []).append(row)
    members = [sorted(rows, key=lambda r: r["epoch"]) for _, rows in sorted(groups.items())]
    panels = [("loss", "Loss")] + ([("accuracy", "Accuracy")] if all(
        "val_accuracy" in r for r in history) else [])
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(5.2 * len(panels) + (1.2 if len(members) > 1 else 0), 3.6), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, (key, title) in zip(axes, panels):
            ax.set_title(f"{title} per epoch")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if key == "accuracy":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            for k, rows in enumerate(members):
                best = best_epochs[k] if best_epochs else _lowest_val_loss(rows)
                if len(members) == 1:
                    _single_curves(ax, rows, key, best)
                else:
                    _member_curves(ax, rows, key, best, MEMBERS[k % len(MEMBERS)])
        if len(members) > 1:
            handles = [Line2D([], [], color=MEMBERS[k % len(MEMBERS)], label=f"model {k + 1}")
                       for k in range(len(members))]
            handles += [Line2D([], [], color=MUTED, label="validation"),
                        Line2D([], [], color=MUTED, linestyle="--", label="training"),
                        Line2D([], [], color=MUTED, marker="o", linestyle="", markersize=7, label="best epoch")]
            fig.legend(handles=handles, loc="outside right center")
        else:
            axes[0].legend(loc="best")
        return _save(fig, path)


def _lowest_val_loss(rows: list[dict]) -> int:
    return min(rows, key=lambda r: (r["val_loss"], r["epoch"]))["epoch"]


def _single_curves(ax, rows: list[dict], key: str, best: int) -> None:
    epochs = [r["epoch"] for r in rows]
    ax.plot(epochs, [r[f"train_{key}"] for r in rows], color=TRAIN, marker="o", label="training")
    ax.plot(epochs, [r[f"val_{key}"] for r in rows], color=VALID, marker="o", label="validation")
    at_best = [r["val_loss"] for r in rows if r["epoch"] == best]
    if at_best and rows[-1]["val_loss"] >= 1.1 * at_best[0]:  # validation loss rose 10%+: overfitting
        ax.axvspan(best, epochs[-1] + 0.3, color=RISING, alpha=0.6, lw=0, zorder=0)
        if key == "loss":
            ax.annotate("validation loss rising", xy=(best, 1), xycoords=("data", "axes fraction"),
                        xytext=(4, -18), textcoords="offset points", ha="left", va="top", color=VALID, fontsize=8.5)
    ax.axvline(best, color=BEST, linestyle="--", linewidth=1.2)
    right = best > (epochs[0] + epochs[-1]) / 2  # label on the side with room
    ax.annotate(f"best epoch {best}", xy=(best, 1), xycoords=("data", "axes fraction"), xytext=(-4 if right else 4, -4),
                textcoords="offset points", ha="right" if right else "left", va="top", color=BEST, fontsize=8.5,
                fontweight="bold")
    ax.set_xlim(epochs[0] - 0.3, epochs[-1] + 0.3)


def _member_curves(ax, rows: list[dict], key: str, best: int, color: str) -> None:
    epochs = [r["epoch"] for r in rows]
    ax.plot(epochs, [r[f"val_{key}"] for r in rows], color=color, linewidth=1.5)
    ax.plot(epochs, [r[f"train_{key}"] for r in rows], color=color, linewidth=1.1, linestyle="--", alpha=0.8)
    at = [r for r in rows if r["epoch"] == best]
    if at:
        ax.plot([best], [at[0][f"val_{key}"]], "o", color=color, markersize=7, markeredgecolor="white")


def confusion_matrix(labels: Sequence, matrix: Sequence[Sequence[int]], path: str | Path,
                     title: str = "Confusion matrix") -> Path:
    """Counts in each cell, shaded by the share of the true class (rows sum to 100%)."""
    counts = np.asarray(matrix, dtype=float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    k = len(labels)
    side = min(9.0, max(4.4, 0.75 * k + 2.4))
    names = [_short(label) for label in labels]
    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        fig = Figure(figsize=(side + 1.0, side), layout="constrained")
        ax = fig.subplots()
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        size = 10 if k <= 6 else 8 if k <= 12 else 6
        for i in range(k):
            for j in range(k):
                color = "white" if share[i, j] > 0.55 else INK
                ax.text(j, i, f"{int(counts[i, j]):,}\n{share[i, j]:.0%}", ha="center", va="center", color=color,
                        fontsize=size, fontweight="bold" if i == j else "normal", linespacing=1.3)
        ax.set_xticks(range(k), names, rotation=30 if max(map(len, names)) > 6 else 0,
                      ha="right" if max(map(len, names)) > 6 else "center")
        ax.set_yticks(range(k), names)
        ax.set_xlabel("predicted label")
        ax.set_ylabel("true label")
        ax.set_title(title)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, format=PercentFormatter(1.0, decimals=0))
        bar.set_label("share of the true class", color=MUTED)
        bar.outline.set_visible(False)
        return _save(fig, path)


def roc_curve(truth: Sequence[int], scores: Sequence[float], path: str | Path) -> Path:
    """Binary: true-positive against false-positive rate over every threshold, with the ROC AUC."""
    fpr, tpr, _ = skm.roc_curve(truth, scores)
    auc = skm.auc(fpr, tpr)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(3.7, 3.6), layout="constrained")
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color=MUTED, linestyle=":", linewidth=1, label="chance (AUC 0.5)")
        ax.fill_between(fpr, tpr, step="post", color=TRAIN, alpha=0.08, lw=0)
        ax.plot(fpr, tpr, color=TRAIN, drawstyle="steps-post", label=f"model (AUC {auc:.3f})")
        _unit_square(ax, "false positive rate", "true positive rate (recall)")
        ax.set_title("ROC curve")
        ax.legend(loc="lower right")
        return _save(fig, path)


def precision_recall_curve(truth: Sequence[int], scores: Sequence[float], path: str | Path) -> Path:
    """Binary: precision against recall of the positive class, with the average precision (AP)."""
    precision, recall, _ = skm.precision_recall_curve(truth, scores)
    ap = skm.average_precision_score(truth, scores)
    rate = float(np.mean(np.asarray(truth) == 1))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(3.7, 3.6), layout="constrained")
        ax = fig.subplots()
        ax.axhline(rate, color=MUTED, linestyle=":", linewidth=1, label=f"chance ({rate:.0%} positive)")
        ax.plot(recall, precision, color=VALID, drawstyle="steps-post", label=f"model (AP {ap:.3f})")
        _unit_square(ax, "recall", "precision")
        ax.set_title("Precision-recall curve")
        ax.legend(loc="lower left")
        return _save(fig, path)


def calibration_curve(truth: Sequence[int], probabilities: Sequence[Sequence[float]], path: str | Path,
                      bins: int = 10, xlabel: str | None = None, ylabel: str | None = None) -> Path:
    """Reliability diagram in `bins` equal-width bins with the count of predictions per bin below it. Binary:
    predicted probability of the positive class against the observed share of positives; more classes: the
    top class's probability (confidence) against accuracy. Legend: expected calibration error (ECE); a dot's
    size follows its bin's count. xlabel, ylabel: other axis titles, e.g. for multilabel decisions drawn as
    binary ones."""
    probs = np.asarray(probabilities, dtype=float)
    truth = np.asarray(truth)
    if probs.shape[1] == 2:
        confidence, hit = probs[:, 1], truth == 1
        titles = "predicted probability of the positive class", "observed share of positives"
    else:
        confidence, hit = probs.max(axis=1), probs.argmax(axis=1) == truth
        titles = "confidence (probability of the predicted class)", "accuracy"
    xlabel, ylabel = xlabel or titles[0], ylabel or titles[1]
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    filled = counts > 0
    mean_conf = np.bincount(index, confidence, bins)[filled] / counts[filled]
    observed = np.bincount(index, hit.astype(float), bins)[filled] / counts[filled]
    ece = float(np.sum(counts[filled] * np.abs(observed - mean_conf)) / max(len(truth), 1))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(3.7, 3.9), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.08})
        top.plot([0, 1], [0, 1], color=MUTED, linestyle=":", linewidth=1, label="perfectly calibrated")
        top.plot(mean_conf, observed, color=TRAIN, label=f"model (ECE {ece:.3f})")
        # a bin's dot grows with its count: a bin of three predictions is noise, not miscalibration
        top.scatter(mean_conf, observed, s=8 + 80 * counts[filled] / counts.max(), color=TRAIN, zorder=3,
                    edgecolors="white", linewidths=0.8)
        top.set_xlim(0, 1)
        top.set_ylim(0, 1)
        top.set_ylabel(ylabel)
        top.set_title("Calibration")
        top.legend(loc="upper left")
        bottom.bar(edges[:-1], counts, width=1 / bins, align="edge", color="#c3dafe", edgecolor="white")
        bottom.set_ylabel("count")
        bottom.set_xlabel(xlabel)
        bottom.yaxis.set_major_locator(MaxNLocator(3, integer=True))
        return _save(fig, path)


def per_class_bars(classes: Sequence, precision: Sequence[float], recall: Sequence[float], f1: Sequence[float],
                   path: str | Path, unit: str = "class") -> Path:
    """Precision, recall and F1 of each class (unit "label": of each multilabel label) side by side."""
    k = len(classes)
    x = np.arange(k)
    names = [_short(c) for c in classes]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(min(12.0, max(5.6, 0.9 * k + 2.4)), 3.8), layout="constrained")
        ax = fig.subplots()
        for offset, values, name, color in ((-0.27, precision, "precision", TRAIN), (0, recall, "recall", VALID),
                                            (0.27, f1, "F1", BEST)):
            ax.bar(x + offset, values, width=0.26, color=color, label=name)
        ax.set_xticks(x, names, rotation=30 if max(map(len, names)) > 6 else 0,
                      ha="right" if max(map(len, names)) > 6 else "center")
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(axis="x", visible=False)
        ax.set_title(f"Precision, recall and F1 per {unit}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _save(fig, path)


def predicted_vs_true(truth: Sequence[float], predicted: Sequence[float], path: str | Path) -> Path:
    """Regression: each validation row's prediction against its true value, the diagonal being perfect."""
    truth, predicted = np.asarray(truth, dtype=float), np.asarray(predicted, dtype=float)
    low, high = float(min(truth.min(), predicted.min())), float(max(truth.max(), predicted.max()))
    pad = (high - low) * 0.04 or 1.0
    r2 = skm.r2_score(truth, predicted) if len(truth) > 1 else float("nan")
    mae = skm.mean_absolute_error(truth, predicted)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(4.8, 4.5), layout="constrained")
        ax = fig.subplots()
        ax.plot([low - pad, high + pad], [low - pad, high + pad], color=MUTED, linestyle=":", linewidth=1,
                label="perfect prediction")
        ax.scatter(truth, predicted, s=14, color=TRAIN, alpha=min(0.8, max(0.2, 60 / max(len(truth), 1) ** 0.5)),
                   edgecolors="none", label=f"validation rows (R² {r2:.3f}, MAE {mae:.3g})")
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(low - pad, high + pad)
        ax.set_aspect("equal")
        ax.set_xlabel("true value")
        ax.set_ylabel("predicted value")
        ax.set_title("Predicted against true")
        ax.legend(loc="upper left")
        return _save(fig, path)


def _unit_square(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _short(label, limit: int = 14) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, format="png", bbox_inches="tight", pad_inches=0.15, metadata={"Software": None})
    return path
