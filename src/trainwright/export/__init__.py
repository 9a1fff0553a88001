"""Export: a saved model as ONNX graphs that onnxruntime runs, checked against the model before they are kept.

`trainwright export MODEL --format onnx [--quantize int8] [--check FILE]` (export_onnx) writes

    MODEL/onnx/model.onnx       the fp32 graph: traced from the PyTorch model (graph.py), or converted from a
                                LightGBM model's trees (trees.py)
    MODEL/onnx/model.int8.onnx  with --quantize int8: the same graph with int8 weights (quantize.py)
    MODEL/onnx/export.json      graph inputs, opset, quantization, library versions, parity and --check figures

How it is checked: the fp32 graph is kept only if its logits match the model's, within a tolerance, on sample
batches of several shapes (parity.py); the int8 graph's difference is measured and recorded. With --check FILE,
every backend (torch, onnx fp32, onnx int8) predicts the same labeled rows and their scores are set side by side
(check.py). Image models: `images` (batch, channels, height, width) in [0, 1] in, logits out; export_image_model
traces one on real pictures and checks it at batch sizes 1 and several (images.py). `--backend onnx` in predict and serve runs the graph with onnxruntime through OnnxModel (models/onnx.py:
the backend belongs with the models it stands in for, below artifact.py and the Predictor that run it).

The names below load on first use: the CLI starts without torch or onnx.
"""

from ..lazy import lazy_exports

_HOMES = {
    "export_onnx": ".onnx", "ExportReport": ".onnx", "OnnxModel": "..models.onnx", "exported_graph": "..models.onnx",
    "BackendScore": ".check", "compare_backends": ".check",
    "ImageExport": ".images", "export_image_model": ".images",
}
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = ["BackendScore", "ExportReport", "ImageExport", "OnnxModel", "compare_backends", "export_image_model",
           "export_onnx", "exported_graph"]
