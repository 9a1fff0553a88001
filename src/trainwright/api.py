"""The Python API, one function per CLI command: `train`, `distill`, `evaluate`, `predict_file`, and `load`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from .config import build_config
from .data import read_table
from .errors import DataError
from .evaluate.evaluation import evaluate
from .predictor import Predictor
from .train.cross_validation import cross_validate
from .train.distill import distill
from .train.run import train

__all__ = ["build_config", "cross_validate", "distill", "evaluate", "load", "predict_file", "train"]


def load(directory: str | Path) -> Predictor:
    """Load a saved model for prediction: `trainwright.load("runs/sst2").predict(["a fine film"])`."""
    return Predictor.load(directory)


def predict_file(model: str | Path | Predictor, data: str | Path, output: str | Path = "-",
                 encoding: str | None = None) -> Path | None:
    """Write every row of `data`, in order, with the predicted label and class probabilities to `output`
    (.csv, .tsv, .jsonl or .parquet; "-" for CSV on stdout). Returns the path written, None for stdout."""
    predictor = model if isinstance(model, Predictor) else load(model)
    frame = read_table(data, encoding)
    predictions = predictor.predict(frame, str(data)).to_frame(label_column=f"predicted_{predictor.target_column}")
    result = pd.concat([frame.reset_index(drop=True), predictions], axis=1)
    if str(output) == "-":
        result.to_csv(sys.stdout, index=False)
        return None
    return _write_table(result, Path(output))


def _write_table(frame: pd.DataFrame, path: Path) -> Path:
    writers = {".csv": lambda f, p: f.to_csv(p, index=False), ".tsv": lambda f, p: f.to_csv(p, sep="\t", index=False),
               ".jsonl": lambda f, p: f.to_json(p, orient="records", lines=True, force_ascii=False),
               ".parquet": lambda f, p: f.to_parquet(p, index=False)}
    writer = writers.get(path.suffix.lower())
    if writer is None:
        raise DataError(f"{path}: cannot write '{path.suffix}' files; use one of {', '.join(writers)} or -.")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the destination and renamed, so an interrupted run never leaves half a file.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        writer(frame, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
