"""An image model served: multipart uploads, base64 JSON (data: URLs too) and Open Inference BYTES tensors all reach
the predictor as the pictures' bytes, in order, and come back as {label, probabilities} rows like texts. A broken,
empty or non-image picture, bad base64, too many pictures or too large a body is a 4xx that names the item; the
predictor is never called with it. The page at `/` is the image page, driven in headless Chromium."""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import struct
import threading
import time
from urllib.parse import quote

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from live_server import CHROMIUM, chromium
from trainwright.predictor import Predictions
from trainwright.serve import ServeSettings, create_app
from trainwright.serve.image_inputs import ImageInputError, checked, from_base64, json_images, tensor_images

PIL = pytest.importorskip("PIL.Image")
CLASSES = ["circle", "square", "stripes", "triangle", "blank", "cross"]


def png(colour=(200, 30, 30), size=(20, 16)) -> bytes:
    buffer = io.BytesIO()
    PIL.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(colour=(10, 200, 10)) -> bytes:
    buffer = io.BytesIO()
    PIL.new("RGB", (24, 24), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class RecordingPredictor:
    """Stands in for the image Predictor: takes a list of bytes, records each call, and answers with the picture's
    mean red value deciding the class, so each answer can be traced back to its picture."""

    takes_images = True
    task = "multiclass"
    target_column = "shape"

    def __init__(self):
        self.calls: list[list[bytes]] = []
        self.target = type("Target", (), {"classes_": np.array(CLASSES)})()

    def predict(self, inputs, source="input") -> Predictions:
        self.calls.append(list(inputs))
        probabilities = np.full((len(inputs), len(CLASSES)), 0.02)
        for row, data in enumerate(inputs):
            red = int(np.asarray(PIL.open(io.BytesIO(data)).convert("RGB"))[..., 0].mean())
            probabilities[row, red % len(CLASSES)] = 0.9
        return Predictions(labels=[CLASSES[i] for i in probabilities.argmax(1)], probabilities=probabilities,
                           classes=CLASSES)


@pytest.fixture()
def served():
    predictor = RecordingPredictor()
    app = create_app(predictor, "shapes", ServeSettings(max_inputs=4, max_body_bytes=200_000))
    with TestClient(app) as client:
        predictor.calls.clear()  # the warm-up picture
        yield client, predictor


def label_of(red: int) -> str:
    return CLASSES[red % len(CLASSES)]


def test_multipart_files_in_order(served):
    client, predictor = served
    pictures = [png((200, 0, 0)), jpeg(), png((7, 0, 0))]
    response = client.post("/predict", files=[("files", ("a.png", pictures[0], "image/png")),
                                              ("files", ("b.jpg", pictures[1], "image/jpeg")),
                                              ("file", ("c.png", pictures[2], "image/png"))])
    assert response.status_code == 200, response.text
    assert predictor.calls == [pictures]  # the bytes as sent, one call, in order
    rows = response.json()["predictions"]
    assert response.json()["model"] == "shapes" and len(rows) == 3
    assert [rows[0]["label"], rows[2]["label"]] == [label_of(200), label_of(7)]
    assert set(rows[0]["probabilities"]) == set(CLASSES)


def test_json_base64_and_data_urls(served):
    client, predictor = served
    pictures = [png((100, 0, 0)), png((101, 0, 0))]
    body = {"images": [b64(pictures[0]), "data:image/png;base64," + b64(pictures[1])]}
    response = client.post("/predict", json=body)
    assert response.status_code == 200, response.text
    assert predictor.calls == [pictures]
    assert [row["label"] for row in response.json()["predictions"]] == [label_of(100), label_of(101)]


def test_open_inference_bytes_tensor(served):
    client, predictor = served
    picture = png((50, 0, 0))
    metadata = client.get("/v2/models/shapes").json()
    assert metadata["inputs"] == [{"name": "image", "datatype": "BYTES", "shape": [-1]}]
    body = {"inputs": [{"name": "image", "datatype": "BYTES", "shape": [2], "data": [b64(picture), b64(jpeg())]}]}
    response = client.post("/v2/models/shapes/infer", json=body)
    assert response.status_code == 200, response.text
    outputs = {o["name"]: o for o in response.json()["outputs"]}
    assert outputs["label"]["data"][0] == label_of(50) and outputs["probabilities"]["shape"] == [2, len(CLASSES)]
    assert predictor.calls == [[picture, jpeg()]]


def test_open_inference_binary_data_gives_raw_bytes(served):
    client, predictor = served
    picture = png((60, 0, 0))
    header = json.dumps({"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1],
                                     "parameters": {"binary_data_size": len(picture) + 4}}]}).encode()
    response = client.post("/v2/models/shapes/infer", content=header + struct.pack("<I", len(picture)) + picture,
                           headers={"Inference-Header-Content-Length": str(len(header))})
    assert response.status_code == 200, response.text
    assert predictor.calls == [[picture]]


@pytest.mark.parametrize("data, expected", [
    (b"", r"files\[1\] \(empty.png\): the file is empty"),
    (b"hello, not a picture", r"files\[1\] \(empty.png\): not a PNG, JPEG.*image"),
])
def test_a_bad_upload_is_422_naming_it(served, data, expected):
    client, predictor = served
    response = client.post("/predict", files=[("file", ("ok.png", png(), "image/png")),
                                              ("file", ("empty.png", data, "image/png"))])
    assert response.status_code == 422
    assert re.search(expected, response.json()["detail"]), response.json()
    assert "Nothing was predicted" in response.json()["detail"] and predictor.calls == []


def test_a_truncated_picture_in_json_is_named(served):
    client, predictor = served
    picture = png((1, 2, 3), size=(64, 64))
    response = client.post("/predict", json={"images": [b64(png()), b64(picture[:len(picture) // 2]), "@@@"]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("images[2]: not valid base64"), detail  # the body is read before any picture
    response = client.post("/predict", json={"images": [b64(png()), b64(picture[:len(picture) // 2])]})
    detail = response.json()["detail"]
    assert response.status_code == 422 and re.match(r"images\[1\]: (the file is cut short|the PNG image)", detail)
    assert predictor.calls == []


@pytest.mark.parametrize("body, status, expected", [
    ({"inputs": ["a text"]}, 422, r'body: expected a JSON object like \{"images"'),
    ({"images": [], }, 422, r"images: no pictures"),
    ({"images": "abc"}, 422, r"images: expected a list"),
    ({"images": [1]}, 422, r"images\[0\]: expected a base64 string, got int"),
    ({"images": ["data:image/png,rawtext"]}, 422, r"images\[0\]: a data: URL must be base64"),
    ({"images": [b64(b"x")] * 5}, 422, r"images: at most 4 pictures per request \(got 5\)"),
    ({"images": [], "extra": 1}, 422, r"body.extra: unknown field"),
])
def test_bad_json_bodies(served, body, status, expected):
    client, predictor = served
    response = client.post("/predict", json=body)
    assert response.status_code == status and re.search(expected, response.json()["detail"]), response.json()
    assert predictor.calls == []


def test_bad_multipart_and_limits(served):
    client, predictor = served
    response = client.post("/predict", data={"file": "not a file"}, files=[("x", ("a.png", b"", "image/png"))])
    assert response.status_code == 422 and response.json()["detail"].startswith("body.")
    response = client.post("/predict", files=[("photo", ("a.png", png(), "image/png"))])
    assert response.status_code == 422 and "body.photo: unknown form field" in response.json()["detail"]
    response = client.post("/predict", files=[("file", (f"{i}.png", png(), "image/png")) for i in range(5)])
    assert response.status_code == 422 and "at most 4 pictures" in response.json()["detail"]
    response = client.post("/predict", files=[("file", ("big.png", b"\x89PNG" + b"0" * 300_000, "image/png"))])
    assert response.status_code == 413 and "over the" in response.json()["detail"]
    response = client.post("/predict", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"].startswith("body: not valid JSON")
    assert predictor.calls == []


def test_bad_open_inference_tensors_are_400(served):
    client, predictor = served
    cases = [
        ({"name": "image", "datatype": "FP32", "shape": [1], "data": [1.0]}, r"datatype FP32; pictures are BYTES"),
        ({"name": "image", "datatype": "BYTES", "shape": [2], "data": [b64(png())]}, r"shape \[2\] says 2"),
        ({"name": "image", "datatype": "BYTES", "shape": [1], "data": [b64(b"GIF89a")]},
         r"inputs\['image'\]\[0\]: not a PNG, JPEG"),
    ]
    for tensor, expected in cases:
        response = client.post("/v2/models/shapes/infer", json={"inputs": [tensor]})
        assert response.status_code == 400 and re.search(expected, response.json()["error"]), response.json()
    too_many = {"name": "image", "datatype": "BYTES", "shape": [5], "data": [b64(png())] * 5}
    assert client.post("/v2/models/shapes/infer", json={"inputs": [too_many]}).status_code == 413
    assert predictor.calls == []


def test_metadata_and_openapi_say_pictures(served):
    client, _ = served
    metadata = client.get("/metadata").json()
    assert metadata["inputs"]["images"] is True and metadata["labels"] == CLASSES
    body = client.get("/openapi.json").json()["paths"]["/predict"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    page = client.get("/").text
    assert 'id="drop"' in page and 'type="file"' in page and "<textarea" not in page


def test_pure_functions():
    assert from_base64("data:image/png;base64," + b64(b"\x89PNG\x00\xff")) == b"\x89PNG\x00\xff"
    assert from_base64(base64.urlsafe_b64encode(b"\xfb\xff").decode().rstrip("=")) == b"\xfb\xff"
    assert from_base64(b64(b"x" * 100)[:40] + "\n" + b64(b"x" * 100)[40:]) == b"x" * 100
    pictures = json_images({"images": [b64(png())]}, max_inputs=3)
    assert [p.where for p in pictures] == ["images[0]"] and checked(pictures) == [png()]
    with pytest.raises(ImageInputError, match=r"inputs\['img'\]\[1\].*1 more of the 3 pictures") as error:
        checked(tensor_images("img", "BYTES", [3], [b64(png()), b64(b"no"), b64(b"")], 5), status=400)
    assert error.value.status == 400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live(tmp_path):
    """The app with the recording predictor on a real port (uvicorn in a thread): Chromium needs HTTP."""
    import uvicorn

    predictor = RecordingPredictor()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(predictor, "shapes"), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "ready").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, predictor
    server.should_exit = True
    thread.join(10)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_page_previews_the_picture_and_shows_the_top_classes(live, tmp_path):
    url, predictor = live
    picture = png((44, 120, 200), size=(64, 48))
    address = f"{url}?image={quote('data:image/png;base64,' + b64(picture))}"
    result = chromium(address, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert 'data-state="done"' in dom, dom[-3000:]
    assert re.search(r'<img id="preview"[^>]* src="blob:', dom)  # the picture is shown
    assert re.search(r'<strong id="label">([^<]*)</strong>', dom).group(1) == label_of(44)
    rows = re.findall(r'<li class="bar-row( top)?" data-class="([^"]+)">', dom)
    assert len(rows) == 5 and rows[0] == (" top", label_of(44))  # the top five, the predicted one first
    assert predictor.calls[-1] == [picture]  # posted as the file's bytes
    shot = tmp_path / "page.png"
    result = chromium(address, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=900,800")
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert len(shot.read_bytes()) > 15_000
