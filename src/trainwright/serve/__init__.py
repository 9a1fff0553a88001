"""`trainwright serve`: a saved model behind an HTTP API (its own JSON routes and the Open Inference Protocol),
with dynamic micro-batching, Prometheus metrics and a page to try it in a browser."""

from .app import create_app
from .runner import serve
from .settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "serve"]
