"""The HTTP API in-process (FastAPI's TestClient) on a tiny text model and a tiny text + table model: the generated
OpenAPI schema, /predict against Predictor.predict, the Open Inference Protocol, /metadata and /metrics."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient

from conftest import make_reviews
import trainwright
from trainwright import Predictor
from trainwright.predictor import Predictions
from trainwright.serve import ServeSettings, create_app
from trainwright.serve.predictions import prediction_rows
from trainwright.serve.schemas import InputSchema, build_api_models


@pytest.fixture(scope="module")
def text_predictor(tiny_text_model) -> Predictor:
    return trainwright.load(tiny_text_model)


@pytest.fixture(scope="module")
def table_predictor(tiny_model) -> Predictor:
    return trainwright.load(tiny_model)


@pytest.fixture(scope="module")
def text_client(text_predictor, tiny_text_model):
    app = create_app(text_predictor, "reviews", ServeSettings(model_dir=tiny_text_model))
    with TestClient(app) as client:  # `with`: runs the lifespan (batching worker, warm-up)
        yield client


@pytest.fixture(scope="module")
def table_client(table_predictor, tiny_model):
    app = create_app(table_predictor, "reviews-table", ServeSettings(model_dir=tiny_model, max_inputs=50))
    with TestClient(app) as client:
        yield client


def assert_same(rows: list[dict], expected: Predictions) -> None:
    """Same labels; probabilities equal up to float32 rounding (a row padded in another batch may differ in the
    last bit)."""
    assert [row["label"] for row in rows] == expected.labels
    got = np.array([[row["probabilities"][str(c)] for c in expected.classes] for row in rows])
    np.testing.assert_allclose(got, expected.probabilities, rtol=0, atol=1e-6)


def test_openapi_schema_is_generated_from_the_model(text_client, table_client):
    text = text_client.get("/openapi.json").json()["components"]["schemas"]
    assert text["PredictRequest"]["properties"]["inputs"]["items"] == {"type": "string"}
    assert text["PredictRequest"]["properties"]["inputs"]["maxItems"] == 1024
    assert text["Prediction"]["properties"]["label"]["enum"] == ["neg", "pos"]
    assert set(text["ClassProbabilities"]["properties"]) == {"neg", "pos"}

    table = table_client.get("/openapi.json").json()
    schemas = table["components"]["schemas"]
    assert schemas["Record"]["required"] == ["review"]  # text required, the table column optional
    assert set(schemas["Record"]["properties"]) == {"review", "stars"}
    assert schemas["Record"]["properties"]["review"]["type"] == "string"
    assert {"type": "string"} in schemas["Record"]["properties"]["stars"]["anyOf"]
    assert schemas["PredictRequest"]["properties"]["inputs"]["items"] == {"$ref": "#/components/schemas/Record"}
    assert "/v2/models/{model_name}/infer" in table["paths"]


def test_predict_texts_equals_predictor_batch_and_online(text_client, text_predictor):
    texts = make_reviews(24, seed=5)["review"].tolist()
    expected = text_predictor.predict(texts)
    response = text_client.post("/predict", json={"inputs": texts})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "reviews" and len(body["predictions"]) == len(texts)
    assert_same(body["predictions"], expected)
    online = [text_client.post("/predict", json={"inputs": [t]}).json()["predictions"][0] for t in texts[:8]]
    assert_same(online, text_predictor.predict(texts[:8]))
    assert_same(body["predictions"][:8], text_predictor.predict(texts[:8]))  # batch and online agree


def test_predict_records_equals_predictor(table_client, table_predictor):
    reviews = make_reviews(6, seed=9)["review"].tolist()
    records = [{"review": reviews[0], "stars": 4}, {"review": reviews[1], "stars": "2"},
               {"review": reviews[2]}, {"review": reviews[3], "stars": None}, {"review": reviews[4], "stars": "99"},
               {"review": reviews[5], "stars": 5}]
    response = table_client.post("/predict", json={"inputs": records})
    assert response.status_code == 200, response.text
    assert_same(response.json()["predictions"], table_predictor.predict(records))


def test_plain_texts_to_a_records_model_are_rejected_naming_the_field(table_client):
    response = table_client.post("/predict", json={"inputs": ["just a text"]})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("inputs[0]: expected an object")


def test_record_errors_name_the_field(table_client):
    response = table_client.post("/predict", json={"inputs": [{"review": "fine"}, {"stars": 3},
                                                              {"review": 7}, {"review": "ok", "star": 3}]})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields == {"inputs[1].review": "required text column is missing", "inputs[2].review": "expected text",
                      "inputs[3].star": "not a column of this model; it reads review, stars"}
    too_many = table_client.post("/predict", json={"inputs": [{"review": "x"}] * 51})
    assert too_many.status_code == 422 and too_many.json()["detail"].startswith("inputs: at most 50 inputs")


def test_an_unexpected_error_is_a_short_500_and_the_server_goes_on(text_predictor, tiny_text_model, monkeypatch):
    app = create_app(text_predictor, "reviews", ServeSettings())
    with TestClient(app) as client:
        monkeypatch.setattr(text_predictor, "predict", lambda inputs, source: 1 / 0)
        response = client.post("/predict", json={"inputs": ["a text"]})
        assert response.status_code == 500
        assert response.json() == {"detail": "Prediction failed (ZeroDivisionError); the server log has the details."}
        monkeypatch.undo()
        assert client.post("/predict", json={"inputs": ["a text"]}).status_code == 200


def test_open_inference_metadata_and_infer_on_texts(text_client, text_predictor):
    assert text_client.get("/v2").json()["name"] == "trainwright"
    assert text_client.get("/v2/health/live").status_code == 200
    assert text_client.get("/v2/health/ready").json() == {"ready": True}
    assert text_client.get("/v2/models/reviews/ready").json() == {"name": "reviews", "ready": True}
    metadata = text_client.get("/v2/models/reviews").json()
    assert metadata["inputs"] == [{"name": "review", "datatype": "BYTES", "shape": [-1]}]
    assert metadata["outputs"] == [{"name": "label", "datatype": "BYTES", "shape": [-1]},
                                   {"name": "probabilities", "datatype": "FP32", "shape": [-1, 2]}]
    texts = make_reviews(5, seed=11)["review"].tolist()
    tensor = {"name": "review", "shape": [5, 1], "datatype": "BYTES", "data": [[t] for t in texts]}  # nested: fine
    response = text_client.post("/v2/models/reviews/infer", json={"id": "req-1", "inputs": [tensor]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_name"] == "reviews" and body["id"] == "req-1"
    outputs = {o["name"]: o for o in body["outputs"]}
    expected = text_predictor.predict(texts)
    assert outputs["label"]["data"] == expected.labels and outputs["label"]["shape"] == [5]
    assert outputs["probabilities"]["shape"] == [5, 2]
    np.testing.assert_allclose(np.reshape(outputs["probabilities"]["data"], (5, 2)), expected.probabilities,
                               atol=1e-6)
    only_labels = text_client.post("/v2/models/reviews/infer", json={
        "inputs": [{"name": "texts", "shape": [1], "datatype": "BYTES", "data": ["nice"]}],
        "outputs": [{"name": "label"}]}).json()
    assert [o["name"] for o in only_labels["outputs"]] == ["label"]


def test_open_inference_on_columns_and_its_errors(table_client, table_predictor):
    reviews = make_reviews(3, seed=12)["review"].tolist()
    response = table_client.post("/v2/models/reviews-table/infer", json={"inputs": [
        {"name": "review", "shape": [3], "datatype": "BYTES", "data": reviews},
        {"name": "stars", "shape": [3], "datatype": "INT64", "data": [5, 1, None]}]})
    assert response.status_code == 200, response.text
    labels = next(o for o in response.json()["outputs"] if o["name"] == "label")["data"]
    expected = table_predictor.predict([{"review": r, "stars": s} for r, s in zip(reviews, [5, 1, None])])
    assert labels == expected.labels

    def infer(inputs, model="reviews-table"):
        return table_client.post(f"/v2/models/{model}/infer", json={"inputs": inputs})

    review = {"name": "review", "shape": [1], "datatype": "BYTES", "data": ["good"]}
    unknown = infer([review], model="other")
    assert unknown.status_code == 404 and unknown.json() == {
        "error": "Model 'other' not found; this server serves 'reviews-table'."}
    cases = [
        ([{**review, "datatype": "FP32"}], "inputs['review']: datatype FP32; text is BYTES."),
        ([{**review, "shape": [2]}], "inputs['review']: shape [2] says 2 values, data has 1."),
        ([{**review, "data": [3]}], "inputs['review'][0]: expected text."),
        ([{"name": "stars", "shape": [1], "datatype": "INT64", "data": [3]}],
         "inputs: missing the text input 'review'."),
        ([review, {"name": "colour", "shape": [1], "datatype": "BYTES", "data": ["red"]}],
         "inputs: unknown input 'colour'; this model's inputs are review, stars."),
        ([], "inputs: must not be empty"),
    ]
    for inputs, message in cases:
        response = infer(inputs)
        assert (response.status_code, response.json()) == (400, {"error": message})


def test_metadata(table_client, tiny_model):
    metadata = table_client.get("/metadata").json()
    assert metadata["name"] == "reviews-table" and metadata["task"] == "binary"
    assert metadata["labels"] == ["neg", "pos"] and metadata["target"] == "label"
    assert metadata["inputs"]["text"] == ["review"] and metadata["inputs"]["categorical"] == ["stars"]
    assert set(metadata["inputs"]["categories"]["stars"]) == {"1", "2", "3", "4", "5"}
    assert 0 <= metadata["metrics"]["valid"]["accuracy"] <= 1
    assert metadata["versions"]["torch"] and metadata["versions"]["trainwright"]
    assert metadata["backend"] == "torch" and metadata["architecture"] == "lstm+mlp" and metadata["ready"] is True


def test_metrics_count_requests_and_batch_sizes(text_predictor):
    app = create_app(text_predictor, "reviews", ServeSettings())
    with TestClient(app) as client:
        for _ in range(3):
            client.post("/predict", json={"inputs": ["one", "two"]})
        client.post("/predict", json={"inputs": []})
        page = client.get("/metrics")
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text

    def value(sample: str) -> float:
        found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
        assert found, sample
        return float(found.group(1))

    assert value('trainwright_http_requests_total{method="POST",route="/predict",status="200"}') == 3
    assert value('trainwright_http_requests_total{method="POST",route="/predict",status="422"}') == 1
    assert value("trainwright_batch_size_count") == 3 and value("trainwright_batch_size_sum") == 6
    assert value('trainwright_batch_size_bucket{le="2.0"}') == 3
    assert value("trainwright_predictions_total") == 6  # the warm-up batch is not counted
    assert value('trainwright_http_request_duration_seconds_count{route="/predict"}') == 4


def test_token_guards_prediction_and_metadata_but_not_probes_or_page(text_predictor):
    app = create_app(text_predictor, "reviews", ServeSettings(token="s3cret"))
    with TestClient(app) as client:
        for path in ("/metadata", "/metrics", "/v2", "/v2/models/reviews"):
            response = client.get(path)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer", path
        assert client.post("/predict", json={"inputs": ["x"]}).status_code == 401
        wrong = client.post("/predict", json={"inputs": ["x"]}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json() == {"detail": "Authorization: wrong token."}
        for path in ("/health", "/ready", "/v2/health/live", "/v2/health/ready", "/v2/models/reviews/ready", "/"):
            assert client.get(path).status_code == 200, path
        assert '"needsToken": true' in client.get("/").text
        good = client.post("/predict", json={"inputs": ["x"]}, headers={"Authorization": "Bearer s3cret"})
        assert good.status_code == 200
        openapi = client.get("/openapi.json", headers={"Authorization": "Bearer s3cret"})
        assert "HTTPBearer" in openapi.json()["components"]["securitySchemes"]


def test_with_a_token_only_health_and_the_page_shells_are_open(table_predictor, tiny_model):
    """The model's columns, categories and training means reach authorized callers only."""
    app = create_app(table_predictor, "reviews-table", ServeSettings(token="s3cret", model_dir=tiny_model))
    with TestClient(app) as client:
        for path in ("/openapi.json", "/metadata", "/metrics", "/v2", "/v2/models/reviews-table"):
            assert client.get(path).status_code == 401, path
        for path in ("/", "/docs"):
            shell = client.get(path)
            assert shell.status_code == 200 and shell.headers["content-type"].startswith("text/html"), path
            assert "stars" not in shell.text, path  # the table column's name
        config = re.search(r'<script id="model" type="application/json">(.*?)</script>', client.get("/").text)
        assert json.loads(config.group(1)) == {"name": "reviews-table", "task": "", "target": "", "schema": None,
                                               "needsToken": True}
        authorized = client.get("/openapi.json", headers={"Authorization": "Bearer s3cret"})
        assert authorized.status_code == 200 and "stars" in authorized.text


def test_docs_need_nothing_from_the_internet(text_client):
    page = text_client.get("/docs").text
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "docs-assets/favicon.png", "docs-assets/swagger-ui.css", "docs-assets/swagger-ui-bundle.js"]
    for asset in ("favicon.png", "swagger-ui.css", "swagger-ui-bundle.js"):
        assert text_client.get(f"/docs-assets/{asset}").status_code == 200, asset
    assert text_client.get("/openapi.json").json()["paths"]["/predict"]
    assert text_client.get("/redoc").status_code == 404  # ReDoc would need a CDN


@pytest.mark.parametrize("task", ["multilabel", "regression"])
def test_responses_for_multilabel_and_regression(task):
    schema = InputSchema(text=["text"], numeric=[], categorical=[])
    classes = None if task == "regression" else ["sports", "politics", "tech"]
    models = build_api_models(schema, task, classes, max_inputs=10)
    if task == "regression":
        predictions = Predictions(labels=[3.5, -1.0], probabilities=None, classes=None)
        rows = prediction_rows(predictions, task)
        assert rows == [{"value": 3.5}, {"value": -1.0}]
    else:
        predictions = Predictions(labels=[["sports", "tech"], []], classes=classes, separator=";",
                                  probabilities=np.array([[0.9, 0.1, 0.7], [0.2, 0.3, 0.1]]))
        rows = prediction_rows(predictions, task)
        assert rows[0] == {"labels": ["sports", "tech"], "probabilities": {"sports": 0.9, "politics": 0.1, "tech": 0.7}}
        assert rows[1]["labels"] == []
    response = models.response.model_validate({"model": "m", "predictions": rows})
    assert response.model_dump(by_alias=True)["predictions"] == rows
