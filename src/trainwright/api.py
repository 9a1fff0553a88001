"""The Python API, one function per CLI command: `train`, `distill`, `tune`, `evaluate`, `predict_file`,
`export_onnx`, and `load`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .artifact import load_artifact
from .config import build_config
from .data.layout import Layout
from .data.streaming import Progress, read_chunks
from .data.writers import TableWriter
from .evaluate.evaluation import evaluate
from .export.onnx import export_onnx
from .lazy import lazy_exports
from .predictor import Predictor
from .train.run import train

__all__ = ["build_config", "cross_validate", "distill", "evaluate", "export_onnx", "load", "predict_file", "train",
           "tune"]

# These load Lightning, which takes seconds to import: on first use only (PEP 562), so that `train` of a model
# that needs no Lightning (the convex-fitted linear model) starts without it.
_LAZY = {"cross_validate": ".train.cross_validation", "distill": ".train.distill", "tune": ".train.tune"}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


def load(directory: str | Path, backend: str = "torch") -> Predictor:
    """Load a saved model for prediction: `trainwright.load("runs/sst2").predict(["a fine film"])`.
    backend "onnx" runs the graph written by `trainwright export`."""
    return load_artifact(directory, weights=backend != "onnx").predictor(backend)


def predict_images_file(model: str | Path | Predictor, inputs: list, output: str | Path = "-",
                        overwrite: bool = False) -> Path | None:
    """Write one row per image of `inputs` (image files, folders, zips, tables of image paths) to `output`: its
    path, the predicted label, each class's probability, and for an image that cannot be used, why (its label
    and probabilities left empty). A model that reads table columns beside the pictures takes tables alone, and
    writes each of their rows with its prediction."""
    from .images.inputs import image_items, image_table

    predictor = model if isinstance(model, Predictor) else load(model)
    label_column = f"predicted_{predictor.target_column}"
    if predictor.reads_table_columns:  # pictures with table columns: the table's rows, each with its prediction
        rows = image_table(inputs, predictor.table_needed())
        predictions = predictor.predict_images(rows, ", ".join(map(str, inputs))).to_frame(label_column)
        with TableWriter(output, overwrite) as writer:
            writer.write(pd.concat([rows, predictions], axis=1))
        return writer.path
    items = image_items(inputs)
    predictions = predictor.predict_images(items).to_frame(label_column=label_column)
    with TableWriter(output, overwrite) as writer:
        writer.write(pd.concat([pd.DataFrame({"path": [str(item) for item in items]}), predictions], axis=1))
    return writer.path


def predict_file(model: str | Path | Predictor, data: str | Path, output: str | Path = "-",
                 encoding: str | None = None, backend: str = "torch", chunk_rows: int = 20_000,
                 progress: Progress | None = None, overwrite: bool = False, header: bool | None = None,
                 column_names: list[str] | None = None) -> Path | None:
    """Write every row of `data`, in order, with the predicted label and class probabilities to `output`
    (.csv, .tsv, .jsonl or .parquet; "-" for CSV on stdout). Returns the path written, None for stdout.

    The file is read and written `chunk_rows` rows at a time, so memory stays bounded however large it is;
    `progress(done, total)` is called after each chunk (bytes, or rows for Parquet). An existing `output` is
    replaced only when trainwright wrote it, or with `overwrite=True`. `header`, `column_names`: as the model was
    trained unless given (a headerless file of the training file's layout, with or without its target column,
    needs neither)."""
    predictor = model if isinstance(model, Predictor) else load(model, backend)
    if predictor.preprocessing.image_encoder is not None:
        return predict_images_file(predictor, [data], output, overwrite)
    label_column = f"predicted_{predictor.target_column}"
    with TableWriter(output, overwrite) as writer:
        layout = Layout.of(predictor.config.data, header, column_names)
        for chunk in read_chunks(data, chunk_rows, encoding, progress, layout):
            predictions = predictor.predict(chunk, str(data)).to_frame(label_column=label_column)
            writer.write(pd.concat([chunk.reset_index(drop=True), predictions], axis=1))
    return writer.path
