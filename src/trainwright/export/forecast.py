"""`trainwright export RUN --format onnx` for a forecast run: its learned window model as an ONNX graph.

    RUN/onnx/forecast.onnx   input `numeric` (n, lookback) float32, each window standardized by its own lookback;
                             output `logits` (n, horizon × quantiles) float32, horizon-major: reshape to
                             (n, horizon, quantiles); the last axis follows `quantiles` in export.json
    RUN/onnx/forecast.json   lookback, horizon, quantile levels, how windows are scaled and unscaled, opset,
                             library versions and the parity figures

Any window model exports the same way: an nn.Module whose forward(numeric=(n, lookback)) gives the scaled
quantile forecasts (N-BEATS today). The graph is kept only if onnxruntime gives the model's outputs, within
PARITY_TOLERANCE, on the run's own windows (every series' last lookback and earlier ones) in batches of several
sizes. Statistical models are not exported: they are refit on each history (predict and serve do that).
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..errors import ArtifactError
from ..extras import require
from ..forecast.windows import forecast_windows
from .graph import EXPORTER, OPSET, OUTPUT, export_graph

GRAPH_FILE = "forecast.onnx"
RECORD_FILE = "forecast.json"
PARITY_TOLERANCE = 1e-4  # largest difference of scaled outputs (units of each window's standard deviation)
BATCH_SIZES = (1, 3, 16)
SCALING = ("Each window (the last `lookback` values of a series, oldest first) is standardized by itself: "
           "input = (window - mean(window)) / std(window), std taken as 1 when the window is flat. Outputs are in "
           "those units: forecast = output * std(window) + mean(window). Sort each point's quantiles (they may "
           "cross).")


@dataclass
class ForecastExport:
    graph: Path
    record: Path
    parity: float  # the largest output difference from PyTorch over the run's windows
    windows: int  # how many windows it was checked on

    def summary(self) -> list[str]:
        size = self.graph.stat().st_size / 1e6
        return [f"{self.graph} ({size:.1f} MB): outputs within {self.parity:.2g} of PyTorch on {self.windows} "
                f"windows of the run", f"{self.record}: lookback, horizon, quantiles and how windows are scaled"]


def export_window_model(model: nn.Module, lookback: int, histories: dict[str, np.ndarray], directory: str | Path,
                        name: str = "nbeats") -> ForecastExport:
    """Export `model` (forward(numeric=(n, lookback)) -> (n, horizon × quantiles)) to `directory`/onnx/, checked
    on windows of `histories` (the run's series, oldest first)."""
    require("onnx", "ONNX export")
    onnxruntime = require("onnxruntime", "ONNX export")

    out = Path(directory) / "onnx"
    out.mkdir(exist_ok=True)
    windows = real_windows(histories, lookback)
    model.eval()
    graph, temporary = out / GRAPH_FILE, out / f".{GRAPH_FILE}.tmp"
    export_graph(model, {"numeric": torch.from_numpy(windows[:2])}, temporary)
    session = onnxruntime.InferenceSession(str(temporary), providers=["CPUExecutionProvider"])
    parity = _parity(model, session, windows)
    if not parity <= PARITY_TOLERANCE:
        temporary.unlink()
        raise ArtifactError(f"{directory}: the ONNX graph of {name} differs from the model by {parity:.3g} (more "
                            f"than {PARITY_TOLERANCE}); it was not kept. Report this with the run's model.json.")
    os.replace(temporary, graph)
    quantiles = [float(q) for q in model.quantiles.tolist()]
    record = {"model": name, "graph": GRAPH_FILE, "input": {"name": "numeric", "shape": ["n", lookback],
                                                            "dtype": "float32"},
              "output": {"name": OUTPUT, "shape": ["n", f"{len(quantiles)} x horizon"], "dtype": "float32",
                         "layout": "horizon-major: reshape to (n, horizon, quantiles)"},
              "lookback": lookback, "horizon": int(model(numeric=torch.from_numpy(windows[:1])).shape[1])
              // len(quantiles), "quantiles": quantiles, "scaling": SCALING,
              "opset": OPSET, "exporter": EXPORTER, "parity": {"max_abs_difference": parity, "windows": len(windows),
                                                                "batch_sizes": list(BATCH_SIZES)},
              "versions": {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__,
                           "python": platform.python_version()},
              "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (out / RECORD_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return ForecastExport(graph, out / RECORD_FILE, parity, len(windows))


def real_windows(histories: dict[str, np.ndarray], lookback: int, per_series: int = 8) -> np.ndarray:
    """Scaled windows (n, lookback) float32 of the run's series: each series' last lookback and up to
    `per_series` - 1 earlier ones, as the model reads them."""
    parts = []
    for shift in range(per_series):
        shorter = {key: values[:len(values) - shift] for key, values in histories.items()
                   if len(values) - shift >= lookback and not np.isnan(values[len(values) - shift - lookback:
                                                                             len(values) - shift]).any()}
        if shorter:
            parts.append(forecast_windows(shorter, lookback).inputs)
    if not parts:
        raise ArtifactError(f"No series of the run has {lookback} values in a row to check the export on.")
    return np.concatenate(parts)


@torch.no_grad()
def _parity(model: nn.Module, session, windows: np.ndarray) -> float:
    """The largest difference between the model's and the graph's outputs over `windows`, in batches of
    BATCH_SIZES (the traced batch size must not be frozen into the graph)."""
    worst, start = 0.0, 0
    while start < len(windows):
        for size in BATCH_SIZES:
            batch = windows[start:start + size]
            if not len(batch):
                break
            expected = model(numeric=torch.from_numpy(batch)).float().numpy()
            got = session.run(None, {"numeric": batch})[0]
            if got.shape != expected.shape:
                return float("inf")
            worst = max(worst, float(np.abs(got - expected).max()))
            start += size
    return worst
