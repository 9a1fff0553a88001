"""A trained image run end to end beyond training: served (multipart, base64 JSON and Open Inference BYTES give the
labels `predict` gives) and exported to ONNX (onnxruntime's probabilities equal the model's on the run's
pictures)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from test_image_run import quick, write_shapes

import trainwright
from trainwright.serve.app import create_app


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("served")
    shapes = write_shapes(root / "train", per_class=12)
    run = trainwright.train(shapes, out=root / "run", config=quick()).path
    return run, sorted(shapes.rglob("*.png"))[::7]


def test_a_served_image_model_answers_as_predict_does(trained):
    run, pictures = trained
    model = trainwright.load(run)
    expected = model.predict([str(p) for p in pictures])
    raw = [p.read_bytes() for p in pictures]
    with TestClient(create_app(model, "shapes")) as client:
        uploaded = client.post("/predict", files=[("files", (p.name, data, "image/png")) for p, data in zip(pictures, raw)])
        as_json = client.post("/predict", json={"images": [base64.b64encode(data).decode() for data in raw]})
        tensor = {"inputs": [{"name": "image", "datatype": "BYTES", "shape": [len(raw)],
                              "data": [base64.b64encode(data).decode() for data in raw]}]}
        inferred = client.post("/v2/models/shapes/infer", json=tensor)
        broken = client.post("/predict", json={"images": [base64.b64encode(b"not a picture").decode()]})
    for answer in (uploaded, as_json):
        assert answer.status_code == 200, answer.text
        rows = answer.json()["predictions"]
        assert [row["label"] for row in rows] == list(expected.labels)
        np.testing.assert_allclose([[row["probabilities"][c] for c in expected.classes] for row in rows],
                                   expected.probabilities, atol=1e-6)
    assert inferred.status_code == 200, inferred.text
    assert broken.status_code == 422 and "images[0]" in broken.text


def test_an_image_run_exports_to_onnx_with_the_models_probabilities(trained, cli):
    pytest.importorskip("onnxruntime")
    import onnxruntime

    run, pictures = trained
    result = cli("export", run, "--format", "onnx")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    graph = next((run / "onnx").glob("*.onnx"))
    model = trainwright.load(run)
    pixels = model.preprocessing.image_encoder.transform([str(p) for p in pictures])
    session = onnxruntime.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    logits = session.run(None, {"images": pixels.astype(np.float32) / 255})[0]
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    np.testing.assert_allclose(probabilities, model.image_outputs(pixels), atol=1e-4)
    assert json.loads((run / "onnx" / "export.json").read_text())


def test_a_server_of_pictures_takes_larger_bodies_by_default(trained, tmp_path):
    from trainwright.serve.runner import IMAGE_BODY_BYTES, reads_images
    from trainwright.serve.settings import MIB

    run, _ = trained
    assert reads_images(run) and IMAGE_BODY_BYTES > MIB
    assert not reads_images(tmp_path)  # no model there: loading it says why, not this check
