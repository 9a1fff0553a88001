"""The Open Inference Protocol's binary tensor data extension, as Triton's clients use it by default.

A request with the header `Inference-Header-Content-Length: N` is N bytes of JSON followed by the raw data of
each input whose `parameters` hold `binary_data_size`, in the order of the inputs. The data are read here and
put in the input's `data`, so that the inference route sees one kind of request. BYTES elements are each a
4-byte little-endian length and the bytes; numbers are little-endian, row-major. Outputs are sent the same way
when the request asks for it (`binary_data_output`, or an output's `binary_data`), as Triton's clients do by
default: they then get BYTES back as bytes, as from Triton.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
from fastapi import HTTPException, Response

from .json_body import JsonRequest, JsonRoute

HEADER = "inference-header-content-length"
_DTYPES = {"FP16": "<f2", "FP32": "<f4", "FP64": "<f8", "INT8": "i1", "INT16": "<i2", "INT32": "<i4",
           "INT64": "<i8", "UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8"}


class BinaryTensorRequest(JsonRequest):
    def decode(self, body: bytes) -> Any:
        declared = self.headers.get(HEADER)
        if declared is None:
            return super().decode(body)
        if not declared.isdigit() or int(declared) > len(body):
            raise HTTPException(400, f"{HEADER}: {declared!r} is not the length of the request's JSON part "
                                     f"(the body has {len(body)} bytes).")
        request = super().decode(body[:int(declared)])
        rest = memoryview(body)[int(declared):]
        for tensor in request.get("inputs", []) if isinstance(request, dict) else []:
            size = (tensor.get("parameters") or {}).get("binary_data_size") if isinstance(tensor, dict) else None
            if size is None:
                continue
            where = f"inputs['{tensor.get('name')}']"
            if not isinstance(size, int) or size < 0 or size > len(rest):
                raise HTTPException(400, f"{where}: binary_data_size {size} is more than the {len(rest)} bytes "
                                         "left in the body.")
            tensor["data"] = _elements(bytes(rest[:size]), str(tensor.get("datatype", "")).upper(), where)
            rest = rest[size:]
        if len(rest):
            raise HTTPException(400, f"body: {len(rest)} bytes follow the inputs' binary data; check each "
                                     "input's binary_data_size.")
        return request


class BinaryTensorRoute(JsonRoute):
    request_class = BinaryTensorRequest


def _elements(data: bytes, datatype: str, where: str) -> list:
    if datatype == "BYTES":
        texts, offset = [], 0
        while offset < len(data):
            if offset + 4 > len(data):
                raise HTTPException(400, f"{where}: BYTES data end inside an element's 4-byte length.")
            (length,) = struct.unpack_from("<I", data, offset)
            element = data[offset + 4:offset + 4 + length]
            if len(element) < length:
                raise HTTPException(400, f"{where}[{len(texts)}]: BYTES element says {length} bytes, "
                                         f"{len(element)} remain.")
            try:
                texts.append(element.decode("utf-8"))
            except UnicodeDecodeError:  # a picture's bytes: an image model reads them, a text model refuses them
                texts.append(element)
            offset += 4 + length
        return texts
    if datatype not in _DTYPES:
        raise HTTPException(400, f"{where}: datatype {datatype!r} cannot be sent as binary data here; use one of "
                                 f"BYTES, {', '.join(_DTYPES)}.")
    dtype = np.dtype(_DTYPES[datatype])
    if len(data) % dtype.itemsize:
        raise HTTPException(400, f"{where}: {len(data)} bytes is not a whole number of {datatype} values.")
    return np.frombuffer(data, dtype=dtype).tolist()


def binary_outputs(request_parameters: dict | None, outputs: list[dict], asked: dict[str, dict | None]) -> set[str]:
    """The outputs to send as binary data: per output `binary_data`, else the request's `binary_data_output`."""
    default = bool((request_parameters or {}).get("binary_data_output", False))
    return {output["name"] for output in outputs
            if (asked.get(output["name"]) or {}).get("binary_data", default)}


def binary_response(body: dict, binary: set[str]) -> Response:
    """`body` as JSON, followed by the data of the `binary` outputs, which leave `data` for `binary_data_size`."""
    chunks = []
    for output in body["outputs"]:
        if output["name"] not in binary:
            continue
        data = output.pop("data")
        if output["datatype"] == "BYTES":
            encoded = [str(value).encode("utf-8") for value in data]
            chunk = b"".join(struct.pack("<I", len(value)) + value for value in encoded)
        else:
            chunk = np.asarray(data, dtype=_DTYPES[output["datatype"]]).tobytes()
        output["parameters"] = {**(output.get("parameters") or {}), "binary_data_size": len(chunk)}
        chunks.append(chunk)
    header = json.dumps({k: v for k, v in body.items() if v is not None}, ensure_ascii=False).encode("utf-8")
    return Response(header + b"".join(chunks), media_type="application/octet-stream",
                    headers={"Inference-Header-Content-Length": str(len(header))})
