"""The saved model: plain files, identical predictions after reload, clear errors, atomic replacement."""

import json
import shutil

import numpy as np
import pytest
import torch

import trainwright
from trainwright.artifact import load_artifact, save_artifact


def test_predictions_after_reload_are_identical(tiny_model, reviews_csv):
    import pandas as pd

    texts = pd.read_csv(reviews_csv)["review"].tolist()[:50] + ["", "words it never saw"]
    artifact = load_artifact(tiny_model)
    before = artifact.predictor().predict(texts)
    copy = tiny_model.parent / "copy"
    save_artifact(artifact, copy)
    after = trainwright.load(copy).predict(texts)
    assert after.labels == before.labels
    np.testing.assert_array_equal(after.probabilities, before.probabilities)


def test_artifact_holds_only_safetensors_and_json(tiny_model):
    names = sorted(p.name for p in tiny_model.iterdir())
    # logs/: CSV and TensorBoard, never loaded; .trainwright.json: the marker of the files trainwright owns
    assert names == sorted(["config.json", "history.json", "metadata.json", "metrics.json", "model.json",
                            "preprocessing.json", "target.json", "tokenizer.json", "validation.json",
                            "weights.safetensors", "logs", ".trainwright.json"])
    for path in tiny_model.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    metadata = json.loads((tiny_model / "metadata.json").read_text())
    assert metadata["versions"]["torch"] == torch.__version__
    assert len(metadata["data"]["train"]["sha256"]) == 64


def test_loading_never_unpickles(tiny_model, monkeypatch):
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("loading a model must not unpickle anything")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    assert len(trainwright.load(tiny_model).predict(["great kettle"])) == 1


def test_a_damaged_model_directory_is_reported(tiny_model, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "weights.safetensors").unlink()
    with pytest.raises(trainwright.ArtifactError, match="missing weights.safetensors"):
        trainwright.load(broken)
    shutil.copy(tiny_model / "weights.safetensors", broken)
    spec = json.loads((tiny_model / "model.json").read_text())
    (broken / "model.json").write_text(json.dumps({**spec, "config": {**spec["config"], "hidden_size": 3}}))
    with pytest.raises(trainwright.ArtifactError, match="does not match model.json"):
        trainwright.load(broken)
    metadata = json.loads((tiny_model / "metadata.json").read_text())
    (broken / "metadata.json").write_text(json.dumps({**metadata, "format_version": 99}))
    with pytest.raises(trainwright.ArtifactError, match="format 99"):
        trainwright.load(broken)


def test_a_failed_save_leaves_the_old_model_untouched(tiny_model, tmp_path, monkeypatch):
    target = tmp_path / "model"
    artifact = load_artifact(tiny_model)
    save_artifact(artifact, target)
    before = {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()}  # logs/ too

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("trainwright.artifact.save_file", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        save_artifact(artifact, target)
    assert {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging folder left behind


def test_refuses_to_replace_a_folder_that_is_not_a_model(tiny_model, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(trainwright.ArtifactError, match="not a trainwright model folder: it holds notes.txt"):
        save_artifact(load_artifact(tiny_model), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
