"""The run report: built for binary, multi-class and regression (ensemble) runs, for old runs without validation
predictions and runs missing files, escaped, and rendered by a real browser (headless Chromium: the DOM holds
the sections and the embedded images; a screenshot is taken). Chromium tests are skipped when it is not
installed (apt-get install -y chromium)."""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

import trainwright
from trainwright.evaluate.commands import report as report_command
from trainwright.evaluate.report import read_run, wrong_examples
from trainwright.evaluate.report_html import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
IMAGE = re.compile(r"<img src='data:image/png;base64,([A-Za-z0-9+/=]+)'")
TOPICS = {"sport": ["goal", "match", "team", "coach"], "food": ["pizza", "pasta", "soup", "bread"],
          "tech": ["laptop", "phone", "code", "screen"]}


def copy_run(run: Path, folder: Path) -> Path:
    """A copy to write the report into: the shared fixtures' directories stay as trained."""
    return Path(shutil.copytree(run, folder / run.name))


@pytest.fixture(scope="module")
def multiclass_run(tmp_path_factory) -> Path:
    """Three topics told by a keyword; one label in eight is wrong, so some validation rows are misclassified."""
    rng = random.Random(0)
    rows = []
    for i in range(300):
        topic = list(TOPICS)[i % 3]
        label = rng.choice(list(TOPICS)) if i % 8 == 0 else topic
        words = rng.sample(["the", "a", "really", "my", "today", "new", "old", "big"], 3) + [rng.choice(TOPICS[topic])]
        rows.append({"text": " ".join(words) + f" {i}", "topic": label})
    folder = tmp_path_factory.mktemp("multiclass")
    pd.DataFrame(rows).to_csv(folder / "topics.csv", index=False)
    config = trainwright.build_config(overrides={"model": {"name": "lstm", "embedding_dim": 16, "hidden_size": 16},
                                                 "train": {"epochs": 6, "threads": 1, "learning_rate": 0.01}})
    return trainwright.train(folder / "topics.csv", out=folder / "topics", config=config).path


@pytest.fixture(scope="module")
def regression_run(tmp_path_factory) -> Path:
    """A numeric target from a small table: a bagged ensemble of three MLPs."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=240), rng.normal(size=240)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "color": rng.choice(["red", "blue"], 240),
                          "price": 3 * x1 - 2 * x2 + rng.normal(0, 0.5, 240) + 10})
    folder = tmp_path_factory.mktemp("regression")
    frame.to_csv(folder / "prices.csv", index=False)
    config = trainwright.build_config(overrides={"data": {"target": "price"}, "model": {"name": "mlp"},
                                                 "train": {"epochs": 6, "threads": 1, "ensemble": 3}})
    return trainwright.train(folder / "prices.csv", out=folder / "prices", config=config).path


def images(page: str) -> list[bytes]:
    found = [base64.b64decode(data) for data in IMAGE.findall(page)]
    assert all(data[:8] == b"\x89PNG\r\n\x1a\n" for data in found)
    return found


def assert_self_contained(page: str) -> None:
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)=['"]?(https?:|file:|//)""", page)


def test_binary_report(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    page_path = write_report(run)
    assert page_path == run / "report" / "report.html"
    page = page_path.read_text(encoding="utf-8")
    assert_self_contained(page)
    for heading in ("Diagnosis", "What the curves say", "Next steps", "Learning curves", "Validation results",
                    "Ranking and calibration", "Data", "Cleaning", "Configuration"):
        assert f">{heading}</h" in page, heading
    pngs = {p.name for p in (run / "report").glob("*.png")}
    assert pngs == {"learning_curves.png", "confusion_matrix.png", "roc_curve.png", "precision_recall.png",
                    "calibration.png"}
    embedded = images(page)
    assert sorted(embedded) == sorted((run / "report" / name).read_bytes() for name in pngs)
    assert "task <b>binary</b> (neg, pos)" in page and "validation accuracy" in page


def test_multiclass_report_has_per_class_results_and_wrong_examples(multiclass_run, tmp_path):
    run = copy_run(multiclass_run, tmp_path)
    page = write_report(run).read_text(encoding="utf-8")
    assert {p.name for p in (run / "report").glob("*.png")} == {
        "learning_curves.png", "confusion_matrix.png", "calibration.png", "per_class.png"}
    assert len(images(page)) == 4 and "ROC curve" not in page
    for topic in TOPICS:
        assert f"<tr><td>{topic}</td>" in page  # a per-class table row
    wrong = wrong_examples(read_run(run))
    assert wrong and "Most confidently wrong validation examples" in page
    assert all(w["true"] != w["predicted"] for w in wrong)
    assert [w["confidence"] for w in wrong] == sorted((w["confidence"] for w in wrong), reverse=True)
    validation = json.loads((run / "validation.json").read_text())
    first = validation["rows"].index(wrong[0]["row"])
    assert validation["inputs"][first] == wrong[0]["input"]


def test_regression_ensemble_report(regression_run, tmp_path):
    run = copy_run(regression_run, tmp_path)
    page = write_report(run).read_text(encoding="utf-8")
    assert {p.name for p in (run / "report").glob("*.png")} == {"learning_curves.png", "predicted_vs_true.png"}
    assert len(images(page)) == 2 and "Confusion matrix" not in page
    assert "Largest validation errors" in page and "validation R²" in page and "ensemble of 3 mlp" in page
    assert "Epoch kept of epochs run, model by model:" in page
    errors = [w["error"] for w in wrong_examples(read_run(run))]
    assert len(errors) == 10 and errors == sorted(errors, reverse=True)


def test_old_run_without_validation_predictions(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    (run / "validation.json").unlink()
    page = write_report(run).read_text(encoding="utf-8")
    assert "no saved validation predictions" in page
    assert ">Ranking and calibration</h3>" not in page and "confidently wrong validation examples</h2>" not in page
    # the confusion matrix is saved in metrics.json, so it is still drawn
    assert {p.name for p in (run / "report").glob("*.png")} == {"learning_curves.png", "confusion_matrix.png"}


def test_run_missing_or_damaging_optional_files(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    for name in ("metrics.json", "validation.json", "config.json", "target.json"):
        (run / name).unlink()
    (run / "history.json").write_text("{not json", encoding="utf-8")
    page = write_report(run).read_text(encoding="utf-8")
    assert "No per-epoch history" in page and "No validation metrics" in page and "No config.json" in page
    assert "history.json cannot be read" in page and "metrics.json is missing" in page
    assert not list((run / "report").glob("*.png"))


def test_rebuilding_removes_figures_the_new_report_does_not_draw(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    write_report(run)
    (run / "validation.json").unlink()
    write_report(run)
    assert not (run / "report" / "roc_curve.png").exists()


def test_values_from_the_data_are_escaped(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    validation = json.loads((run / "validation.json").read_text())
    validation["inputs"] = ["<script>alert(1)</script>"] * len(validation["inputs"])
    validation["outputs"] = [[p[1], p[0]] for p in validation["outputs"]]  # every row wrong
    (run / "validation.json").write_text(json.dumps(validation))
    page = write_report(run).read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_not_a_run_directory(tmp_path):
    with pytest.raises(trainwright.ArtifactError, match="no such run directory"):
        write_report(tmp_path / "nowhere")
    with pytest.raises(trainwright.ArtifactError, match="not a trainwright run directory"):
        write_report(tmp_path)


def test_report_command_prints_the_diagnosis_and_the_path(tiny_model, tmp_path):
    run = copy_run(tiny_model, tmp_path)
    app = typer.Typer()
    app.command()(report_command)
    result = CliRunner().invoke(app, [str(run)])
    assert result.exit_code == 0, result.output
    assert "Good fit" in result.output or "fitting" in result.output
    assert f"Wrote the report to {run.resolve() / 'report' / 'report.html'}" in result.output
    result = CliRunner().invoke(app, [str(tmp_path)])
    assert isinstance(result.exception, trainwright.ArtifactError)


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory, multiclass_run) -> Path:
    return write_report(copy_run(multiclass_run, tmp_path_factory.mktemp("browser")))


@NEEDS_CHROMIUM
def test_browser_renders_sections_and_embedded_images(browser_page, tmp_path):
    result = chromium(browser_page, tmp_path / "profile-dom", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == 4
    for heading in ("Diagnosis", "Learning curves", "Validation results", "Most confidently wrong validation examples",
                    "Data", "Configuration"):
        assert re.search(rf"<h2>{heading}</h2>", dom), heading


@NEEDS_CHROMIUM
def test_browser_screenshot(browser_page, tmp_path):
    png = tmp_path / "report.png"
    result = chromium(browser_page, tmp_path / "profile-shot", f"--screenshot={png}", "--window-size=1280,2400")
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 2400)
    assert len(data) > 60_000  # a rendered page with figures, not a blank one
