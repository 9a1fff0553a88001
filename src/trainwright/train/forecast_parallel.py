"""Per-series work of a forecast run in parallel processes: the statistical baselines are fit series by series,
each fit single-threaded, so a panel's series are shared among worker processes in chunks.

    results = map_series(fit_one, items, workers=4)   # fit_one(item) for every item, in order

Processes, not threads: statsmodels' fits hold the GIL for most of their time. The workers are started fresh
(spawn) rather than forked, since a fork of a process that has run torch can deadlock in its thread pools. Each
chunk's log messages are recorded in the worker and told by the parent in the order of the series, so a parallel
run says exactly what a serial one says; the results are the same values, computed by the same code.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from ..log import logger

CHUNKS_PER_WORKER = 4  # several chunks each, so that a worker given the slow series does not finish last alone
MIN_CHUNK = 4  # fewer series than this per chunk cost more to send than to fit


def map_series(function: Callable, items: Sequence, workers: int) -> list:
    """`[function(item) for item in items]`, on `workers` processes when there are enough items to share;
    `function` must be a module-level function (it is sent to the workers by name)."""
    if workers <= 1 or len(items) < 2 * MIN_CHUNK:
        return [function(item) for item in items]
    size = max(MIN_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    results: list = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context) as pool:
        for values, messages in pool.map(_run_chunk, [function] * len(chunks), chunks):
            for level, message in messages:
                logger.log(level, message)
            results.extend(values)
    return results


def _run_chunk(function: Callable, items: Sequence) -> tuple[list, list[tuple[int, str]]]:
    """In a worker: the chunk's results and the log messages they gave, to be told by the parent."""
    handler = MessageRecorder()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # told once, by the parent
    try:
        return [function(item) for item in items], handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


class MessageRecorder(logging.Handler):
    """Keeps the (level, message) of each record instead of printing it, for another process to tell."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelno, record.getMessage()))
