"""Request bodies read as JSON the way real clients send them, and refused cleanly when they are not text.

Clients such as `tritonclient[http]` send no Content-Type: a body without one is read as JSON. FastAPI refuses
that by default against cross-site requests that skip CORS preflight; here such a request could only ask for a
prediction it cannot read back, and with a token it has none, so nothing is lost by accepting it.

JSON may spell a lone surrogate (`"\\ud800"`), which is no Unicode text: every later step that encodes it would
fail. It is refused when the body is read, naming where it is, as are bytes that are not UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from .errors import field_path, is_open_inference


class JsonRequest(Request):
    """A request whose `json()` is strict about Unicode (decoded once, then cached as Starlette does)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = self.decode(await self.body())
        return self._json

    def decode(self, body: bytes) -> Any:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            # Reported by FastAPI like any other unreadable body: "body: not valid JSON (...)"
            raise json.JSONDecodeError("not UTF-8 text", body.decode("utf-8", "replace"), error.start) from None
        value = json.loads(text)
        where = _lone_surrogate(value) if "\\u" in text else None  # only an escape can spell one
        if where is not None:
            status = 400 if is_open_inference(self.url.path) else 422
            # backslashreplace: the field may be a key holding the surrogate, and the message must encode
            field = field_path(("body", *where)).encode("utf-8", "backslashreplace").decode("utf-8")
            raise HTTPException(status, f"{field}: not valid Unicode (it holds a lone surrogate such as "
                                        "\\ud800); send real text, encoded as UTF-8.")
        return value


class JsonRoute(APIRoute):
    """A route reading its body through `request_class`; FastAPI's documented way to customise body parsing."""

    request_class: type[JsonRequest] = JsonRequest

    def get_route_handler(self):
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await handle(self.request_class(request.scope, request.receive))

        return handler


def _lone_surrogate(value: Any, path: tuple = ()) -> tuple | None:
    """The path to the first string (or key) that cannot be encoded as UTF-8, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate(item, (*path, index))
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _lone_surrogate(key, (*path, key)) or _lone_surrogate(item, (*path, key))
            if found is not None:
                return found
    return None
