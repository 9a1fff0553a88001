"""Prometheus metrics in the app's own registry (two apps in one process never share counters), and the ASGI
middleware that counts every HTTP request by route template and status."""

from __future__ import annotations

import time

from starlette.routing import compile_path
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
UNMATCHED = "unmatched"  # one label for every unknown path, so scanners cannot blow up the label set


class ServerMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("trainwright_http_requests", "HTTP requests by route, method and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("trainwright_http_request_duration_seconds", "HTTP request latency by route.",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.batch_size = Histogram("trainwright_batch_size", "Inputs per forward pass of the model.",
                                    buckets=BATCH_BUCKETS, registry=self.registry)
        self.batch_duration = Histogram("trainwright_batch_duration_seconds", "Time the model took per batch.",
                                        buckets=LATENCY_BUCKETS, registry=self.registry)
        self.predictions = Counter("trainwright_predictions", "Inputs predicted.", registry=self.registry)

    def observe_batch(self, size: int, seconds: float) -> None:
        """Called from the batching worker thread; prometheus_client metrics are thread-safe."""
        self.batch_size.observe(size)
        self.batch_duration.observe(seconds)
        self.predictions.inc(size)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it adds microseconds, not a task per request."""

    def __init__(self, app, metrics: ServerMetrics, route_paths):
        self.app = app
        self.metrics = metrics
        self.route_paths = route_paths  # () -> the app's path templates, for requests answered before routing
        self._patterns = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500 outside this middleware

        async def send_and_record_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or self._route_template(scope)
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)

    def _route_template(self, scope) -> str:
        """The route of a request answered before routing (the body limit's 413, say)."""
        if self._patterns is None:
            self._patterns = [(compile_path(path)[0], path) for path in self.route_paths()]
        return next((path for pattern, path in self._patterns if pattern.match(scope["path"])), UNMATCHED)
