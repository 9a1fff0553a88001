"""Dynamic micro-batching: concurrent requests share batches, each gets exactly its own rows, a lone request does
not wait, and a failing request fails alone. Then the same through the app, on a real tiny model."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import httpx
import numpy as np
import pytest

from conftest import make_reviews
import trainwright
from trainwright.serve import ServeSettings, create_app
from trainwright.serve.batching import BatcherClosed, MicroBatcher


class Recorder:
    """A stand-in model: answers each input with itself uppercased, records the batches, takes `delay` each."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.batches: list[list] = []
        self.threads: set[str] = set()

    def run(self, inputs: list) -> list:
        self.batches.append(list(inputs))
        self.threads.add(threading.current_thread().name)
        if any(item == "bad" for item in inputs):
            raise ValueError("cannot read 'bad'")
        time.sleep(self.delay)
        return [item.upper() for item in inputs]


def batcher_for(recorder: Recorder, **options) -> MicroBatcher:
    return MicroBatcher(recorder.run, lambda result, start, stop: result[start:stop], **options)


async def submit_all(batcher: MicroBatcher, requests: list[list]):
    batcher.start()
    try:
        return await asyncio.gather(*(batcher.submit(r) for r in requests), return_exceptions=True)
    finally:
        batcher.stop()


def test_concurrent_requests_share_batches_and_get_their_own_rows():
    recorder = Recorder(delay=0.01)
    requests = [[f"r{i}-{j}" for j in range(1 + i % 3)] for i in range(30)]
    results = asyncio.run(submit_all(batcher_for(recorder, max_batch_size=16, max_wait_ms=5), requests))
    assert results == [[item.upper() for item in request] for request in requests]
    sizes = [len(batch) for batch in recorder.batches]
    assert sum(sizes) == sum(map(len, requests)) and max(sizes) > 1 and max(sizes) <= 16
    assert len(recorder.batches) < len(requests)
    assert recorder.threads == {"trainwright-predictor"}  # one thread owns the model


def test_a_lone_request_does_not_wait_for_company():
    recorder = Recorder()
    batcher = batcher_for(recorder, max_wait_ms=2000)

    async def timed():
        batcher.start()
        try:
            started = time.perf_counter()
            assert await batcher.submit(["x"]) == ["X"]
            return time.perf_counter() - started
        finally:
            batcher.stop()

    assert asyncio.run(timed()) < 0.5


def test_a_failing_request_fails_alone():
    recorder = Recorder(delay=0.01)
    requests = [["a"], ["b", "c"], ["bad"], ["d"], ["e"]]
    results = asyncio.run(submit_all(batcher_for(recorder, max_batch_size=64, max_wait_ms=20), requests))
    assert results[0] == ["A"] and results[1] == ["B", "C"] and results[3] == ["D"] and results[4] == ["E"]
    assert isinstance(results[2], ValueError) and str(results[2]) == "cannot read 'bad'"
    assert any("bad" in batch and len(batch) > 1 for batch in recorder.batches)  # it did share a batch


def test_a_request_larger_than_a_batch_runs_alone_and_whole():
    recorder = Recorder()
    big = [f"x{i}" for i in range(20)]
    results = asyncio.run(submit_all(batcher_for(recorder, max_batch_size=8), [big]))
    assert results == [[x.upper() for x in big]] and recorder.batches[-1] == big


def test_stopped_batcher_refuses_requests():
    batcher = batcher_for(Recorder())

    async def after_stop():
        batcher.start()
        batcher.stop()
        await batcher.submit(["x"])

    with pytest.raises(BatcherClosed):
        asyncio.run(after_stop())


def test_app_batches_concurrent_requests_on_a_real_model(tiny_text_model):
    predictor = trainwright.load(tiny_text_model)
    real_predict = predictor.predict

    def slow_predict(inputs, source="input"):  # a slower model, so that requests queue up behind each batch
        time.sleep(0.005)
        return real_predict(inputs, source)

    predictor.predict = slow_predict
    app = create_app(predictor, "reviews", ServeSettings(max_batch_size=16))
    texts = make_reviews(40, seed=21)["review"].tolist()

    async def load():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                responses = await asyncio.gather(*(client.post("/predict", json={"inputs": [t]}) for t in texts))
                return responses, (await client.get("/metrics")).text

    responses, metrics = asyncio.run(load())
    assert all(r.status_code == 200 for r in responses)
    expected = real_predict(texts)
    assert [r.json()["predictions"][0]["label"] for r in responses] == expected.labels
    got = np.array([[r.json()["predictions"][0]["probabilities"][c] for c in expected.classes] for r in responses])
    np.testing.assert_allclose(got, expected.probabilities, atol=1e-6)

    def value(sample):
        return float(re.search(rf"^{re.escape(sample)} (\S+)$", metrics, re.M).group(1))

    batches, alone = value("trainwright_batch_size_count"), value('trainwright_batch_size_bucket{le="1.0"}')
    assert value("trainwright_batch_size_sum") == 40
    assert batches < 40 and alone < batches  # some batches held several requests
