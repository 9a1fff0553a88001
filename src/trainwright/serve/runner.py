"""`serve`: run the app under uvicorn, one process or several.

With several workers uvicorn starts each one from an import string (`app_from_environment`, a factory), so the
settings travel through environment variables and each worker loads its own copy of the model.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from ..errors import ConfigError
from ..log import logger
from .settings import ENV_PREFIX, MIB, TOKEN_VARIABLE, ServeSettings

_MODEL_DIR = ENV_PREFIX + "MODEL_DIR"
_NAME = ENV_PREFIX + "NAME"
_THREADS = ENV_PREFIX + "THREADS"
IMAGE_BODY_BYTES = 32 * MIB  # a few phone photos per request
GRACEFUL_SHUTDOWN_S = 10  # in-flight requests get this long to finish after Ctrl+C / SIGTERM


def serve(model_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          token: str | None = None, backend: str = "torch", max_batch_size: int = 64, max_wait_ms: float = 2.0,
          max_body_bytes: int | None = None, max_inputs: int = 1024, threads: int | None = None, name: str | None = None,
          log_level: str = "warning", forecaster=None) -> None:
    """Serve the model saved in `model_dir` until interrupted, and print its URL once it is ready.

    host: 127.0.0.1 by default; binding any other address without a token logs a warning. port 0 picks a free
    port (one worker only). workers > 1: that many processes, each with its own copy of the model (the settings
    reach them through environment variables set in this process).
    token: required as `Authorization: Bearer <token>` on the prediction and metadata routes; default: the
    TRAINWRIGHT_TOKEN environment variable, else none. backend: "torch" (or "onnx" where the artifact has one).
    max_batch_size, max_wait_ms: micro-batching (see ServeSettings). max_body_bytes: larger bodies get 413;
    max_inputs: more inputs per request get 422. threads: torch threads per worker (default: torch's choice).
    name: the model's name in the API (default: the directory's name). log_level: uvicorn's.
    forecaster: when `model_dir` is a forecast run, its loaded RunForecaster (train/forecast_predict.py; the CLI
    loads it, serve sits beside train): the forecast app serves it, in one worker.
    """
    from ..artifact import load_artifact

    _show_warnings()
    model_dir = Path(model_dir)
    token = token if token is not None else (os.environ.get(TOKEN_VARIABLE) or None)
    if max_body_bytes is None:
        max_body_bytes = IMAGE_BODY_BYTES if forecaster is None and reads_images(model_dir) else MIB
    settings = ServeSettings(token=token, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms,
                             max_body_bytes=max_body_bytes, max_inputs=max_inputs, model_dir=model_dir,
                             backend=backend)
    name = name or model_dir.resolve().name
    if workers < 1:
        raise ConfigError(f"serve: workers must be at least 1, not {workers}.")
    if workers > 1 and port == 0:
        raise ConfigError("serve: port 0 (any free port) works with one worker only; choose a port.")
    if token is None and not _is_loopback(host):
        logger.warning(f"Serving on {host} without a token: anyone who can reach this address can use the model. "
                       f"Set --token or {TOKEN_VARIABLE}.")
    # access_log off: a log line per request costs more than the request; server_header off: no version banner
    options = dict(host=host, port=port, log_level=log_level, access_log=False, server_header=False, loop=_loop(),
                   http=_http(), timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    if forecaster is not None:
        if workers > 1 or backend != "torch":
            raise ConfigError(f"serve: a forecast run ({model_dir}) is served by one worker as it is; leave out "
                              "--workers and --backend.")
        from .forecast_app import create_forecast_app

        server = _AnnouncingServer(uvicorn.Config(create_forecast_app(forecaster, name, settings), **options), name)
        with _quiet_interrupt():
            server.run()
        return
    if workers == 1:
        _set_threads(threads)
        predictor = load_artifact(model_dir).predictor(backend)
        from .app import create_app

        server = _AnnouncingServer(uvicorn.Config(create_app(predictor, name, settings), **options), name)
        with _quiet_interrupt():
            server.run()
        return
    load_artifact(model_dir)  # fail here with a clear message rather than once per worker
    os.environ.update(settings.to_environment())
    os.environ.update({_NAME: name, **({_THREADS: str(threads)} if threads else {})})
    # Each worker loads the model and warms up before it answers; until then connections wait in the backlog.
    print(f"Serving '{name}' at {_url(host, port)} with {workers} workers (Ctrl+C to stop)", flush=True)
    with _quiet_interrupt():
        uvicorn.run("trainwright.serve.runner:app_from_environment", factory=True, workers=workers, **options)


def reads_images(model_dir: Path) -> bool:
    """Whether the saved model reads pictures (its preprocessing has an image encoder); False when unreadable
    (loading the model then says why)."""
    try:
        return bool(json.loads((model_dir / "preprocessing.json").read_text(encoding="utf-8")).get("images"))
    except (OSError, ValueError, AttributeError):
        return False


def app_from_environment():
    """The app factory each worker process calls, configured by the variables `serve` set."""
    from .app import create_app

    settings = ServeSettings.from_environment()
    threads = os.environ.get(_THREADS)
    _set_threads(int(threads) if threads else None)
    model_dir = os.environ.get(_MODEL_DIR)
    if not model_dir:
        raise ConfigError(f"{_MODEL_DIR} is not set: start the server with trainwright serve.")
    from ..artifact import load_artifact

    predictor = load_artifact(model_dir).predictor(settings.backend)
    return create_app(predictor, os.environ.get(_NAME) or Path(model_dir).resolve().name, settings)


class _AnnouncingServer(uvicorn.Server):
    """Prints the URL once the model is warmed up and the socket listens (with the real port when 0 was asked)."""

    def __init__(self, config: uvicorn.Config, name: str):
        super().__init__(config)
        self.model_name = name

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.should_exit or not self.servers:
            return
        host, port = self.servers[0].sockets[0].getsockname()[:2]
        print(f"Serving '{self.model_name}' at {_url(self.config.host, port)} (Ctrl+C to stop)", flush=True)


@contextmanager
def _quiet_interrupt():
    """Uvicorn shuts down gracefully on Ctrl+C, then raises the interrupt again; that is the normal end."""
    try:
        yield
    except KeyboardInterrupt:
        print("Stopped.", flush=True)


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _set_threads(threads: int | None) -> None:
    if threads:
        import torch

        torch.set_num_threads(threads)


def _loop() -> str:
    try:
        import uvloop  # noqa: F401
        return "uvloop"
    except ImportError:
        return "auto"


def _http() -> str:
    try:
        import httptools  # noqa: F401
        return "httptools"
    except ImportError:
        return "auto"


def _show_warnings() -> None:
    """Outside the CLI (which sets up its own), let the trainwright logger's warnings reach stderr."""
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
