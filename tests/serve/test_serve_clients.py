"""Real clients: the official KServe/Triton HTTP client against a live server, and bodies as such clients send
them (no Content-Type, binary tensor data), plus text that is not valid Unicode."""

from __future__ import annotations

import numpy as np
import pytest
import tritonclient.http as triton
from fastapi.testclient import TestClient

from live_server import live_server
import trainwright
from trainwright.serve import ServeSettings, create_app

TOKEN = "client-token"
TEXTS = ["Great kettle, love it.", "Awful, stopped working ✗ 壊れた."]


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    with live_server(tiny_model, tmp_path_factory.mktemp("clients"), token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def text_client(tiny_text_model):
    app = create_app(trainwright.load(tiny_text_model), "reviews", ServeSettings())
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("binary", [True, False], ids=["binary data", "json data"])
def test_tritonclient_infers_as_users_call_it(server, tiny_model, binary):
    client = triton.InferenceServerClient(server.url.split("//")[1].rstrip("/"))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    metadata = client.get_model_metadata(tiny_model.name, headers=auth)
    assert [tensor["name"] for tensor in metadata["inputs"]] == ["review", "stars"]
    review = triton.InferInput("review", [2], "BYTES")
    review.set_data_from_numpy(np.array([t.encode() for t in TEXTS], dtype=object), binary_data=binary)
    stars = triton.InferInput("stars", [2], "INT64")
    stars.set_data_from_numpy(np.array([5, 1], dtype=np.int64), binary_data=binary)
    # No outputs named: the client asks for them as binary data, and gets BYTES back as bytes, as from Triton.
    result = client.infer(tiny_model.name, [review, stars], headers=auth)
    expected = trainwright.load(tiny_model).predict([{"review": t, "stars": s} for t, s in zip(TEXTS, ["5", "1"])])
    assert [label.decode() for label in result.as_numpy("label")] == expected.labels
    np.testing.assert_allclose(result.as_numpy("probabilities"), expected.probabilities, atol=1e-6)
    # Outputs named as JSON: texts come back as str.
    outputs = [triton.InferRequestedOutput("label", binary_data=False),
               triton.InferRequestedOutput("probabilities", binary_data=binary)]
    result = client.infer(tiny_model.name, [review, stars], outputs=outputs, headers=auth)
    assert list(result.as_numpy("label")) == expected.labels
    np.testing.assert_allclose(result.as_numpy("probabilities"), expected.probabilities, atol=1e-6)


def test_a_body_without_content_type_is_read_as_json(text_client):
    body = b'{"inputs": ["Great kettle, love it."]}'
    response = text_client.post("/predict", content=body, headers={"Content-Type": ""})
    assert response.status_code == 200, response.text
    v2 = b'{"inputs": [{"name": "review", "shape": [1], "datatype": "BYTES", "data": ["Lovely."]}]}'
    response = text_client.post("/v2/models/reviews/infer", content=v2, headers={"Content-Type": ""})
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0]["data"][0] in ("neg", "pos")


LONE_SURROGATES = [
    # (route, body, status, message's start)
    ("/predict", b'{"inputs": ["ok", "\\ud800"]}', 422, "inputs[1]: not valid Unicode"),
    ("/predict", b'{"inputs": ["a \\udc00 b"]}', 422, "inputs[0]: not valid Unicode"),
    ("/predict", b'{"inputs": {"\\ud800": 1}}', 422, "inputs.\\ud800: not valid Unicode"),
    ("/v2/models/reviews/infer", b'{"inputs": [{"name": "review", "shape": [1], "datatype": "BYTES", '
                                 b'"data": ["\\ud83d"]}]}', 400, "inputs[0].data[0]: not valid Unicode"),
]


@pytest.mark.parametrize("path, body, status, message", LONE_SURROGATES)
def test_a_lone_surrogate_is_refused_naming_the_field(text_client, path, body, status, message):
    for headers in ({"Content-Type": "application/json"}, {"Content-Type": ""}):
        response = text_client.post(path, content=body, headers=headers)
        assert response.status_code == status, response.text
        assert next(iter(response.json().values())).startswith(message), response.json()
    paired = text_client.post("/predict", content=b'{"inputs": ["\\ud83d\\ude00 great"]}',
                              headers={"Content-Type": "application/json"})
    assert paired.status_code == 200, paired.text  # a surrogate pair is an emoji, and fine


def test_bytes_that_are_not_utf8_are_a_422_not_a_500(text_client):
    response = text_client.post("/predict", content=b'{"inputs": ["caf\xe9"]}',
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "body: not valid JSON (not UTF-8 text at character 16)"
