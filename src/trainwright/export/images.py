"""An image model (resnet, efficientnet_lite0) as an ONNX graph, kept only if it computes the model's logits.

    images (batch, channels, height, width) float32 in [0, 1] -> logits (batch, classes)

The batch axis is dynamic; channels, height and width are the ones the model was traced with, which are the
size the image encoder resizes every picture to. They are fixed on purpose: EfficientNet's prepare() resizes
only when the size differs, a Python branch that tracing records for the example's size alone.

Parity is checked on the caller's real images (decoded pictures, not noise: BatchNorm statistics and ReLU6
clipping behave differently on them), in batches of one and of several, with the tolerance of onnx.py.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..errors import ArtifactError
from ..extras import require
from ..models.inputs import image_batch
from ..models.onnx import FP32_FILE, OnnxModel
from .graph import export_graph
from .parity import compare_logits

INPUT = "images"
# fp32 logits must match to this, relative to the largest logit when that is above 1 (onnx.py's tolerance)
TOLERANCE = 1e-4
BATCH_SIZES = (1, 3, 8)  # one picture alone, an odd batch, a full one: a frozen batch size shows up here


@dataclass
class ImageExport:
    path: Path  # the graph written
    input_shape: list  # ["batch", channels, height, width]
    parity: float  # the largest absolute logit difference from PyTorch over the checked batches
    batch_sizes: list[int]  # the sizes of the batches checked


def export_image_model(model: nn.Module, sample_images: np.ndarray, directory: str | Path,
                       name: str = FP32_FILE) -> ImageExport:
    """Trace `model` on `sample_images` ((n, channels, height, width), uint8 pixels or floats in [0, 1], as the
    image encoder produces them), check the graph against the model, and write it to DIRECTORY/name. A graph that
    does not reproduce the model raises ArtifactError and nothing is written."""
    require("onnx", "Exporting to ONNX")
    require("onnxruntime", "Exporting to ONNX")
    batches = image_batches(sample_images)
    _check_size(model, batches[0][INPUT])
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    staged = Path(staged)
    try:
        _trace(model, batches[0], staged)
        graph = OnnxModel(staged, threads=torch.get_num_threads())
        parity = _check(model, graph, batches)
        os.chmod(staged, 0o644)  # mkstemp makes it private; the model's other files are readable by all
        os.replace(staged, directory / name)
    finally:
        staged.unlink(missing_ok=True)
    channels, height, width = batches[0][INPUT].shape[1:]
    return ImageExport(path=directory / name, input_shape=["batch", channels, height, width], parity=parity,
                       batch_sizes=[len(batch[INPUT]) for batch in batches])


def image_batches(sample_images: np.ndarray, sizes: tuple[int, ...] = BATCH_SIZES) -> list[dict[str, torch.Tensor]]:
    """{"images": (size, C, H, W) float32} for each size, cycling through the samples when there are fewer."""
    images = np.asarray(sample_images)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"sample_images: expected (n, channels, height, width) with n >= 1; got shape "
                         f"{images.shape}.")
    return [{INPUT: image_batch(images[np.arange(size) % len(images)])} for size in sizes]


def _check_size(model: nn.Module, images: torch.Tensor) -> None:
    """A model that resizes inside (EfficientNet's prepare) must be given pictures of its own size: its resize is
    antialiased, which the ONNX exporter has no operator for."""
    size = getattr(getattr(model, "config", None), "image_size", None)
    if size is not None and tuple(images.shape[2:]) != (size, size):
        raise ArtifactError(f"This {type(model).__name__} resizes pictures of {images.shape[2]}x{images.shape[3]} "
                            f"to {size}x{size} inside the model, with an antialiased resize that ONNX cannot "
                            f"express. Export it with sample pictures already {size}x{size} (the image encoder's "
                            "size should be the model's image_size).")


def _trace(model: nn.Module, example: dict[str, torch.Tensor], path: Path) -> None:
    try:
        export_graph(model, example, path)
    except Exception as e:  # the exporter's own errors: name the model and what to do, not a traceback
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ArtifactError(f"PyTorch could not export this {type(model).__name__} to ONNX ({type(e).__name__}: "
                            f"{reason}) with images of shape {tuple(example[INPUT].shape[1:])}. Nothing was "
                            "written; keep using --backend torch.") from None


def _check(model: nn.Module, graph: OnnxModel, batches: list[dict]) -> float:
    results = compare_logits(model, graph, batches)
    for result, batch in zip(results, batches):
        allowed = TOLERANCE * max(1.0, result["largest_logit"])
        if not result["max_abs_difference"] <= allowed:
            raise ArtifactError(
                f"The exported ONNX graph of this {type(model).__name__} does not reproduce the model: its logits "
                f"differ by {result['max_abs_difference']:.3g} (allowed {allowed:.2g}) on a batch of "
                f"{tuple(batch[INPUT].shape)} images. Nothing was written; keep using --backend torch.")
    return max(result["max_abs_difference"] for result in results)
