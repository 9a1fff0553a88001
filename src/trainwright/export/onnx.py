"""`trainwright export MODEL --format onnx`: the saved model as ONNX graphs that onnxruntime runs.

    MODEL/onnx/model.onnx       the fp32 graph; kept only if its logits match the PyTorch model's
    MODEL/onnx/model.int8.onnx  with quantize="int8": int8 weights (quantize.py); the onnx backend prefers it
    MODEL/onnx/export.json      graph inputs, opset, quantization, library versions, parity and --check figures

Nothing in onnx/ changes until every file is written and checked: files are written under temporary names and
renamed at the end, so a failed export leaves the previous one as it was. An export without quantize removes a
previous model.int8.onnx, which would otherwise go on serving the old weights.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch

from ..artifact import HF_DIRECTORY, WEIGHTS, Artifact, file_sha256, load_artifact
from ..errors import ArtifactError, ConfigError
from ..extras import require
from ..models.onnx import EXPORT_RECORD, FP32_FILE, INT8_FILE, ONNX_DIRECTORY, OnnxModel
from ..predictor import Predictor
from .check import BackendScore, compare_backends, read_check_file
from .graph import EXPORTER, OPSET, OUTPUT, export_graph
from .parity import compare_logits, sample_batches, shape_of
from .quantize import quantize_int8
from .trees import OPSET as TREES_OPSET, export_trees, has_trees

QUANTIZATIONS = ("int8",)
# fp32 graphs must give the model's logits to this (relative to the largest logit when that is above 1).
PARITY_TOLERANCE = 1e-4
GRAPH_FILES = {"fp32": FP32_FILE, "int8": INT8_FILE}


@dataclass
class ExportReport:
    model_dir: Path
    files: dict[str, Path]  # precision ("fp32", "int8") -> the graph written
    inputs: list[str]  # graph inputs, named like the model's forward() keywords
    opset: int
    quantization: dict | None  # quantize.SETTINGS, or None
    parity: dict[str, float]  # precision -> largest logit difference from PyTorch over the sample batches
    sample_batches: int
    check: list[BackendScore] = field(default_factory=list)  # empty without check=FILE
    check_file: Path | None = None
    check_rows: int = 0

    def summary(self) -> list[str]:
        """One line per graph written: file, size, and how close it is to the PyTorch model."""
        lines = []
        for precision, path in self.files.items():
            size = path.stat().st_size / 1e6 if path.is_file() else float("nan")
            lines.append(f"{path} ({precision}, {size:.1f} MB): logits within {self.parity[precision]:.2g} of "
                         f"PyTorch on {self.sample_batches} sample batches")
        return lines

    def rows(self) -> list[list[str]]:
        """The --check comparison as a header and one row of strings per backend (empty without check=FILE)."""
        if not self.check:
            return []
        metric = {"accuracy": "accuracy", "f1": "micro F1", "rmse": "RMSE"}[self.check[0].metric]
        unit = "" if metric == "RMSE" else " (points)"
        header = ["backend", metric, f"vs torch{unit}", "same labels", "max prob. diff", "rows/s"]
        if metric == "RMSE":
            header[4] = "max value diff"
        rows = [header]
        for score in self.check:
            rows.append([
                score.backend, f"{score.value:.4f}",
                "—" if score.difference is None else f"{score.difference:+.2f}",
                "—" if score.same_labels is None else f"{score.same_labels:.2%}",
                "—" if score.max_difference is None else f"{score.max_difference:.2g}",
                f"{score.rows_per_second:,.0f}",
            ])
        return rows

    def table(self):
        """rows() as a rich Table titled with the check file, for the CLI to print."""
        from rich.table import Table

        rows = self.rows()
        table = Table(title=f"{self.check_file} ({self.check_rows:,} labeled rows)" if self.check_file else None)
        for i, name in enumerate(rows[0] if rows else []):
            table.add_column(name, justify="left" if i == 0 else "right")
        for row in rows[1:]:
            table.add_row(*row)
        return table


def export_onnx(model_dir: str | Path, quantize: str | None = None, check: str | Path | None = None) -> ExportReport:
    """Export MODEL_DIR to MODEL_DIR/onnx/ (see the module docstring). quantize: None or "int8". check: a labeled
    table, predicted with the torch backend and each ONNX graph to compare them (ExportReport.check)."""
    if quantize not in (None, *QUANTIZATIONS):
        raise ConfigError(f"--quantize '{quantize}' is not available: use {', '.join(QUANTIZATIONS)}, or leave it "
                          "out for the fp32 graph alone.")
    _require_onnx()
    model_dir = Path(model_dir)
    artifact = load_artifact(model_dir)
    reference = artifact.predictor("torch")
    examples = read_check_file(check, reference) if check is not None else None  # a bad file fails before work
    folder = model_dir / ONNX_DIRECTORY
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise ArtifactError(f"Cannot create {folder} ({e.strerror}): export needs a model directory it can write "
                            "to; copy the model somewhere writable first.") from None
    batches = sample_batches(artifact.preprocessing)
    staged: dict[str, Path] = {}  # final file name -> its temporary file in `folder`
    try:
        staged[FP32_FILE] = _temporary(folder, FP32_FILE)
        _trace(artifact, model_dir, batches[0], staged[FP32_FILE])
        graphs = {"fp32": _session(staged[FP32_FILE])}
        parity = {"fp32": _verify(artifact, model_dir, graphs["fp32"], batches)}
        quantization = None
        if quantize == "int8":
            staged[INT8_FILE] = _temporary(folder, INT8_FILE)
            quantization = quantize_int8(staged[FP32_FILE], staged[INT8_FILE])
            graphs["int8"] = _session(staged[INT8_FILE])
            # int8 weights move logits by design: measured and recorded, not held to the fp32 tolerance
            parity["int8"] = _largest(compare_logits(artifact.model, graphs["int8"], batches))
        scores = []
        if examples is not None:
            predictors = {"torch": reference, **{
                f"onnx {precision}": Predictor(graph, artifact.preprocessing, artifact.target, artifact.config)
                for precision, graph in graphs.items()}}
            scores = compare_backends(predictors, examples, str(check))
        report = ExportReport(
            model_dir=model_dir, files={precision: folder / GRAPH_FILES[precision] for precision in graphs},
            inputs=graphs["fp32"].input_names, opset=_opset(artifact), quantization=quantization, parity=parity,
            sample_batches=len(batches), check=scores, check_file=Path(check) if check is not None else None,
            check_rows=len(examples.inputs) if examples is not None else 0)
        staged[EXPORT_RECORD] = _temporary(folder, EXPORT_RECORD)
        record = _record(artifact, model_dir, report, graphs, batches)
        staged[EXPORT_RECORD].write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if quantize is None:  # first, so that the onnx backend never pairs an old int8 graph with new weights
            (folder / INT8_FILE).unlink(missing_ok=True)
        for name, path in staged.items():
            os.replace(path, folder / name)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)  # what was not renamed into place
        if created and not any(folder.iterdir()):
            folder.rmdir()  # a first export that failed leaves no empty onnx/ behind
    return report


def _require_onnx() -> None:
    for module in ("onnx", "onnxruntime"):  # the exporter and the quantizer write ONNX protobufs with onnx
        require(module, "Exporting to ONNX")


def _temporary(folder: Path, name: str) -> Path:
    """An empty file beside `name` in `folder` (the same file system, so renaming it into place is atomic)."""
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    os.chmod(path, 0o644)  # mkstemp makes it private; the model's other files are readable by all
    return Path(path)


def _trace(artifact: Artifact, model_dir: Path, example: dict, path: Path) -> None:
    if has_trees(artifact.model):  # LightGBM's trees: converted by onnxmltools, not traced
        return _convert_trees(artifact, model_dir, path)
    try:
        export_graph(artifact.model, example, path)
    except Exception as e:  # the exporter's own errors: name the model and what to do, not a traceback
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ArtifactError(f"{model_dir}: PyTorch could not export this '{artifact.model_name}' model to ONNX "
                            f"({type(e).__name__}: {reason}). Nothing was written; keep using --backend torch, and "
                            "please report this with the model's model.json.") from None


def _convert_trees(artifact: Artifact, model_dir: Path, path: Path) -> None:
    try:
        export_trees(artifact.model, path)
    except ConfigError:
        raise
    except Exception as e:  # the converter's own errors: name the model and what to do, not a traceback
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ArtifactError(f"{model_dir}: onnxmltools could not convert this '{artifact.model_name}' LightGBM model "
                            f"to ONNX ({type(e).__name__}: {reason}). Nothing was written; keep using --backend "
                            "torch, or train --model mlp or linear, which export.") from None


def _opset(artifact: Artifact) -> int:
    return TREES_OPSET if has_trees(artifact.model) else OPSET


def _session(path: Path) -> OnnxModel:
    return OnnxModel(path, threads=torch.get_num_threads())


def _verify(artifact: Artifact, model_dir: Path, graph: OnnxModel, batches: list[dict]) -> float:
    """The fp32 graph's largest logit difference from the model; raises if any batch is beyond tolerance."""
    results = compare_logits(artifact.model, graph, batches)
    for result in results:
        allowed = PARITY_TOLERANCE * max(1.0, result["largest_logit"])
        if not result["max_abs_difference"] <= allowed:
            raise ArtifactError(
                f"{model_dir}: the exported ONNX graph does not reproduce the PyTorch model: its logits differ by "
                f"{result['max_abs_difference']:.3g} (allowed {allowed:.2g}) on a batch of shape "
                f"{result['shape']}. Nothing was written to {model_dir / ONNX_DIRECTORY}; keep using "
                "--backend torch, and please report this with the model's model.json.")
    return _largest(results)


def _largest(results: list[dict]) -> float:
    return max(r["max_abs_difference"] for r in results)


def _record(artifact: Artifact, model_dir: Path, report: ExportReport, graphs: dict[str, OnnxModel],
            batches: list[dict]) -> dict:
    """The content of export.json."""
    import onnxruntime

    from ..version import __version__

    session = graphs["fp32"].session
    files = {GRAPH_FILES[precision]: {"precision": precision, "bytes": graph.path.stat().st_size,
                                      "sha256": file_sha256(graph.path)} for precision, graph in graphs.items()}
    weights = model_dir / (f"{HF_DIRECTORY}/model.safetensors" if artifact.model_name == "pretrained" else WEIGHTS)
    return {
        "format": "onnx",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"name": artifact.model_name, "weights": str(weights.relative_to(model_dir)),
                  "weights_sha256": file_sha256(weights)},
        "files": files,
        "inputs": [{"name": i.name, "type": i.type, "shape": i.shape} for i in session.get_inputs()],
        "output": {"name": OUTPUT, "shape": session.get_outputs()[0].shape},
        "opset": _opset(artifact),
        "exporter": "onnxmltools.convert_lightgbm" if has_trees(artifact.model) else EXPORTER,
        "quantization": report.quantization,
        "versions": {"trainwright": __version__, "torch": torch.__version__, "onnx": _version("onnx"),
                     "onnxruntime": onnxruntime.__version__, "python": platform.python_version()},
        "parity": {
            "tolerance": PARITY_TOLERANCE,
            "batches": [shape_of(batch) for batch in batches],
            **{precision: {"max_abs_logit_difference": value} for precision, value in report.parity.items()},
        },
        "check": None if not report.check else {
            "file": str(report.check_file), "rows": report.check_rows, "threads": torch.get_num_threads(),
            "scores": [asdict(score) for score in report.check]},
    }


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
