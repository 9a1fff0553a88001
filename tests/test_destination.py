"""Nothing a user owns is lost: output folders and files are replaced only when trainwright provably wrote them,
a refusal comes before any work, and a folder that cannot be written is a message, not a traceback."""

from __future__ import annotations

import errno
import importlib
import json
import os
import shutil
import subprocess

import pytest
from test_bad_input import ARTIFACT_ERROR, FAST, fails, ok

import trainwright
from trainwright.artifact import load_artifact, save_artifact
from trainwright.destination import MARKER

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # root writes through chmod: only the simulated cases run


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def no_training(monkeypatch):
    """Training that must not start: a refusal comes first."""
    def refuse(*args, **kwargs):
        raise AssertionError("training started")
    monkeypatch.setattr(importlib.import_module("trainwright.train.run"), "fit_artifact", refuse)


@pytest.mark.parametrize("files", [
    {"notes.txt": "mine", "metadata.json": "{}"},  # a metadata.json alone does not make a model
    {"checkpoint/notes.txt": "mine"},  # nor a checkpoint/ folder
])
def test_train_refuses_a_folder_of_the_users_before_training(cli, reviews_csv, tmp_path, monkeypatch, files):
    out = tmp_path / "mine"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    before = snapshot(out)
    no_training(monkeypatch)
    fails(cli("train", reviews_csv, "--out", out, *FAST), ARTIFACT_ERROR, f"{out} is not a trainwright model folder",
          "choose another --out")
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted({name.split("/")[0] for name in files})  # no checkpoint/


def test_a_rerun_replaces_only_the_files_trainwright_owns(tiny_model, tmp_path):
    out = tmp_path / "model"
    artifact = load_artifact(tiny_model)
    save_artifact(artifact, out)
    (out / "notes.txt").write_text("mine")
    (out / "stale.json").write_text("{}")
    owns = json.loads((out / MARKER).read_text())
    assert owns["format"] == "trainwright-model" and "weights.safetensors" in owns["owns"]
    (out / "metrics.json").write_text("{}")  # trainwright's own file: replaced
    save_artifact(artifact, out)
    assert (out / "notes.txt").read_text() == "mine" and (out / "stale.json").read_text() == "{}"
    assert json.loads((out / "metrics.json").read_text()) == artifact.metrics
    assert trainwright.load(out).predict(["fine"])  # a whole model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # nothing set aside is left over


def test_a_model_saved_before_markers_is_still_replaced(tiny_model, tmp_path):
    out = tmp_path / "older"
    shutil.copytree(tiny_model, out)
    (out / MARKER).unlink()
    (out / "notes.txt").write_text("mine")
    save_artifact(load_artifact(tiny_model), out)
    assert (out / MARKER).is_file() and (out / "notes.txt").read_text() == "mine"


def test_out_that_is_a_file_is_refused(cli, reviews_csv, tmp_path, monkeypatch):
    out = tmp_path / "model.txt"
    out.write_text("mine")
    no_training(monkeypatch)
    fails(cli("train", reviews_csv, "--out", out, *FAST), ARTIFACT_ERROR, f"{out} is a file, not a folder")
    assert out.read_text() == "mine"


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM])
def test_out_that_cannot_be_written_is_refused_before_training(cli, reviews_csv, tmp_path, monkeypatch, code):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr("trainwright.destination.tempfile.mkstemp", refuse)  # the write check
    no_training(monkeypatch)
    fails(cli("train", reviews_csv, "--out", tmp_path / "out", *FAST), ARTIFACT_ERROR,
          f"Cannot write to {tmp_path / 'out'}: {os.strerror(code)}")


@pytest.mark.skipif(ROOT, reason="root writes into a read-only folder")
def test_out_in_a_read_only_folder_is_refused(cli, reviews_csv, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    no_training(monkeypatch)
    try:
        fails(cli("train", reviews_csv, "--out", locked / "model", *FAST), ARTIFACT_ERROR, "Cannot write to")
    finally:
        locked.chmod(0o755)


def test_cross_validation_refuses_a_folder_of_the_users(cli, reviews_csv, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "cv.csv").write_text("my own table")
    fails(cli("train", reviews_csv, "--cv", "2", "--out", out, *FAST), ARTIFACT_ERROR, "not a trainwright cv folder")
    assert (out / "cv.csv").read_text() == "my own table"


def test_predict_keeps_a_file_it_did_not_write_unless_told(cli, tiny_model, reviews_csv, tmp_path):
    output = tmp_path / "predictions.csv"
    output.write_text("my own table")
    fails(cli("predict", tiny_model, reviews_csv, "-o", output), ARTIFACT_ERROR, "--overwrite")
    assert output.read_text() == "my own table"
    ok(cli("predict", tiny_model, reviews_csv, "-o", output, "--overwrite"))
    assert "predicted_label" in output.read_text()


def test_predict_replaces_its_own_file_but_not_one_edited_since(cli, tiny_model, reviews_csv, tmp_path):
    output = tmp_path / "predictions.csv"
    ok(cli("predict", tiny_model, reviews_csv, "-o", output))
    ok(cli("predict", tiny_model, reviews_csv, "-o", output))  # the README demo, run again
    output.write_text(output.read_text() + "my note\n")
    fails(cli("predict", tiny_model, reviews_csv, "-o", output), ARTIFACT_ERROR, "--overwrite")
    assert output.read_text().endswith("my note\n")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_predict_into_a_folder_that_cannot_be_written(cli, tiny_model, reviews_csv, tmp_path, monkeypatch, code):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr("trainwright.data.writers.tempfile.mkstemp", refuse)
    fails(cli("predict", tiny_model, reviews_csv, "-o", tmp_path / "p.csv"), ARTIFACT_ERROR,
          f"Cannot write to {tmp_path}: {os.strerror(code)}")


@pytest.mark.skipif(ROOT, reason="root writes into a read-only folder")
def test_predict_into_a_read_only_folder(cli, tiny_model, reviews_csv, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        fails(cli("predict", tiny_model, reviews_csv, "-o", locked / "p.csv"), ARTIFACT_ERROR, "Cannot write to")
    finally:
        locked.chmod(0o755)


def test_the_input_file_is_never_modified(cli, reviews_csv, tmp_path):
    before = reviews_csv.read_bytes(), reviews_csv.stat().st_mtime_ns
    ok(cli("train", reviews_csv, "--out", tmp_path / "model", *FAST))
    ok(cli("predict", tmp_path / "model", reviews_csv, "-o", tmp_path / "p.csv"))
    assert (reviews_csv.read_bytes(), reviews_csv.stat().st_mtime_ns) == before


@pytest.fixture
def immutable_folder(tmp_path):
    """A folder with the immutable attribute (chattr +i), which stops root too; skipped where it cannot be set."""
    folder = tmp_path / "immutable"
    folder.mkdir()
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], capture_output=True)


@pytest.fixture
def read_only_file_system(tmp_path):
    """A read-only tmpfs mounted in the test's folder, which stops root too; skipped where mounting is refused."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if not shutil.which("mount") or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs",
                                                     str(folder)], capture_output=True).returncode:
        pytest.skip("mounting a file system is not allowed here")
    yield folder
    subprocess.run(["umount", str(folder)], capture_output=True)


@pytest.mark.parametrize("place", ["immutable_folder", "read_only_file_system"])
def test_out_where_nothing_can_be_written_is_refused_before_training(cli, reviews_csv, monkeypatch, request, place):
    folder = request.getfixturevalue(place)
    no_training(monkeypatch)
    fails(cli("train", reviews_csv, "--out", folder / "model", *FAST), ARTIFACT_ERROR, f"Cannot write to {folder}")
    assert not any(folder.iterdir())


@pytest.mark.parametrize("place", ["immutable_folder", "read_only_file_system"])
def test_predict_where_nothing_can_be_written(cli, tiny_model, reviews_csv, request, place):
    folder = request.getfixturevalue(place)
    fails(cli("predict", tiny_model, reviews_csv, "-o", folder / "p.csv"), ARTIFACT_ERROR,
          f"Cannot write to {folder}")
    assert not any(folder.iterdir())
