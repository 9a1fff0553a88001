"""POST /predict for an image model: pictures as multipart/form-data files or as base64 JSON, one prediction per
picture in the order sent, in the same shape as for texts ({"model", "predictions": [{label, probabilities}]})."""

# No `from __future__ import annotations`: FastAPI reads the response model from the live annotation.

import json

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from .image_inputs import (FIELDS, JSON_KEY, RECORDS_KEY, TENSOR_NAME, ImageInputError, NamedImage, checked,
                           json_images, json_records, records_needed, upload_images)
from .json_body import JsonRoute
from .predictions import prediction_rows
from .service import ModelService

_MULTIPART = "multipart/form-data"
# The request body as /docs shows it: the route reads either kind itself, so FastAPI cannot infer it.
REQUEST_BODY = {"required": True, "content": {
    _MULTIPART: {"schema": {"type": "object", "properties": {
        FIELDS[0]: {"type": "array", "items": {"type": "string", "format": "binary"},
                    "description": f"One or more pictures (or the field {FIELDS[1]!r})."}}}},
    "application/json": {"schema": {"type": "object", "required": [JSON_KEY], "properties": {
        JSON_KEY: {"type": "array", "items": {"type": "string"}, "minItems": 1,
                   "description": "Each picture's bytes in base64, or a data:image/...;base64, URL."}}}},
}}


def image_router(service: ModelService, response_model, max_inputs: int, guard=None) -> APIRouter:
    router = APIRouter(route_class=JsonRoute, strict_content_type=False)
    protected = [Depends(guard)] if guard is not None else []

    @router.post("/predict", response_model=response_model, dependencies=protected, tags=["prediction"],
                 summary=f"Predict {service.predictor.target_column} from pictures", openapi_extra={
                     "requestBody": REQUEST_BODY},
                 description="Send pictures (PNG, JPEG, BMP, GIF, WebP, TIFF) as multipart/form-data files in the "
                             f"field {FIELDS[0]!r}, or as JSON {{{JSON_KEY!r}: [base64, ...]}}; get one prediction "
                             "per picture, in order.")
    async def predict(request: Request):
        columns = service.schema.numeric + service.schema.categorical  # read beside each picture, if any
        try:
            if columns and _is_multipart(request):
                raise ImageInputError(records_needed(columns))
            if columns:
                pictures, records = json_records(await _json(request, RECORDS_KEY), columns, max_inputs)
            else:
                pictures = await read_pictures(request, max_inputs)
            images = await run_in_threadpool(checked, pictures)  # decoding is CPU work: off the event loop
        except ImageInputError as error:
            raise HTTPException(error.status, str(error)) from None
        inputs = [{**record, TENSOR_NAME: image} for record, image in zip(records, images)] if columns else images
        predictions = await service.predict(inputs)
        return {"model": service.name, "predictions": prediction_rows(predictions, service.task)}

    return router


async def read_pictures(request: Request, max_inputs: int) -> list[NamedImage]:
    """The request's pictures, from a multipart form or from JSON, whichever its Content-Type says."""
    if _is_multipart(request):
        return upload_images(await _uploads(request, max_inputs), max_inputs)
    return json_images(await _json(request, JSON_KEY), max_inputs)


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith(_MULTIPART)


async def _json(request: Request, key: str):
    """The request's JSON body; an ImageInputError saying what to send (under `key`) where it is not JSON."""
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8 text"
        if key == JSON_KEY:
            expected = f"{{{key!r}: [base64, ...]}} with Content-Type application/json, or files as {_MULTIPART}"
        else:
            expected = f"{{{key!r}: [{{...}}, ...]}} with Content-Type application/json"
        raise ImageInputError(f"body: not valid JSON ({reason}); send {expected}.") from None


async def _uploads(request: Request, max_inputs: int) -> list[tuple[str, str | None, bytes]]:
    """(field, filename, bytes) of each part, in order. A text field where a file belongs is the client's error."""
    try:
        # one more than allowed, so that too many files get upload_images' message rather than the parser's
        form = await request.form(max_files=max_inputs + 1, max_fields=max_inputs + 1)
    except MultiPartException as error:
        raise ImageInputError(f"body: the multipart/form-data cannot be read ({error.message}).", 400) from None
    uploads = []
    try:
        for field, value in form.multi_items():
            if not isinstance(value, UploadFile):
                raise ImageInputError(f"body.{field}: a text field; send the picture as a file "
                                      f"(curl -F {field}=@picture.jpg).")
            uploads.append((field, value.filename, await value.read()))
    finally:
        await form.close()
    return uploads
