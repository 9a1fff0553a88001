"""A trained model traced into an ONNX graph file.

The graph's inputs are named like the model's forward() keywords (`ids` (batch, time) int64, `numeric`
(batch, n) float32, `categorical` (batch, k) int64), with dynamic batch and time axes; its output is `logits`.

The TorchScript exporter (`dynamo=False`) is used for every architecture: it follows the models' dynamic-length
code (left-aligning, trimming, packed LSTM/GRU sequences, which it turns into ONNX's per-row sequence lengths),
where the torch.export-based one stops at data-dependent shapes. Tracing records one example's path through
Python code, so export_onnx checks the graph against the model on batches of other sizes before keeping it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

from ..log import logger

OPSET = 17  # LayerNormalization is a single op from 17 on; onnxruntime 1.18+ runs it
OUTPUT = "logits"
EXPORTER = "torch.onnx.export (TorchScript tracer, dynamo=False)"


def export_graph(model: nn.Module, example: dict[str, torch.Tensor], path: str | Path) -> None:
    """Trace `model` on the keyword tensors `example` and write its ONNX graph to `path`."""
    names = list(example)
    dynamic_axes = {name: {0: "batch", 1: "time"} if name == "ids" else {0: "batch"} for name in names}
    with _eval_mode(model), _eager_attention(model), _quiet():
        torch.onnx.export(_PositionalInputs(model, names), tuple(example.values()), str(path), input_names=names,
                          output_names=[OUTPUT], dynamic_axes={**dynamic_axes, OUTPUT: {0: "batch"}},
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)


class _PositionalInputs(nn.Module):
    """The model with positional inputs: the exporter names graph inputs by position, the models take keywords."""

    def __init__(self, model: nn.Module, names: list[str]):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return self.model(**dict(zip(self.names, tensors)))


@contextlib.contextmanager
def _eval_mode(model: nn.Module):
    """Every module in eval mode (no dropout) while tracing; each module's own mode is restored afterwards."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


@contextlib.contextmanager
def _eager_attention(model: nn.Module):
    """Hugging Face models traced with their plain ("eager") attention: it exports as MatMul/Softmax, which
    onnxruntime fuses and quantizes, where the SDPA kernel exports with NaN guards around it. Same numbers."""
    from ..models.pretrained import PretrainedClassifier

    networks = [m.network for m in model.modules() if isinstance(m, PretrainedClassifier)]
    before = [network.config._attn_implementation for network in networks]
    for network in networks:
        network.set_attn_implementation("eager")
    try:
        yield
    finally:
        for network, implementation in zip(networks, before):
            network.set_attn_implementation(implementation)


@contextlib.contextmanager
def _quiet():
    """Hide the tracer's notes (Python warnings and the C++ ones it prints to stderr) about size checks inside
    torch.nn and packed sequences: they are expected here, and the graph is verified by running it. What was
    printed goes to the debug log."""
    with warnings.catch_warnings(), tempfile.TemporaryFile(mode="w+b") as sink:
        warnings.simplefilter("ignore")
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            noise = sink.read().decode("utf-8", errors="replace").strip()
            if noise:
                logger.debug(f"onnx export printed:\n{noise}")
