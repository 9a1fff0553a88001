"""An exported ONNX graph that stands in for the PyTorch model inside a Predictor.

`trainwright export MODEL --format onnx` writes MODEL/onnx/model.onnx (and, with --quantize int8,
model.int8.onnx). OnnxModel runs one of them with onnxruntime and behaves like the torch model as far as
Predictor is concerned: it takes the same keyword tensors (ids, numeric, categorical) and returns a tensor of
logits. An ONNX file is data (a protobuf graph and its weights); loading it runs no code from the model directory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..errors import ArtifactError
from ..extras import require

ONNX_DIRECTORY = "onnx"  # inside a model directory
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
EXPORT_RECORD = "export.json"


def import_onnxruntime():
    """onnxruntime, or a clear error saying how to install it."""
    return require("onnxruntime", "The ONNX backend")


def exported_graph(model_dir: str | Path) -> Path:
    """The graph the onnx backend runs for a model directory: the int8 one when the user quantized, else fp32."""
    folder = Path(model_dir) / ONNX_DIRECTORY
    for name in (INT8_FILE, FP32_FILE):
        if (folder / name).is_file():
            return folder / name
    raise ArtifactError(f"{model_dir} has no ONNX export ({ONNX_DIRECTORY}/{FP32_FILE}): run "
                        f"`trainwright export {model_dir} --format onnx` first.")


class OnnxModel:
    """An onnxruntime session called like the torch model: model(ids=..., numeric=..., categorical=...) -> logits.

    threads: onnxruntime's intra-op threads (None: onnxruntime's default, one per core)."""

    def __init__(self, path: str | Path, threads: int | None = None):
        onnxruntime = import_onnxruntime()
        self.path = Path(path)
        if not self.path.is_file():
            raise ArtifactError(f"{self.path}: no such ONNX file. Run `trainwright export MODEL --format onnx`.")
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1  # one graph at a time: parallelism comes from the intra-op threads
        try:
            self.session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for an unreadable or invalid graph
            raise ArtifactError(f"{self.path} cannot be loaded by onnxruntime ({e}). Export it again with "
                                "`trainwright export MODEL --format onnx`.") from None
        # A graph input the traced model never read (e.g. `categorical` of a table without categorical columns)
        # is dropped by the exporter: feed only the inputs the graph declares.
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_name = self.session.get_outputs()[0].name

    def __call__(self, **inputs: torch.Tensor) -> torch.Tensor:
        missing = [name for name in self.input_names if name not in inputs]
        if missing:
            raise ArtifactError(f"{self.path} needs the inputs {', '.join(missing)}, which this model's "
                                "preprocessing does not produce: the export belongs to another model. Export again.")
        feed = {name: np.ascontiguousarray(inputs[name].detach().cpu().numpy()) for name in self.input_names}
        (logits,) = self.session.run([self.output_name], feed)
        return torch.from_numpy(logits)

    # Predictor calls these on a torch model; a session has no device or training mode to switch.
    def eval(self) -> OnnxModel:
        return self

    def cpu(self) -> OnnxModel:
        return self

    def __repr__(self) -> str:
        return f"OnnxModel({str(self.path)!r}, inputs={self.input_names})"
