"""The server's knobs, and their round trip through environment variables.

Uvicorn starts each worker of a multi-worker server in a fresh process from an import string, so the settings
reach the workers through the environment rather than as Python objects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import ConfigError

TOKEN_VARIABLE = "TRAINWRIGHT_TOKEN"
ENV_PREFIX = "TRAINWRIGHT_SERVE_"
MIB = 1 << 20


@dataclass(frozen=True)
class ServeSettings:
    """token: the bearer token every route requires but the health probes and the page shells (None: open).
    max_batch_size: the most inputs run in one forward pass when concurrent requests are batched together.
    max_wait_ms: how long a batch that already has company waits for more requests (a lone request never waits).
    max_body_bytes: larger request bodies get 413. max_inputs: more inputs in one request get 422.
    model_dir: the saved model, for the metrics and versions shown by /metadata. backend: the predictor's backend.
    """

    token: str | None = None
    max_batch_size: int = 64
    max_wait_ms: float = 2.0
    max_body_bytes: int = MIB
    max_inputs: int = 1024
    model_dir: Path | None = None
    backend: str = "torch"

    def __post_init__(self):
        for name in ("max_batch_size", "max_body_bytes", "max_inputs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"serve: {name} must be at least 1, not {getattr(self, name)}.")
        if self.max_wait_ms < 0:
            raise ConfigError(f"serve: max_wait_ms must be 0 or more, not {self.max_wait_ms}.")
        if self.token is not None and not self.token.strip():
            raise ConfigError("serve: the token is empty; pass a real token or none.")

    def to_environment(self) -> dict[str, str]:
        """The settings as environment variables (the token under TRAINWRIGHT_TOKEN, as a user would set it)."""
        env = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "token":
                if value is not None:
                    env[TOKEN_VARIABLE] = value
            elif value is not None:
                env[ENV_PREFIX + field.name.upper()] = str(value)
        return env

    @classmethod
    def from_environment(cls, environ=None) -> ServeSettings:
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            if field.name == "token":
                raw = environ.get(TOKEN_VARIABLE) or None
            else:
                raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            convert = {"max_wait_ms": float, "model_dir": Path, "backend": str}.get(field.name, int)
            try:
                values[field.name] = convert(raw) if field.name != "token" else raw
            except ValueError:
                raise ConfigError(f"{ENV_PREFIX}{field.name.upper()}={raw!r} is not a valid {field.name}.") from None
        return cls(**values)

