"""Evaluate a model on labeled examples or on a labeled file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..artifact import load_artifact
from ..data.examples import Examples, LeftOutRows, join_text, labeled_examples
from ..data.layout import Layout
from ..data.streaming import read_chunks
from ..errors import DataError
from ..log import logger
from ..predictor import Predictor
from .metrics import compute_metrics


def evaluate_examples(predictor: Predictor, examples: Examples, source: str) -> dict:
    truth = predictor.target.transform(examples.target, source)
    outputs = predictor.outputs(examples.inputs, source)
    if predictor.task == "regression":
        truth = predictor.target.inverse(truth)
    return compute_metrics(predictor.task, truth, outputs, predictor.target.classes_)


def prediction_record(task: str, classes: list | None, inputs: pd.DataFrame, truth, outputs,
                      text_columns: list[str], limit: int = 300) -> dict:
    """What the run report needs of the validation predictions, as JSON: per row its 1-based row number in
    its file, a short preview of its inputs, the true class index (multilabel: 0/1 per label; regression: value)
    and the predicted probabilities (or value)."""
    if text_columns:
        previews = join_text(inputs, text_columns, "validation")
    else:
        previews = [", ".join(f"{k}={v}" for k, v in row.items()) for row in inputs.to_dict("records")]
    return {
        "task": task, "classes": classes,
        "rows": [int(i) + 1 for i in inputs.index],
        "inputs": [p if len(p) <= limit else p[:limit] + "…" for p in previews],
        "truth": (np.asarray(truth).astype(int) if task == "multilabel" else np.asarray(truth)).tolist(),
        "outputs": np.round(np.asarray(outputs, dtype=float), 6).tolist(),
    }


def evaluate(model: str | Path | Predictor, data: str | Path, encoding: str | None = None,
             chunk_rows: int = 50_000, header: bool | None = None, column_names: list[str] | None = None) -> dict:
    """Metrics of a saved model (or a Predictor) on the labeled table `data`, read `chunk_rows` rows at a time so
    that a file larger than memory is evaluated in bounded memory. `header`, `column_names`: as the model was
    trained unless given."""
    predictor = model if isinstance(model, Predictor) else load_artifact(model).predictor()
    stages = predictor.preprocessing
    source = str(data)
    if stages.image_encoder is not None:
        return evaluate_images(predictor, data)
    left_out = LeftOutRows(stages.text, stages.target_column)
    truth, outputs = [], []
    for chunk in read_chunks(data, chunk_rows, encoding, layout=Layout.of(predictor.config.data, header, column_names)):
        examples = labeled_examples(chunk, stages.text, stages.target_column, source,
                                    stages.numeric + stages.categorical, left_out=left_out)
        if len(examples):
            truth.append(predictor.target.transform(examples.target, source))
            outputs.append(predictor.outputs(examples.inputs, source))
    left_out.report(source)
    if not truth:
        raise left_out.nothing_usable(source)
    truth, outputs = np.concatenate(truth), np.concatenate(outputs)
    if predictor.task == "regression":
        truth = predictor.target.inverse(truth)
    return compute_metrics(predictor.task, truth, outputs, predictor.target.classes_)


def evaluate_images(predictor: Predictor, data: str | Path) -> dict:
    """Metrics of an image model on labeled images (a folder per class, a zip of one, a table of image paths),
    decoded at the model's size; the files that cannot be used are left out and named."""
    from ..images import find_images

    table = Path(data).is_file() and Path(data).suffix.lower() != ".zip"  # a folder's labels are its folders
    images = find_images(data, predictor.config.data.target if table else None)
    loaded = predictor.preprocessing.image_encoder.load(images)
    if loaded.problems:
        shown = "; ".join(p.message for p in loaded.problems[:5])
        logger.warning(f"{data}: {len(loaded.problems)} file{'s' if len(loaded.problems) > 1 else ''} left out: "
                       f"{shown}{'; ...' if len(loaded.problems) > 5 else ''}")
    if not loaded.kept:
        raise DataError(f"{data}: none of its images can be used; run `trainwright doctor {data}` to see why.")
    truth = predictor.target.transform(pd.Series(loaded.labels), str(data))
    table = None
    if predictor.reads_table_columns:  # the table's columns beside the pictures, cleaned as in training
        rows = images.extra.iloc[loaded.kept] if images.extra is not None else pd.DataFrame(index=loaded.kept)
        table = predictor.preprocessing.encode_table(rows, str(data))
    outputs = predictor.image_outputs(loaded.pixels, table)
    return compute_metrics(predictor.task, truth, outputs, predictor.target.classes_)
