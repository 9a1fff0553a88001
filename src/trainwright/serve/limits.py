"""The request body limit: a body over `max_bytes` gets 413 before the app parses any of it."""

from __future__ import annotations

from .errors import error_response

_BODYLESS = {"GET", "HEAD", "OPTIONS"}


class BodyLimitMiddleware:
    """Reads the body (refusing at once when Content-Length already says too much, or as soon as a streamed
    body passes the limit), then replays it to the app, which would have read it whole anyway."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _BODYLESS:
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client disconnected
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self._refuse(scope, receive, send)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server's receive does

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send):
        limit = f"{self.max_bytes / (1 << 20):g} MiB" if self.max_bytes >= 1 << 20 else f"{self.max_bytes} bytes"
        response = error_response(scope["path"], 413, f"body: the request body is over the {limit} limit; send "
                                                       "fewer or shorter inputs per request.")
        await response(scope, receive, send)
