"""The Open Inference Protocol (KServe v2) REST routes, so KServe, Triton clients and Seldon can call the model.

    GET  /v2                          server metadata
    GET  /v2/health/live, /ready      probes (200 true; 4xx false, as the protocol says)
    GET  /v2/models/{name}            model metadata: input and output tensors
    GET  /v2/models/{name}/ready      model readiness
    POST /v2/models/{name}/infer      inference

Inputs may come as JSON or as binary data (binary_tensors.py), with or without a Content-Type.
Inputs: one BYTES tensor of pictures for an image model (base64 in JSON, raw with binary data; image_inputs.py);
one BYTES tensor of texts for a model that reads one text column; otherwise one tensor per input column,
named after it (BYTES for text and categories, FP32/FP64/INT for numbers; a table column may be left out).
Outputs: `label` BYTES [n] and `probabilities` FP32 [n, classes] (multilabel: `label` holds each input's labels
joined by the model's separator; the parameter `classes` lists the columns of `probabilities` as a JSON
array); regression: `value` FP64 [n].
"""

import json
from typing import Any, Optional

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..version import __version__
from .binary_tensors import BinaryTensorRoute, binary_outputs, binary_response
from .image_inputs import TENSOR_NAME, ImageInputError, checked, flatten, tensor_images
from .service import ModelService

_NUMBER_TYPES = {"FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}
_INTEGER_TYPES = {t for t in _NUMBER_TYPES if "INT" in t}
NOT_READY = 400  # the protocol: "200 indicates true and a 4xx status code indicates false"


class TensorMetadata(BaseModel):
    name: str
    datatype: str
    shape: list[int]


class ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]


class ModelMetadata(BaseModel):
    name: str
    platform: str
    inputs: list[TensorMetadata]
    outputs: list[TensorMetadata]


class RequestInput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    parameters: Optional[dict[str, Any]] = None
    data: list = Field(description="Row-major, flat or nested.")


class RequestOutput(BaseModel):
    name: str
    parameters: Optional[dict[str, Any]] = None


class InferenceRequest(BaseModel):
    id: Optional[str] = None
    parameters: Optional[dict[str, Any]] = None
    inputs: list[RequestInput] = Field(min_length=1)
    outputs: Optional[list[RequestOutput]] = None


class ResponseOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    parameters: Optional[dict[str, Any]] = None
    data: list


class InferenceResponse(BaseModel):
    model_name: str
    id: Optional[str] = None
    outputs: list[ResponseOutput]


class InvalidTensor(ValueError):
    """A request tensor the model cannot read; the message names it."""


def open_inference_router(service: ModelService, max_inputs: int, backend: str, guard=None) -> APIRouter:
    # strict_content_type off: tritonclient sends its JSON without a Content-Type (see json_body.py)
    router = APIRouter(prefix="/v2", tags=["open inference protocol (v2)"], route_class=BinaryTensorRoute,
                       strict_content_type=False)
    protected = [Depends(guard)] if guard is not None else []

    def this_model(model_name: str) -> None:
        """A dependency, so that an unknown model is a 404 before the request body is validated."""
        if model_name != service.name:
            raise HTTPException(404, f"Model '{model_name}' not found; this server serves '{service.name}'.")

    per_model = [*protected, Depends(this_model)]

    @router.get("", response_model=ServerMetadata, dependencies=protected, summary="Server metadata")
    async def server_metadata():
        return {"name": "trainwright", "version": __version__, "extensions": []}

    @router.get("/health/live", summary="The server is alive")
    async def live():
        return {"live": True}

    @router.get("/health/ready", summary="The model is ready")
    async def ready():
        return JSONResponse({"ready": service.ready}, status_code=200 if service.ready else NOT_READY)

    @router.get("/models/{model_name}", response_model=ModelMetadata, dependencies=per_model,
                summary="Model metadata")
    async def model_metadata(model_name: str):
        return {"name": service.name, "platform": f"trainwright_{backend}", "inputs": input_tensors(service),
                "outputs": output_tensors(service)}

    @router.get("/models/{model_name}/ready", dependencies=[Depends(this_model)], summary="The model is ready")
    async def model_ready(model_name: str):
        return JSONResponse({"name": service.name, "ready": service.ready},
                            status_code=200 if service.ready else NOT_READY)

    @router.post("/models/{model_name}/infer", response_model=InferenceResponse, response_model_exclude_none=True,
                 dependencies=per_model, summary="Inference")
    async def infer(model_name: str, request: InferenceRequest):
        try:
            inputs = request_inputs(service, request.inputs, max_inputs)
            wanted = requested_outputs(service, request.outputs)
        except InvalidTensor as error:
            raise HTTPException(400, str(error)) from None
        if len(inputs) > max_inputs:
            raise HTTPException(413, f"inputs: at most {max_inputs} rows per request (got {len(inputs)}); split "
                                     "them over several requests.")
        predictions = await service.predict(inputs)
        outputs = [tensor for tensor in response_tensors(service, predictions) if tensor["name"] in wanted]
        body = {"model_name": service.name, "id": request.id, "outputs": outputs}
        asked = {output.name: output.parameters for output in request.outputs or []}
        binary = binary_outputs(request.parameters, outputs, asked)
        return binary_response(body, binary) if binary else body

    return router


def input_tensors(service: ModelService) -> list[dict]:
    schema = service.schema
    if schema.images:
        return [{"name": TENSOR_NAME, "datatype": "BYTES", "shape": [-1]}]
    types = {**{c: "BYTES" for c in schema.text}, **{c: "FP32" for c in schema.numeric},
             **{c: "BYTES" for c in schema.categorical}}
    return [{"name": column, "datatype": types[column], "shape": [-1]} for column in schema.columns]


def output_tensors(service: ModelService) -> list[dict]:
    if service.task == "regression":
        return [{"name": "value", "datatype": "FP64", "shape": [-1]}]
    return [{"name": "label", "datatype": "BYTES", "shape": [-1]},
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, len(service.classes)]}]


def requested_outputs(service: ModelService, outputs: list[RequestOutput] | None) -> set[str]:
    known = [tensor["name"] for tensor in output_tensors(service)]
    if outputs is None:
        return set(known)
    for output in outputs:
        if output.name not in known:
            raise InvalidTensor(f"outputs: unknown output '{output.name}'; this model has {', '.join(known)}.")
    return {output.name for output in outputs}


def request_inputs(service: ModelService, tensors: list[RequestInput], max_inputs: int = 1024) -> list:
    """Texts (a model that takes plain texts), records, or pictures' bytes, one per row, from the request's
    tensors."""
    schema = service.schema
    if schema.images:
        return _images(tensors, max_inputs)
    if schema.takes_plain_texts and len(tensors) == 1:  # one input: its name does not matter
        return _values(tensors[0], "text")
    by_name = {}
    for tensor in tensors:
        if tensor.name not in schema.columns:
            raise InvalidTensor(f"inputs: unknown input '{tensor.name}'; this model's inputs are "
                                f"{', '.join(schema.columns)}.")
        if tensor.name in by_name:
            raise InvalidTensor(f"inputs: '{tensor.name}' is given twice.")
        by_name[tensor.name] = tensor
    missing = [column for column in schema.text if column not in by_name]
    if missing:
        raise InvalidTensor(f"inputs: missing the text input {', '.join(map(repr, missing))}.")
    kinds = {**{c: "text" for c in schema.text}, **{c: "numeric" for c in schema.numeric},
             **{c: "categorical" for c in schema.categorical}}
    columns = {name: _values(tensor, kinds[name]) for name, tensor in by_name.items()}
    rows = {len(values) for values in columns.values()}
    if len(rows) > 1:
        raise InvalidTensor("inputs: the tensors have different numbers of rows "
                            f"({', '.join(f'{n}: {len(v)}' for n, v in columns.items())}).")
    if schema.takes_plain_texts:
        return columns[schema.text[0]]
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def _images(tensors: list[RequestInput], max_inputs: int) -> list[bytes]:
    """One BYTES tensor of pictures, whatever its name; each picture decoded before it is queued."""
    if len(tensors) != 1:
        raise InvalidTensor(f"inputs: an image model takes one BYTES input ('{TENSOR_NAME}'), got {len(tensors)}.")
    tensor = tensors[0]
    try:
        return checked(tensor_images(tensor.name, tensor.datatype, tensor.shape, tensor.data, max_inputs), 400)
    except ImageInputError as error:
        if error.status == 413:
            raise HTTPException(413, str(error)) from None
        raise InvalidTensor(str(error)) from None


def _values(tensor: RequestInput, kind: str) -> list:
    """One value per row, checked against the tensor's datatype and shape ([n] or [n, 1])."""
    where = f"inputs['{tensor.name}']"
    values = list(flatten(tensor.data))
    shape = tensor.shape
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)) or any(d < 0 for d in shape):
        raise InvalidTensor(f"{where}: shape {shape} is not [n] or [n, 1]: one value per row.")
    if shape[0] != len(values):
        raise InvalidTensor(f"{where}: shape {shape} says {shape[0]} values, data has {len(values)}.")
    if not values:
        raise InvalidTensor(f"{where}: no data; send at least one row.")
    datatype = tensor.datatype.upper()
    if kind == "text" or (kind == "categorical" and datatype == "BYTES"):
        if datatype != "BYTES":
            raise InvalidTensor(f"{where}: datatype {tensor.datatype}; text is BYTES.")
        bad = next((i for i, v in enumerate(values) if not isinstance(v, str)), None)
        if bad is not None and not (kind == "categorical" and values[bad] is None):
            raise InvalidTensor(f"{where}[{bad}]: expected text.")
        return values
    allowed = _INTEGER_TYPES if kind == "categorical" else _NUMBER_TYPES
    if datatype not in allowed:
        expected = "BYTES or an integer type" if kind == "categorical" else "FP32, FP64 or an integer type"
        raise InvalidTensor(f"{where}: datatype {tensor.datatype}; expected {expected}.")
    bad = next((i for i, v in enumerate(values)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)))), None)
    if bad is not None:
        raise InvalidTensor(f"{where}[{bad}]: expected a number.")
    return [str(v) if kind == "categorical" and v is not None else v for v in values]


def response_tensors(service: ModelService, predictions) -> list[dict]:
    n = len(predictions)
    if service.task == "regression":
        return [{"name": "value", "datatype": "FP64", "shape": [n], "data": [float(v) for v in predictions.labels]}]
    if service.task == "multilabel":
        labels = [predictions.separator.join(map(str, row)) for row in predictions.labels]
    else:
        labels = [str(label) for label in predictions.labels]
    classes = len(predictions.classes)
    return [{"name": "label", "datatype": "BYTES", "shape": [n], "data": labels},
            {"name": "probabilities", "datatype": "FP32", "shape": [n, classes],
             "parameters": {"classes": json.dumps([str(c) for c in predictions.classes])},
             "data": [float(p) for p in predictions.probabilities.reshape(-1)]}]
