"""int8 weights for an exported graph: onnxruntime's dynamic quantization, tuned to keep accuracy.

Dynamic quantization stores the weights of matrix multiplications as int8 and quantizes each batch's
activations to uint8 on the fly, so it needs no calibration data. The settings, measured on the MiniLM
fine-tuned on SST-2 (benchmarks/onnx_speed.py):
  per-channel scales  one scale per output column of each weight matrix: per-tensor scales lost 0.4 points of
                      test accuracy (96% of labels as fp32), per-channel ones none (98.8%), at the same speed
  op types            MatMul (the transformer's and the stacked text models' dense layers, fused Attention when a
                      graph has it) and LSTM cells. Embedding tables (Gather) stay fp32: they are looked up, not
                      multiplied, so int8 would only save memory, and the linear model's idf vector is one.
                      Convolutions stay fp32 (onnxruntime's ConvInteger took 2.3x the time of its fp32 Conv on
                      the default CNN), and so do the Gemm heads (dynamic quantization does not cover Gemm).
  reduce_range off    full 8-bit weights. onnxruntime suggests 7-bit ones for CPUs without VNNI (AVX2 only),
                      where uint8 x int8 products can saturate; these figures come from a CPU with VNNI.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..extras import require

OP_TYPES = ["MatMul", "Attention", "LSTM"]
PER_CHANNEL = True
REDUCE_RANGE = False
SETTINGS = {"method": "onnxruntime.quantization.quantize_dynamic", "weights": "int8", "activations": "uint8",
            "per_channel": PER_CHANNEL, "reduce_range": REDUCE_RANGE, "op_types": OP_TYPES}


def quantize_int8(source: str | Path, target: str | Path) -> dict:
    """Write the int8 version of the graph `source` to `target`; return the settings used."""
    onnx = require("onnx", "--quantize int8")
    quantization = require("onnxruntime.quantization", "--quantize int8")
    QuantType, quantize_dynamic = quantization.QuantType, quantization.quantize_dynamic
    advice = _DropAdvice()
    logging.getLogger().addFilter(advice)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=PER_CHANNEL,
                         reduce_range=REDUCE_RANGE, op_types_to_quantize=OP_TYPES,
                         # shape inference cannot type every tensor of a traced graph: the rest are float
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.getLogger().removeFilter(advice)
    return dict(SETTINGS)


class _DropAdvice(logging.Filter):
    """The quantizer logs a recommendation to run its shape pre-processing first, on the root logger. That step
    fails on the transformers' traced graphs (symbolic shape inference), so it is not used."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()
