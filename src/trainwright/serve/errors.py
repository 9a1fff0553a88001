"""Every failure as a short JSON message that names the field at fault, never a stack trace.

The server's own routes answer {"detail": message} (FastAPI's convention, plus "errors" listing each field);
the Open Inference Protocol routes under /v2 answer {"error": message}, as that protocol specifies, and report
a malformed request as 400 rather than 422.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

OPEN_INFERENCE_PREFIX = "/v2"
_SHOWN_ERRORS = 3


def is_open_inference(path: str) -> bool:
    return path == OPEN_INFERENCE_PREFIX or path.startswith(OPEN_INFERENCE_PREFIX + "/")


def error_response(path: str, status: int, message: str, errors: list | None = None,
                   headers: dict | None = None) -> JSONResponse:
    if is_open_inference(path):
        body = {"error": message}
    else:
        body = {"detail": message, **({"errors": errors} if errors else {})}
    return JSONResponse(body, status_code=status, headers=headers)


def field_path(location) -> str:
    """('body', 'inputs', 2, 'review') -> 'inputs[2].review'; the body itself is 'body'."""
    path = ""
    for part in location[1:] if location and location[0] == "body" else location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def field_message(error: dict, columns: list[str]) -> str:
    kind, context, location = error.get("type", ""), error.get("ctx") or {}, error.get("loc") or ()
    at_body = tuple(location) in (("body",), ())
    in_record = len(location) > 3  # ('body', 'inputs', 2, column)
    if kind == "json_invalid":
        position = f" at character {location[1]}" if len(location) > 1 else ""
        return f"not valid JSON ({context.get('error', 'cannot be parsed')}{position})"
    if kind == "missing":
        if at_body:
            return 'required: send a JSON object like {"inputs": [...]}'
        return "required text column is missing" if in_record else "required"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if at_body:
            return 'expected a JSON object like {"inputs": [...]}'
        return "expected an object of {column: value}"
    if kind == "too_long":
        return (f"at most {context.get('max_length')} inputs per request (got {context.get('actual_length')}); "
                "split them over several requests")
    if kind == "extra_forbidden":
        if in_record:
            return f"not a column of this model; it reads {', '.join(columns)}"
        return "unknown field"
    messages = {"string_type": "expected text", "float_type": "expected a number",
                "float_parsing": "expected a number", "finite_number": "expected a finite number",
                "list_type": "expected a list", "too_short": "must not be empty"}
    return messages.get(kind, error.get("msg", "invalid"))


def describe(errors: list[dict], columns: list[str]) -> tuple[str, list[dict]]:
    """One message for the whole request ('inputs[2].review: expected text; ...') and one entry per field."""
    described = [{"field": "body" if e.get("type") == "json_invalid" else field_path(e.get("loc") or ()),
                  "message": field_message(e, columns)} for e in errors]
    shown = "; ".join(f"{d['field']}: {d['message']}" for d in described[:_SHOWN_ERRORS])
    if len(described) > _SHOWN_ERRORS:
        shown += f"; and {len(described) - _SHOWN_ERRORS} more"
    return shown, described


def install_error_handlers(app: FastAPI, columns: list[str]) -> None:
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        message, described = describe(list(error.errors()), columns)
        status = 400 if is_open_inference(request.url.path) else 422
        return error_response(request.url.path, status, message, described)

    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return error_response(request.url.path, error.status_code, str(error.detail), headers=error.headers)

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # The last resort: uvicorn logs the traceback; the client gets a short message and the server goes on.
        return error_response(request.url.path, 500, "Internal server error; the server log has the details.")

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
