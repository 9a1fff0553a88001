"""Each plot writes one PNG at the house resolution and returns its path; the same inputs give the same bytes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from trainwright.evaluate import plots

PNG = b"\x89PNG\r\n\x1a\n"


def size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG
    return struct.unpack(">II", data[16:24])


def binary_predictions(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    positive = np.clip(0.25 + 0.5 * truth + rng.normal(0, 0.2, n), 0.01, 0.99)
    return truth, np.column_stack([1 - positive, positive])


def history(model=None, accuracy=True, epochs=6):
    rows = []
    for e in range(1, epochs + 1):
        row = {"epoch": e, "seconds": 0.1, "train_loss": 0.7 / e, "val_loss": 0.5 + 0.02 * (e - 3) ** 2}
        if accuracy:
            row.update(train_accuracy=1 - 0.3 / e, val_accuracy=0.8 - 0.005 * (e - 3) ** 2)
        rows.append(row if model is None else {"model": model, **row})
    return rows


def draw_all(folder: Path) -> list[Path]:
    truth, probs = binary_predictions()
    rng = np.random.default_rng(1)
    values = rng.normal(10, 3, 200)
    return [
        plots.learning_curves(history(), folder / "curves.png"),
        plots.learning_curves(history(1) + history(2, epochs=4) + history(3, epochs=5), folder / "members.png"),
        plots.learning_curves(history(accuracy=False), folder / "regression_curves.png", best_epochs=[3]),
        plots.confusion_matrix(["negative", "positive"], [[50, 10], [5, 35]], folder / "confusion.png"),
        plots.roc_curve(truth, probs[:, 1], folder / "roc.png"),
        plots.precision_recall_curve(truth, probs[:, 1], folder / "pr.png"),
        plots.calibration_curve(truth, probs, folder / "calibration.png"),
        plots.per_class_bars(["a", "b", "a very long class name"], [0.9, 0.5, 0.7], [0.8, 0.6, 0.7],
                             [0.85, 0.55, 0.7], folder / "per_class.png"),
        plots.predicted_vs_true(values, values + rng.normal(0, 1, 200), folder / "scatter.png"),
    ]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> list[Path]:
    return draw_all(tmp_path_factory.mktemp("plots"))


def test_every_plot_writes_a_png_and_returns_its_path(drawn):
    folder = drawn[0].parent
    assert len({p.name for p in drawn}) == len(drawn) and all(p.parent == folder for p in drawn)
    for path in drawn:
        width, height = size(path)
        assert 250 < width < 1500 and 250 < height < 1000, (path.name, width, height)
    # two panels (loss, accuracy) are wider than one (regression: loss only)
    assert size(folder / "curves.png")[0] > size(folder / "regression_curves.png")[0] * 1.5


def test_plots_are_deterministic(drawn, tmp_path):
    for first, second in zip(drawn, draw_all(tmp_path)):
        assert first.read_bytes() == second.read_bytes(), first.name


@pytest.mark.parametrize("k", [3, 12])
def test_confusion_matrix_and_calibration_for_several_classes(tmp_path, k):
    rng = np.random.default_rng(k)
    truth = rng.integers(0, k, 400)
    logits = rng.normal(0, 1, (400, k))
    logits[np.arange(400), truth] += 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    matrix = np.zeros((k, k), dtype=int)
    np.add.at(matrix, (truth, probs.argmax(axis=1)), 1)
    labels = [f"class number {i}" for i in range(k)]
    assert size(plots.confusion_matrix(labels, matrix.tolist(), tmp_path / "cm.png"))[0] > 300
    assert size(plots.calibration_curve(truth, probs, tmp_path / "cal.png"))[0] > 300
