"""One Predictor: preprocess -> forward -> postprocess on plain Python values.

The Python API, `trainwright predict`, `trainwright evaluate` and the end of training all go through it, so
every path gives the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import tasks
from .config import RunConfig
from .data.examples import join_text
from .data.target import TargetEncoder
from .errors import DataError
from .text import TextTokenizer
from .train.batching import sorted_batches


@dataclass
class Predictions:
    """labels: one per input, in input order. probabilities: (n, classes) aligned with `classes`, or None
    for regression."""

    labels: list
    probabilities: np.ndarray | None
    classes: list | None

    def __len__(self) -> int:
        return len(self.labels)

    def to_frame(self, label_column: str = "prediction") -> pd.DataFrame:
        frame = pd.DataFrame({label_column: self.labels})
        if self.probabilities is not None:
            for i, name in enumerate(self.classes):
                frame[f"probability_{name}"] = self.probabilities[:, i]
        return frame

    def to_records(self) -> list[dict]:
        if self.probabilities is None:
            return [{"label": label} for label in self.labels]
        return [
            {"label": label, "probabilities": dict(zip(map(str, self.classes), map(float, row)))}
            for label, row in zip(self.labels, self.probabilities)
        ]


class Predictor:
    def __init__(self, model: torch.nn.Module, tokenizer: TextTokenizer, target: TargetEncoder,
                 text_columns: list[str], target_column: str, config: RunConfig, batch_size: int = 256):
        self.model = model.cpu().eval()
        self.tokenizer = tokenizer
        self.target = target
        self.text_columns = text_columns
        self.target_column = target_column
        self.config = config
        self.batch_size = batch_size

    @classmethod
    def load(cls, directory: str | Path) -> "Predictor":
        from .artifact import load_artifact

        return load_artifact(directory).predictor()

    @property
    def task(self) -> str:
        return self.target.task_

    def predict(self, inputs, source: str = "input") -> Predictions:
        """inputs: a text, a list of texts, a list of {column: value} records, or a DataFrame (read from
        `source`, named in error messages)."""
        outputs = self.outputs(self.texts(inputs, source))
        if self.task == "regression":
            return Predictions(labels=outputs.tolist(), probabilities=None, classes=None)
        return Predictions(labels=self.target.inverse(outputs.argmax(axis=1)), probabilities=outputs,
                           classes=list(self.target.classes_))

    def texts(self, inputs, source: str = "input") -> list[str]:
        if isinstance(inputs, str):
            inputs = [inputs]
        if isinstance(inputs, pd.DataFrame):
            return join_text(inputs, self.text_columns, source)
        inputs = list(inputs)
        if inputs and isinstance(inputs[0], dict):
            return join_text(pd.DataFrame(inputs), self.text_columns, source)
        if len(self.text_columns) > 1:
            raise DataError(f"This model reads several text columns ({', '.join(self.text_columns)}): "
                            "pass records ({column: text}) or a DataFrame, not plain strings.")
        return ["" if t is None else str(t) for t in inputs]

    def outputs(self, texts: list[str]) -> np.ndarray:
        """Class probabilities (n, classes), or predicted values (n,) in the target's scale."""
        sequences = self.tokenizer.transform(texts)
        width = len(self.target.classes_) if self.task != "regression" else None
        result = np.zeros((len(texts), width) if width else (len(texts),), dtype=np.float64)
        with torch.inference_mode():
            for batch in sorted_batches([len(s) for s in sequences], self.batch_size):
                ids = torch.from_numpy(self.tokenizer.pad([sequences[i] for i in batch]))
                result[batch] = tasks.probabilities(self.task, self.model(ids)).double().numpy()
        if self.task == "regression":
            return np.asarray(self.target.inverse(result))
        return result
