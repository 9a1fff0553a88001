"""Requests to an image model, turned into a list of image bytes: one file per input, in order.

Three ways to send pictures, each read here into `[bytes, ...]` for `Predictor.predict`:

    multipart/form-data    one or several files in the fields `file` or `files` (curl -F file=@cat.jpg)
    JSON                   {"images": ["<base64>", "data:image/png;base64,<base64>", ...]}
    JSON records           {"records": [{"image": "<base64>", "price": 9.5, ...}]}, for a model that also reads
                           table columns (resnet+mlp), and the only way to send it pictures
    Open Inference (v2)    {"inputs": [{"name": "image", "datatype": "BYTES", "shape": [n], "data": ["<base64>"]}]}
                           (with the binary data extension, the raw bytes of each file)

Every picture is decoded once here (images/decode.py) before it is queued for the model, so that a broken,
empty, non-image or oversized file is the client's 4xx naming the item and the reason, never the server's 500,
and one bad picture does not fail the other requests batched with it.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from ..images.decode import decode
from ..images.sources import Problem

FIELDS = ("file", "files")  # multipart field names
JSON_KEY = "images"
RECORDS_KEY = "records"  # a model that reads table columns beside each picture: one record per picture
TENSOR_NAME = "image"  # the Open Inference input's name (any name is accepted when it is the only input)
_DATA_URL = "data:"


class ImageInputError(ValueError):
    """A request whose pictures cannot be used; `status` is the HTTP status, the message names the item."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class NamedImage:
    """One picture of a request: where it was in the request (named in errors) and its bytes."""

    where: str  # "files[1] (cat.jpg)", "images[0]", "inputs['image'][2]"
    data: bytes


def serves_images(predictor) -> bool:
    """Does this predictor take pictures (bytes or paths) rather than texts or records?"""
    return bool(getattr(predictor, "takes_images", False))


def json_images(body, max_inputs: int) -> list[NamedImage]:
    """{"images": ["<base64 or data: URL>", ...]} -> the pictures, in order."""
    if not isinstance(body, dict) or JSON_KEY not in body:
        raise ImageInputError(f'body: expected a JSON object like {{"{JSON_KEY}": ["<base64>", ...]}}, or files '
                              f"sent as multipart/form-data in the field {FIELDS[0]!r}.")
    unknown = sorted(set(body) - {JSON_KEY})
    if unknown:
        raise ImageInputError(f"body.{unknown[0]}: unknown field; send only {JSON_KEY!r}.")
    items = body[JSON_KEY]
    if not isinstance(items, list):
        raise ImageInputError(f"{JSON_KEY}: expected a list of base64 strings.")
    _count(len(items), JSON_KEY, max_inputs)
    return [NamedImage(f"{JSON_KEY}[{i}]", from_base64(item, f"{JSON_KEY}[{i}]")) for i, item in enumerate(items)]


def json_records(body, columns: list[str], max_inputs: int) -> tuple[list[NamedImage], list[dict]]:
    """{"records": [{"image": "<base64>", column: value, ...}, ...]}, for a model that reads table columns beside
    each picture -> (the pictures, the records). A column left out of every record is the predictor's error."""
    if not isinstance(body, dict) or set(body) != {RECORDS_KEY} or not isinstance(body[RECORDS_KEY], list):
        raise ImageInputError(records_needed(columns))
    records = body[RECORDS_KEY]
    _count(len(records), RECORDS_KEY, max_inputs)
    pictures = []
    for i, record in enumerate(records):
        where = f"{RECORDS_KEY}[{i}]"
        if not isinstance(record, dict) or TENSOR_NAME not in record:
            raise ImageInputError(f"{where}: expected an object with the picture in base64 under {TENSOR_NAME!r} "
                                  f"and the columns {', '.join(columns)}.")
        where = f"{where}.{TENSOR_NAME}"
        pictures.append(NamedImage(where, from_base64(record[TENSOR_NAME], where)))
    return pictures, records


def records_needed(columns: list[str]) -> str:
    """What to send a model that reads table columns beside each picture."""
    example = ", ".join([f'"{TENSOR_NAME}": "<base64>"'] + [f'"{c}": ...' for c in columns])
    return (f"body: this model reads each picture with the columns {', '.join(columns)}: send JSON "
            f'{{"{RECORDS_KEY}": [{{{example}}}, ...]}}.')


def tensor_images(name: str, datatype: str, shape: list[int], data: list, max_inputs: int) -> list[NamedImage]:
    """An Open Inference BYTES tensor of shape [n] (or [n, 1]): base64 strings, or raw bytes from the binary
    data extension. Raises ImageInputError with status 400, as that protocol reports a malformed request."""
    where = f"inputs['{name}']"
    values = list(flatten(data))
    if datatype.upper() != "BYTES":
        raise ImageInputError(f"{where}: datatype {datatype}; pictures are BYTES (base64 in JSON, or raw with the "
                              "binary data extension).", 400)
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)) or any(d < 0 for d in shape):
        raise ImageInputError(f"{where}: shape {shape} is not [n] or [n, 1]: one picture per row.", 400)
    if shape[0] != len(values):
        raise ImageInputError(f"{where}: shape {shape} says {shape[0]} pictures, data has {len(values)}.", 400)
    _count(len(values), where, max_inputs, 413)
    pictures = []
    for i, value in enumerate(values):
        item = f"{where}[{i}]"
        pictures.append(NamedImage(item, value if isinstance(value, bytes) else from_base64(value, item, 400)))
    return pictures


def upload_images(uploads: list[tuple[str, str | None, bytes]], max_inputs: int) -> list[NamedImage]:
    """Multipart uploads as (field, filename, bytes), in the order sent -> the pictures."""
    if not uploads:
        raise ImageInputError(f"body: no files; send pictures as multipart/form-data in the field {FIELDS[0]!r} "
                              f"or {FIELDS[1]!r} (curl -F {FIELDS[0]}=@picture.jpg).")
    unknown = sorted({field for field, _, _ in uploads} - set(FIELDS))
    if unknown:
        raise ImageInputError(f"body.{unknown[0]}: unknown form field; send files as {FIELDS[0]!r} or "
                              f"{FIELDS[1]!r}.")
    _count(len(uploads), "files", max_inputs)
    return [NamedImage(f"files[{i}]" + (f" ({filename})" if filename else ""), data)
            for i, (_, filename, data) in enumerate(uploads)]


def from_base64(value, where: str = "image", status: int = 422) -> bytes:
    """Base64 text (standard or URL-safe alphabet, padding optional) or a `data:...;base64,` URL -> bytes."""
    if not isinstance(value, str):
        raise ImageInputError(f"{where}: expected a base64 string, got {type(value).__name__}.", status)
    text = value.strip()
    if text.startswith(_DATA_URL):
        header, comma, text = text.partition(",")
        if not comma or not header.endswith(";base64"):
            raise ImageInputError(f"{where}: a data: URL must be base64 (data:image/png;base64,...); got "
                                  f"{header[:40]!r}.", status)
    text = "".join(text.split())  # line breaks, as `base64` wraps its output at 76 characters
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImageInputError(f"{where}: not valid base64 (starts with {text[:12]!r}); send each picture's bytes "
                              "base64-encoded.", status) from None


def checked(pictures: list[NamedImage], status: int = 422) -> list[bytes]:
    """The pictures' bytes, once every one of them decodes; else an ImageInputError naming the first bad one and
    why (empty, not an image, truncated, too many pixels), and how many others are bad too."""
    problems = []
    for picture in pictures:
        result = decode(picture.data, picture.where)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            result.image.close()
    if problems:
        more = f" ({len(problems) - 1} more of the {len(pictures)} pictures cannot be used either)" \
            if len(problems) > 1 else ""
        reason = problems[0].message.removesuffix("; left out")
        raise ImageInputError(f"{reason}{more}. Nothing was predicted; send PNG, JPEG, BMP, GIF, WebP or TIFF "
                              "files.", status)
    return [picture.data for picture in pictures]


def example_image() -> bytes:
    """A 32 x 32 grey PNG: the warm-up input of an image model, and the example of the API docs."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (128, 128, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def _count(n: int, where: str, max_inputs: int, status: int = 422) -> None:
    """At least one picture, at most max_inputs (422 on /predict, as for texts; 413 on /v2, as there)."""
    if n == 0:
        raise ImageInputError(f"{where}: no pictures; send at least one.", 400 if status == 413 else status)
    if n > max_inputs:
        raise ImageInputError(f"{where}: at most {max_inputs} pictures per request (got {n}); split them over "
                              "several requests.", status)


def flatten(data):
    """The values of a tensor's nested lists, in order (Open Inference sends a shape's data nested or flat)."""
    for item in data:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item
