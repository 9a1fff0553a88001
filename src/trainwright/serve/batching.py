"""Dynamic micro-batching: concurrent requests share one forward pass.

One worker thread owns the predictor: torch runs best with one caller, and the event loop stays free to parse
and answer requests while a batch runs. Requests queue up; the worker takes the oldest, adds whatever else is
already waiting (up to `max_batch_size` inputs), runs them as one batch and hands each request exactly its
own rows back.

Waiting for more requests only pays under load, so the worker waits (at most `max_wait_ms` after the oldest
request arrived) only when it sees concurrency: other requests queued, or the last batch serving several. A
lone client's request runs at once. Under load the queue fills while a batch runs, so batches grow by
themselves and throughput approaches that of offline batch prediction.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable


class BatcherClosed(RuntimeError):
    """The batcher was stopped (the server is shutting down) before this request ran."""


@dataclass
class _Request:
    inputs: list
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    queued_at: float = field(default_factory=time.monotonic)


_STOP = object()  # the sentinel that ends the worker, after the requests queued before it


class MicroBatcher:
    """run(inputs) -> result runs on the worker thread only; split(result, start, stop) cuts one request's rows
    out of a batch's result; on_batch(inputs, seconds) observes each batch that ran."""

    def __init__(self, run: Callable[[list], Any], split: Callable[[Any, int, int], Any], max_batch_size: int = 64,
                 max_wait_ms: float = 2.0, on_batch: Callable[[int, float], None] | None = None):
        self._run = run
        self._split = split
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self._on_batch = on_batch or (lambda size, seconds: None)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._held: _Request | None = None  # did not fit in the last batch: it leads the next one
        self._busy = False  # the last batch served several requests: expect company
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="trainwright-predictor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30) -> None:
        """Finish the requests already queued, then end the worker; later submissions raise BatcherClosed."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    async def submit(self, inputs: list):
        """The result for these inputs alone, computed in a batch with whatever else is queued. An exception
        raised by the batch is raised here, for the requests of that batch only."""
        if self._closed or self._thread is None:
            raise BatcherClosed("The model is not running (the server is starting or shutting down).")
        loop = asyncio.get_running_loop()
        request = _Request(list(inputs), loop.create_future(), loop)
        self._queue.put(request)
        return await request.future

    # The worker thread.

    def _work(self) -> None:
        while True:
            first = self._held if self._held is not None else self._queue.get()
            self._held = None
            if first is _STOP:
                break
            batch, stopping = self._gather(first)
            self._execute(batch)
            self._busy = len(batch) > 1
            if stopping:
                break
        self._fail_leftovers()

    def _gather(self, first: _Request) -> tuple[list[_Request], bool]:
        """The batch led by `first`, and whether the stop sentinel was met."""
        batch, size = [first], len(first.inputs)
        deadline = first.queued_at + self.max_wait
        while size < self.max_batch_size:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if (len(batch) == 1 and not self._busy) or remaining <= 0:
                    break  # alone, or waited long enough: waiting longer only adds latency
                try:
                    request = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if request is _STOP:
                return batch, True
            if size + len(request.inputs) > self.max_batch_size:
                self._held = request
                break
            batch.append(request)
            size += len(request.inputs)
        return batch, False

    def _execute(self, batch: list[_Request]) -> None:
        inputs = [item for request in batch for item in request.inputs]
        started = time.perf_counter()
        try:
            result = self._run(inputs)
            if len(result) != len(inputs):
                raise RuntimeError(f"the model returned {len(result)} predictions for {len(inputs)} inputs")
        except Exception as error:
            if len(batch) > 1:  # run each request alone, so that only the one that fails gets the error
                for request in batch:
                    self._execute([request])
                return
            _settle(batch[0], error=error)
            return
        self._on_batch(len(inputs), time.perf_counter() - started)
        start = 0
        for request in batch:
            stop = start + len(request.inputs)
            _settle(request, result=self._split(result, start, stop))
            start = stop

    def _fail_leftovers(self) -> None:
        leftovers = [self._held] if self._held is not None else []
        while True:
            try:
                leftovers.append(self._queue.get_nowait())
            except queue.Empty:
                break
        for request in leftovers:
            if request is not _STOP:
                _settle(request, error=BatcherClosed("The server is shutting down."))


def _settle(request: _Request, result=None, error: BaseException | None = None) -> None:
    """Hand the outcome to the request's event loop (futures are not thread-safe)."""

    def deliver():
        if request.future.done():  # the client went away and the request was cancelled
            return
        if error is not None:
            request.future.set_exception(error)
        else:
            request.future.set_result(result)

    try:
        request.loop.call_soon_threadsafe(deliver)
    except RuntimeError:  # that event loop is closed: nobody is waiting any more
        pass
