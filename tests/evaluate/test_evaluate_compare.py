"""The leaderboard: ranking by the main validation metric (or a chosen column), exact parameter counts from the
safetensors header, the terminal table, the HTML page and `--json`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import trainwright
from trainwright.evaluate.commands import compare as compare_command
from trainwright.evaluate.compare import compare_runs, leaderboard_table, write_leaderboard


def with_accuracy(run: Path, folder: Path, name: str, accuracy: float, loss: float) -> Path:
    """A copy of `run` whose metrics.json claims the given validation accuracy and loss."""
    copy = Path(shutil.copytree(run, folder / name))
    metrics = json.loads((copy / "metrics.json").read_text())
    metrics["valid"].update(accuracy=accuracy, loss=loss)
    (copy / "metrics.json").write_text(json.dumps(metrics))
    return copy


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": x @ [1.0, -2.0, 0.5]})
    folder = tmp_path_factory.mktemp("ensemble")
    frame.to_csv(folder / "table.csv", index=False)
    config = trainwright.build_config(overrides={"data": {"target": "y"}, "model": {"name": "mlp"},
                                                 "train": {"epochs": 2, "threads": 1, "ensemble": 2}})
    return trainwright.train(folder / "table.csv", out=folder / "table", config=config).path


def test_ranks_by_validation_accuracy_then_regression_by_r2(tiny_model, ensemble_run, tmp_path):
    runs = [with_accuracy(tiny_model, tmp_path, "b", 0.80, 0.30), ensemble_run,
            with_accuracy(tiny_model, tmp_path, "a", 0.90, 0.50), with_accuracy(tiny_model, tmp_path, "c", 0.70, 0.20)]
    rows = compare_runs(runs)
    assert [r["run"] for r in rows] == ["a", "b", "c", "table"]  # classification first, regression after
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["valid_accuracy"] == 0.90 and rows[-1]["task"] == "regression" and rows[-1]["valid_r2"] is not None
    by_loss = compare_runs(runs[:1] + runs[2:], sort_by="valid_loss")
    assert [r["run"] for r in by_loss] == ["c", "b", "a"]
    with pytest.raises(trainwright.ArtifactError, match="Cannot sort by 'speed'"):
        compare_runs(runs, sort_by="speed")


def test_settings_and_training_figures(tiny_model, tiny_config):
    row = compare_runs([tiny_model])[0]
    metrics = json.loads((tiny_model / "metrics.json").read_text())
    assert row["model"] == "lstm+mlp" and row["task"] == "binary"  # review text and a star rating
    assert row["embedding_dim"] == 16 and row["hidden_size"] == 16 and row["size"] == "16 / 16, MLP 64-32"
    assert row["learning_rate"] == 0.01 and row["batch_size"] == tiny_config.train.batch_size
    assert row["dropout"] == tiny_config.model.dropout
    assert row["epochs_run"] == metrics["training"]["epochs_run"] and row["fit_s"] == metrics["training"]["fit_s"]
    assert row["valid_f1"] == metrics["valid"]["f1"] and row["test_accuracy"] is None


@pytest.mark.parametrize("which", ["tiny_model", "ensemble_run"])
def test_parameters_are_counted_exactly(which, request):
    run = request.getfixturevalue(which)
    row = compare_runs([run])[0]
    state = trainwright.load_artifact(run).model.state_dict()
    assert row["parameters"] == sum(tensor.numel() for tensor in state.values())
    assert row["size_mb"] == round((run / "weights.safetensors").stat().st_size / 1e6, 3)
    if which == "ensemble_run":
        assert row["model"] == "ensemble of 2 mlp" and row["size"] == "MLP 64-32"


def test_terminal_table_and_html_page(tiny_model, ensemble_run, tmp_path):
    rows = compare_runs([tiny_model, ensemble_run])
    console = Console(width=240, record=True)
    console.print(leaderboard_table(rows))
    text = console.export_text()
    assert "tiny" in text and "table" in text and "val acc" in text and "val R²" in text and "params" in text
    page = write_leaderboard(rows, tmp_path / "board.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert page.count("<tr>") == 3 and f"{rows[0]['parameters']:,}" in page and "2 runs, best first" in page


def test_compare_command_json_and_errors(tiny_model, ensemble_run, tmp_path):
    app = typer.Typer()
    app.command()(compare_command)
    result = CliRunner().invoke(app, [str(tiny_model), str(ensemble_run), "--json", "--html", str(tmp_path / "b.html")])
    assert result.exit_code == 0, result.output
    first_line = result.stdout.splitlines()[0]
    payload = json.loads(first_line)
    assert [r["run"] for r in payload["runs"]] == ["tiny", "table"] and (tmp_path / "b.html").is_file()
    result = CliRunner().invoke(app, [str(tiny_model), str(tmp_path)])
    assert isinstance(result.exception, trainwright.ArtifactError)
    assert "not a trainwright run directory" in str(result.exception)
