"""A real server (uvicorn in a subprocess, started by `serve`): every kind of bad request gets the right 4xx with
a message naming the field, and a valid request still succeeds after each; a token; graceful shutdown; the
non-loopback warning; several workers."""

from __future__ import annotations

import json
import re
import signal
import socket

import pytest

from live_server import CHROMIUM, chromium, live_server
import trainwright
from trainwright.serve import runner
from trainwright.serve.settings import ServeSettings

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VALID = {"inputs": [{"review": "Great kettle, love it.", "stars": 5}]}


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    with live_server(tiny_model, tmp_path_factory.mktemp("server"), token=TOKEN, max_inputs=20,
                     max_body_bytes=20_000) as running:
        yield running


BAD_REQUESTS = [
    # (what, request kwargs, status, the message's start)
    ("not JSON", dict(content=b"{inputs: nope", headers={**AUTH, "Content-Type": "application/json"}), 422,
     "body: not valid JSON"),
    ("no JSON object", dict(json=["x"], headers=AUTH), 422, 'body: expected a JSON object like {"inputs": [...]}'),
    ("no inputs", dict(json={}, headers=AUTH), 422, "inputs: required"),
    ("inputs not a list", dict(json={"inputs": "text"}, headers=AUTH), 422, "inputs: expected a list"),
    ("empty list", dict(json={"inputs": []}, headers=AUTH), 422, "inputs: must not be empty"),
    ("a text that is a number", dict(json={"inputs": [{"review": "ok"}, {"review": "ok"}, {"review": 3}]},
                                     headers=AUTH), 422, "inputs[2].review: expected text"),
    ("a record without its text", dict(json={"inputs": [{"stars": 3}]}, headers=AUTH), 422,
     "inputs[0].review: required text column is missing"),
    ("a category that is a list", dict(json={"inputs": [{"review": "ok", "stars": [1]}]}, headers=AUTH), 422,
     "inputs[0].stars:"),
    ("too many inputs", dict(json={"inputs": [{"review": "ok"}] * 21}, headers=AUTH), 422,
     "inputs: at most 20 inputs per request"),
    ("oversize body", dict(json={"inputs": [{"review": "x" * 30_000}]}, headers=AUTH), 413,
     "body: the request body is over the 20000 bytes limit"),
    ("no token", dict(json=VALID), 401, "Authorization: this server needs a token"),
    ("wrong token", dict(json=VALID, headers={"Authorization": "Bearer guess"}), 401, "Authorization: wrong token"),
]


@pytest.mark.parametrize("what, request_kwargs, status, message", BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_request_gets_a_4xx_naming_the_field_and_the_server_goes_on(server, what, request_kwargs, status,
                                                                         message):
    with server.client() as client:
        response = client.post("/predict", **request_kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"].startswith(message), response.json()
        assert "Traceback" not in response.text
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        valid = client.post("/predict", json=VALID, headers=AUTH)
        assert valid.status_code == 200 and valid.json()["predictions"][0]["label"] in ("neg", "pos")


def test_predictions_over_http_equal_the_predictor(server, tiny_model):
    records = [{"review": "Awful, stopped working.", "stars": 1}, {"review": "Lovely, works perfectly."},
               {"review": "The kettle was really superb.", "stars": "3"}]
    with server.client(headers=AUTH) as client:
        body = client.post("/predict", json={"inputs": records}).json()
    expected = trainwright.load(tiny_model).predict(records)
    assert [p["label"] for p in body["predictions"]] == expected.labels
    for row, probabilities in zip(body["predictions"], expected.probabilities):
        assert [row["probabilities"][c] for c in expected.classes] == pytest.approx(list(probabilities), abs=1e-6)


def test_probes_stay_open_and_the_log_has_no_traceback(server):
    with server.client() as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/ready").json() == {"ready": True}
        assert client.get("/v2/health/ready").status_code == 200
        assert client.get("/metadata").status_code == 401
        assert client.get("/metadata", headers=AUTH).json()["name"] == "tiny"
    assert "Traceback" not in server.log.read_text()


def test_several_workers(tiny_text_model, tmp_path):
    with socket.socket() as probe:  # with several workers uvicorn binds in the parent: no port 0, find one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with live_server(tiny_text_model, tmp_path, port=port, workers=2, max_batch_size=7) as running:
        with running.client() as client:
            answers = [client.post("/predict", json={"inputs": ["Great, love it."]}).json() for _ in range(6)]
            assert all(a["model"] == "tiny-text" for a in answers)
            assert client.get("/metadata").json()["batching"]["max_batch_size"] == 7  # settings reached the workers


def test_a_public_host_without_token_warns(tiny_text_model, monkeypatch, tw_log):
    monkeypatch.setattr(runner._AnnouncingServer, "run", lambda self: None)
    runner.serve(tiny_text_model, host="0.0.0.0", port=0)
    assert "without a token" in tw_log.text
    tw_log.clear()
    runner.serve(tiny_text_model, host="127.0.0.1", port=0)
    assert "without a token" not in tw_log.text


def test_settings_round_trip_through_the_environment(tmp_path):
    settings = ServeSettings(token="t", max_batch_size=8, max_wait_ms=1.5, max_body_bytes=1000, max_inputs=9,
                             model_dir=tmp_path, backend="torch")
    environment = settings.to_environment()
    assert environment["TRAINWRIGHT_TOKEN"] == "t"
    assert ServeSettings.from_environment(environment) == settings
    assert json.dumps(environment)  # plain strings only


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_the_page_asks_for_the_token_then_builds_a_form_from_the_schema(server, tmp_path):
    query = "?review=Lovely%20kettle&stars=4"
    result = chromium(server.url + query, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<div id="token-field" class="field">' in dom  # shown, no longer hidden
    assert "stars" not in dom.replace(query, "")  # no column before the token

    result = chromium(f"{server.url}{query}#token={TOKEN}", tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    assert re.search(r'<label for="field-0">review<span class="kind">text</span></label>', dom)
    assert re.search(r'<label for="field-c0">stars<span class="kind">category</span></label>', dom)
    assert '<option value="4">' in dom  # the known categories are suggested
    assert 'data-state="done"' in dom and re.search(r'<strong id="label">(neg|pos)</strong>', dom), dom[-3000:]
    assert TOKEN not in dom  # taken out of the address bar


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_the_docs_render_with_no_network_once_the_token_is_given(server, tmp_path):
    offline = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"  # any other host fails to resolve
    asked = chromium(server.url + "docs", tmp_path / "profile", offline, "--dump-dom").stdout
    assert '<form id="token-form">' in asked and "opblock" not in asked
    png = tmp_path / "docs.png"
    shown = chromium(f"{server.url}docs#token={TOKEN}", tmp_path / "profile", offline, "--dump-dom").stdout
    assert 'data-path="/predict"' in shown and 'data-path="/v2/models/{model_name}/infer"' in shown, shown[-3000:]
    chromium(f"{server.url}docs#token={TOKEN}", tmp_path / "profile", offline, f"--screenshot={png}",
             "--window-size=1100,900")
    assert png.stat().st_size > 30_000  # Swagger UI's styled page, not a bare one


def test_graceful_shutdown(server):
    """Last in this module: it stops the module's server."""
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(30) == 0
    assert "Traceback" not in server.log.read_text()
