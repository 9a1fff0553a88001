"""Pictures and table columns in one model (resnet+mlp): a table of image paths whose other columns matter is
trained on both, zero-config; its table columns are cleaned as in a table run and replayed at prediction; it
predicts from a table file, a DataFrame and served JSON records, evaluates, and exports with both inputs. A folder
of pictures stays the plain resnet."""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw
from test_image_run import write_shapes

import trainwright
from trainwright.errors import DataError

SHAPES = ("circle", "square")
COLOURS = ("red", "green", "blue")
SIDE = 20


def picture(shape: str, rng: np.random.Generator) -> Image.Image:
    """A white circle or square of random size and place on black."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    x, y = rng.uniform(SIDE * 0.35, SIDE * 0.65, 2)
    r = rng.uniform(SIDE * 0.22, SIDE * 0.35)
    (draw.ellipse if shape == "circle" else draw.rectangle)([x - r, y - r, x + r, y + r], fill=255)
    return image


def write_table(folder: Path, name: str, rows: int, seed: int, text: bool = False) -> Path:
    """`name`.csv beside a pictures/ folder. The label is the picture's shape and whether the column `size` is
    above 0.5 (4 classes), so neither the picture nor the table alone can tell it; `weight` is noise with gaps,
    `colour` a category with gaps."""
    rng = np.random.default_rng(seed)
    (folder / "pictures").mkdir(parents=True, exist_ok=True)
    records = []
    for i in range(rows):
        shape, size = SHAPES[i % 2], rng.uniform(0, 1)
        file = f"pictures/{name}_{i}.png"
        picture(shape, rng).save(folder / file)
        weight = rng.normal(50, 10) if rng.random() > 0.15 else np.nan
        colour = COLOURS[rng.integers(3)] if rng.random() > 0.1 else None
        record = {"file": file, "size": round(size, 3), "weight": weight, "colour": colour,
                  "label": f"{shape}_{'big' if size > 0.5 else 'small'}"}
        if text:
            record["note"] = " ".join(rng.choice(["a", "fine", "photo", "of", "the", "item", "taken", "today"], 12))
        records.append(record)
    path = folder / f"{name}.csv"
    pd.DataFrame(records).to_csv(path, index=False)
    return path


def config(**model) -> trainwright.RunConfig:
    # batches of 16 and 4 epochs: ~130 steps, enough for circles and squares at 20 x 20
    return trainwright.build_config(overrides={"model": model, "train": {"threads": 1, "epochs": 4}})


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("image-table")
    return {"train": write_table(folder, "train", 560, seed=0), "test": write_table(folder, "test", 300, seed=1)}


@pytest.fixture(scope="module")
def mixed(tables, tmp_path_factory):
    """The zero-config run on the training table, tested on the test table; `log` holds what it said."""
    said = io.StringIO()
    handler, logger = logging.StreamHandler(said), logging.getLogger("trainwright")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        result = trainwright.train(tables["train"], test=tables["test"],
                                   out=tmp_path_factory.mktemp("runs") / "mixed", config=config())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    result.log = said.getvalue()
    return result


def test_pictures_and_columns_together_beat_the_pictures_alone(mixed, tables, tmp_path):
    saved = json.loads((mixed.path / "config.json").read_text())
    assert saved["model"]["name"] == "resnet+mlp"
    assert sorted(saved["data"]["features"]) == ["colour", "size", "weight"]
    alone = trainwright.train(tables["train"], test=tables["test"], out=tmp_path / "alone",
                              config=config(name="resnet"))
    # 4 classes: the pictures alone can tell the shape but not the size, so at most about half are right
    assert mixed.metrics["test"]["accuracy"] > 0.85, mixed.metrics["test"]
    assert alone.metrics["test"]["accuracy"] < 0.6, alone.metrics["test"]


def test_zero_config_says_it_reads_the_pictures_with_the_columns(mixed):
    assert "image + 3 table columns: size (numeric), weight (numeric), colour (categorical)" in mixed.log


def test_the_table_columns_are_cleaned_and_replayed(mixed, tables):
    state = json.loads((mixed.path / "preprocessing.json").read_text())
    assert state["inputs"]["image"] == ["image"] and state["inputs"]["numeric"] == ["size", "weight"]
    imputer = state["cleaning"]["imputer"]
    assert set(imputer["fill"]) >= {"weight", "colour"}
    assert state["features"] is not None and state["images"]["size"] == [SIDE, SIDE]
    assert any("missing" in line for line in mixed.metrics["cleaning"]), mixed.metrics["cleaning"]

    model = trainwright.load(mixed.path)
    rows = pd.read_csv(tables["test"]).head(6)
    rows["file"] = [str(tables["test"].parent / f) for f in rows["file"]]
    gaps = rows.assign(weight=np.nan, colour=None)
    filled = rows.assign(weight=imputer["fill"]["weight"], colour=imputer["fill"]["colour"])
    np.testing.assert_allclose(model.predict(gaps).probabilities, model.predict(filled).probabilities, atol=1e-6)


def test_predict_and_evaluate_a_table_round_trip(mixed, tables, tmp_path, cli):
    out = tmp_path / "predicted.csv"
    result = cli("predict", mixed.path, tables["test"], "-o", out)
    assert result.code == 0, result.stderr
    written = pd.read_csv(out, keep_default_na=False)
    original = pd.read_csv(tables["test"])
    assert len(written) == len(original) and {"size", "weight", "colour", "predicted_label"} <= set(written.columns)

    rows = original.assign(file=[str(tables["test"].parent / f) for f in original["file"]])
    direct = trainwright.load(mixed.path).predict(rows)
    assert list(written["predicted_label"]) == list(direct.labels)
    np.testing.assert_allclose(written[[f"probability_{c}" for c in direct.classes]].to_numpy(),
                               direct.probabilities, atol=1e-6)
    records = trainwright.load(mixed.path).predict(rows.head(3).to_dict("records"))
    np.testing.assert_allclose(records.probabilities, direct.probabilities[:3], atol=1e-6)
    accuracy = float(np.mean(np.asarray(direct.labels) == original["label"].to_numpy()))
    metrics = trainwright.evaluate(mixed.path, tables["test"])
    assert metrics["accuracy"] == pytest.approx(accuracy) == pytest.approx(mixed.metrics["test"]["accuracy"])


def test_a_missing_column_at_prediction_is_named(mixed, tables, tmp_path, cli):
    rows = pd.read_csv(tables["test"]).head(4)
    rows["file"] = [str(tables["test"].parent / f) for f in rows["file"]]
    with pytest.raises(DataError, match="'size'"):
        trainwright.load(mixed.path).predict(rows.drop(columns="size"))
    with pytest.raises(DataError, match="size, weight, colour"):  # pictures without their columns
        trainwright.load(mixed.path).predict(list(rows["file"]))
    table = tmp_path / "no-size.csv"
    pd.read_csv(tables["test"]).drop(columns="size").to_csv(table, index=False)
    result = cli("predict", mixed.path, table, "-o", tmp_path / "out.csv")
    assert result.code != 0 and "'size'" in result.stderr and "Traceback" not in result.stderr


def test_served_records_carry_the_picture_and_the_columns(mixed, tables):
    from fastapi.testclient import TestClient

    from trainwright.serve.app import create_app

    model = trainwright.load(mixed.path)
    rows = pd.read_csv(tables["test"]).head(3)
    paths = [tables["test"].parent / f for f in rows["file"]]
    expected = model.predict(rows.assign(file=[str(p) for p in paths]))
    records = [{"image": base64.b64encode(p.read_bytes()).decode(), "size": row["size"],
                "weight": None if pd.isna(row["weight"]) else row["weight"],
                "colour": None if pd.isna(row["colour"]) else row["colour"]}
               for p, row in zip(paths, rows.to_dict("records"))]
    with TestClient(create_app(model, "mixed")) as client:
        answer = client.post("/predict", json={"records": records})
        pictures_only = client.post("/predict", json={"images": [records[0]["image"]]})
        uploaded = client.post("/predict", files=[("file", ("a.png", paths[0].read_bytes(), "image/png"))])
        no_size = client.post("/predict", json={"records": [{k: v for k, v in records[0].items() if k != "size"}]})
    assert answer.status_code == 200, answer.text
    assert [row["label"] for row in answer.json()["predictions"]] == list(expected.labels)
    for refused in (pictures_only, uploaded):  # pictures alone: the answer says what to send
        assert refused.status_code == 422 and '"records"' in refused.json()["detail"]
    assert no_size.status_code == 422 and "'size'" in no_size.json()["detail"]


def test_exports_to_onnx_with_the_pictures_and_the_table_as_inputs(mixed, tables):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    report = trainwright.export_onnx(mixed.path)
    assert set(report.inputs) == {"images", "numeric", "categorical"}
    rows = pd.read_csv(tables["test"]).head(8)
    rows["file"] = [str(tables["test"].parent / f) for f in rows["file"]]
    torch_side = trainwright.load(mixed.path).predict(rows).probabilities
    onnx_side = trainwright.load(mixed.path, backend="onnx").predict(rows).probabilities
    np.testing.assert_allclose(onnx_side, torch_side, atol=1e-5)


def test_text_columns_beside_pictures_are_said_and_left_out(tmp_path, tw_log):
    table = write_table(tmp_path, "notes", 80, seed=2, text=True)
    quick = trainwright.build_config(overrides={"train": {"threads": 1, "epochs": 1}})
    run = trainwright.train(table, out=tmp_path / "run", config=quick)
    assert "'note' is not read beside pictures" in tw_log.text
    assert "note" not in json.loads((run.path / "config.json").read_text())["data"]["features"]
    with pytest.raises(trainwright.ConfigError, match="not read beside pictures"):
        trainwright.train(table, out=tmp_path / "text", config=trainwright.build_config(
            overrides={"data": {"text": ["note"]}, "train": {"threads": 1, "epochs": 1}}))


def test_a_folder_of_pictures_stays_the_plain_resnet(tmp_path):
    folder = write_shapes(tmp_path / "shapes", per_class=8)
    quick = trainwright.build_config(overrides={"train": {"threads": 1, "epochs": 1}})
    run = trainwright.train(folder, out=tmp_path / "run", config=quick)
    assert json.loads((run.path / "config.json").read_text())["model"]["name"] == "resnet"
    state = json.loads((run.path / "preprocessing.json").read_text())
    assert state["features"] is None and state["cleaning"] is None
    with pytest.raises(trainwright.ConfigError, match="no numeric or categorical column"):
        trainwright.train(folder, out=tmp_path / "mixed", config=trainwright.build_config(
            overrides={"model": {"name": "resnet+mlp"}, "train": {"threads": 1, "epochs": 1}}))


def test_a_row_index_written_by_pandas_is_not_read_beside_the_pictures(tmp_path, tw_log):
    root = write_shapes(tmp_path / "pictures", per_class=10)
    rows = [{"path": str(p), "kind": p.parent.name} for p in sorted(root.rglob("*.png"))]
    pd.DataFrame(rows).to_csv(tmp_path / "table.csv")  # the index written as an unnamed first column
    quick = trainwright.build_config(overrides={"data": {"target": "kind"}, "train": {"threads": 1, "epochs": 1}})
    run = trainwright.train(tmp_path / "table.csv", out=tmp_path / "run", config=quick)
    assert json.loads((run.path / "model.json").read_text())["name"] == "resnet"
    assert "not read beside them: 'Unnamed: 0' (identifier" in tw_log.text
