"""One Predictor: preprocess -> forward -> postprocess on plain Python values.

The Python API, `trainwright predict`, `trainwright evaluate` and the end of training all go through it, so
every path gives the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from . import tasks
from .config import RunConfig
from .data.schema import require_column
from .data.target import TargetEncoder
from .errors import DataError
from .log import logger
from .preprocessing import EncodedInputs, Preprocessing

_ABSENT = object()  # a record without the column: not a text, so such records take the table path
# Up to this many records, a table model encodes them as plain lists, which costs a fraction of the tables for
# any batch up to 2,048 records (benchmarks/README.md); larger ones come from files, read as tables anyway.
LIST_PATH_ROWS = 1024


@dataclass
class Predictions:
    """labels: one per input, in input order (multilabel: a list of labels per input, possibly empty).
    probabilities: (n, classes) aligned with `classes` (multilabel: each label's own probability), or None for
    regression. separator: multilabel only, joins each input's labels in `to_frame`. problems: images only, per
    input None or why it could not be used (its label is then None and its probabilities NaN)."""

    labels: list
    probabilities: np.ndarray | None
    classes: list | None
    separator: str | None = None
    problems: list | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def to_frame(self, label_column: str = "prediction") -> pd.DataFrame:
        """One row per input: the label ("sports;politics" for several, "" for none), then one probability
        column per class."""
        labels = self.labels
        if self.separator is not None:
            labels = [self.separator.join(map(str, row)) for row in labels]
        frame = pd.DataFrame({label_column: labels})
        if self.probabilities is not None:
            for i, name in enumerate(self.classes):
                frame[f"probability_{name}"] = self.probabilities[:, i]
        if self.problems is not None:
            frame["problem"] = [problem or "" for problem in self.problems]
        return frame

    def to_records(self) -> list[dict]:
        if self.problems is not None:
            return [{"label": label, "probabilities": dict(zip(map(str, self.classes), map(float, row)))}
                    if problem is None else {"label": None, "problem": problem}
                    for label, row, problem in zip(self.labels, self.probabilities, self.problems)]
        if self.probabilities is None:
            return [{"label": label} for label in self.labels]
        return [
            {"label": label, "probabilities": dict(zip(map(str, self.classes), map(float, row)))}
            for label, row in zip(self.labels, self.probabilities)
        ]


def sorted_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Batches in length order, for inference; callers put the outputs back in input order."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]


class Predictor:
    def __init__(self, model: torch.nn.Module, preprocessing: Preprocessing, target: TargetEncoder,
                 config: RunConfig, batch_size: int = 256):
        self.model = model.cpu().eval()
        self.preprocessing = preprocessing
        self.target = target
        self.config = config
        self.batch_size = batch_size

    @property
    def task(self) -> str:
        return self.target.task_

    @property
    def takes_images(self) -> bool:
        """Whether the model reads pictures (`predict` then takes paths or bytes: `predict_images`)."""
        return self.preprocessing.image_encoder is not None

    @property
    def reads_table_columns(self) -> bool:
        """Whether an image model also reads table columns beside each picture (resnet+mlp): it then takes rows,
        a DataFrame, records or a table file, with the image column and those columns."""
        return self.takes_images and self.preprocessing.features is not None

    @property
    def text_columns(self) -> list[str]:
        return self.preprocessing.text

    @property
    def target_column(self) -> str:
        return self.preprocessing.target_column

    def predict(self, inputs, source: str = "input") -> Predictions:
        """inputs: a text, a list of texts, a list of {column: value} records, or a DataFrame (read from
        `source`, named in error messages). A text-only model encodes texts, and records of texts, as plain lists
        (no table: for a few texts, several times faster), with the same results as through a table; so does a
        table model given up to LIST_PATH_ROWS records. An image model takes image paths, bytes, folders, zips
        and tables of image paths (`predict_images`); one that also reads table columns, rows holding the image
        path and those columns."""
        if self.takes_images:
            return self.predict_images(inputs, source)
        if not isinstance(inputs, pd.DataFrame):
            inputs = [inputs] if isinstance(inputs, (str, dict)) else list(inputs)
        texts, columns = self._texts(inputs), self._columns(inputs)
        encoded = None
        if texts is not None:
            encoded = self.preprocessing.encode_texts(texts)
        elif columns is not None:
            encoded = self.preprocessing.encode_columns(columns)
        outputs = self._outputs(encoded) if encoded is not None else self.outputs(self.frame(inputs, source), source)
        if self.task == "regression":
            return Predictions(labels=outputs.tolist(), probabilities=None, classes=None)
        if self.task == "multilabel":
            return Predictions(labels=self.target.inverse(outputs), probabilities=outputs,
                               classes=list(self.target.classes_), separator=self.target.separator)
        return Predictions(labels=self.target.inverse(outputs.argmax(axis=1)), probabilities=outputs,
                           classes=list(self.target.classes_))

    def predict_images(self, inputs, source: str = "input") -> Predictions:
        """One prediction per image of `inputs`: a path (str or Path), bytes, or a list of them; a folder, a zip or
        a table of image paths stands for the images it holds (images/inputs.py), a DataFrame or records for their
        image column. A model that also reads table columns takes a DataFrame, records or a table file, one row
        per picture with those columns (`reads_table_columns`).
        An image that cannot be used gets no label, NaN probabilities and its problem."""
        from .images.inputs import image_items, image_table

        if isinstance(inputs, dict) or (isinstance(inputs, list) and inputs and isinstance(inputs[0], dict)):
            inputs = pd.DataFrame([inputs] if isinstance(inputs, dict) else inputs)  # records
        if self.reads_table_columns:
            frame = inputs if isinstance(inputs, pd.DataFrame) else image_table(inputs, self.table_needed())
            column = self._image_column(frame)
            items = [item if isinstance(item, (bytes, bytearray)) else str(item) for item in frame[column]]
            table = self.preprocessing.encode_table(frame, source)
        else:
            if isinstance(inputs, pd.DataFrame):
                inputs = inputs[self._image_column(inputs)].tolist()
            items, table = image_items(inputs), None
        pixels, kept, problems = self.preprocessing.image_encoder.encode_items(items)
        outputs = np.full((len(items), len(self.target.classes_)), np.nan)
        if len(kept):
            outputs[kept] = self.image_outputs(pixels, table.subset(kept) if table is not None else None)
        labels: list = [None] * len(items)
        for row, label in zip(kept, self.target.inverse(outputs[kept].argmax(axis=1)) if len(kept) else []):
            labels[row] = label
        said: list = [None] * len(items)
        for row, problem in zip(sorted(set(range(len(items))) - set(kept)), problems):
            said[row] = problem.message
        return Predictions(labels=labels, probabilities=outputs, classes=list(self.target.classes_),
                           problems=said)

    def _image_column(self, frame: pd.DataFrame) -> str:
        """The model's image column, or else the frame's column of image file names."""
        from .images.sources import IMAGE_SHARE, is_image_name

        if self.preprocessing.image[0] in frame.columns:
            return self.preprocessing.image[0]
        for column in frame.columns:
            if frame[column].dropna().astype(str).map(is_image_name).mean() >= IMAGE_SHARE:
                return column
        raise DataError(f"No column of image paths among {', '.join(map(str, frame.columns))}: name it "
                        f"'{self.preprocessing.image[0]}', or pass the paths as a list.")

    def table_needed(self) -> str:
        """What a model of pictures and table columns must be given, for error messages."""
        columns = ", ".join(self.preprocessing.numeric + self.preprocessing.categorical)
        return (f"this model reads each picture with the columns {columns}: give a table (a file, a DataFrame or "
                f"records) with a column '{self.preprocessing.image[0]}' of image paths and those columns")

    def image_outputs(self, pixels: np.ndarray, table: EncodedInputs | None = None) -> np.ndarray:
        """Class probabilities (n, classes) of images already encoded, (n, C, H, W) uint8 at the model's size;
        `table`: their rows' table inputs (`Preprocessing.encode_table`), for a model that reads table columns."""
        if self.reads_table_columns and table is None:
            raise DataError(f"{self.table_needed()}.")
        numeric, categorical = (table.numeric, table.categorical) if table is not None else (None, None)
        return self._outputs(EncodedInputs(None, numeric, categorical, pixels))

    def _texts(self, inputs: list | pd.DataFrame) -> dict[str, list] | None:
        """The inputs as {text column: values} where they need no table: a text-only model given texts, or records
        that hold each text column as a string (or None). None for anything else, which `frame` handles (and
        reports errors for), with the same results."""
        if not self.preprocessing.text_only or isinstance(inputs, pd.DataFrame) or not inputs:
            return None
        if all(isinstance(row, dict) for row in inputs):
            texts = {}
            for column in self.text_columns:
                values = [row.get(column, _ABSENT) for row in inputs]
                if not all(value is None or isinstance(value, str) for value in values):
                    return None
                texts[column] = values
            return texts
        if len(self.text_columns) != 1:
            return None
        return {self.text_columns[0]: ["" if t is None else str(t) for t in inputs]}  # as `frame` reads them

    def _columns(self, inputs: list | pd.DataFrame) -> dict[str, list] | None:
        """A few records as {input column: values} for a model with table columns, where they need no table: a
        key a record lacks is a missing value, as in a table, and keys that are not inputs are ignored. None for
        anything else, and where a text column is in no record (`frame` reports that)."""
        if (self.preprocessing.text_only or isinstance(inputs, pd.DataFrame) or not inputs
                or len(inputs) > LIST_PATH_ROWS or not all(isinstance(row, dict) for row in inputs)):
            return None
        columns = {column: [row.get(column) for row in inputs] for column in self.preprocessing.inputs}
        if not all(any(column in row for row in inputs) for column in self.text_columns):
            return None
        return columns

    def frame(self, inputs, source: str = "input") -> pd.DataFrame:
        """The inputs as a table with the model's input columns. Text columns are required; a table column left
        out counts as missing in every row and is filled as in training."""
        columns = self.preprocessing.inputs
        if isinstance(inputs, pd.DataFrame):
            for column in self.text_columns:
                require_column(inputs, column, source)
            absent = [c for c in columns if c not in inputs.columns]
            if absent:
                logger.warning(f"{source}: no column {', '.join(map(repr, absent))}; treated as missing in every "
                               "row and filled as in training.")
                inputs = inputs.assign(**{c: np.nan for c in absent})
            return inputs
        if isinstance(inputs, (str, dict)):
            inputs = [inputs]
        inputs = list(inputs)
        if inputs and all(isinstance(row, dict) for row in inputs):
            frame = pd.DataFrame(inputs)
            for column in self.text_columns:
                require_column(frame, column, source)
            return frame.reindex(columns=columns)
        if len(self.text_columns) != 1:
            raise DataError(f"This model reads the columns {', '.join(columns)}: pass records ({{column: value}}) "
                            "or a DataFrame, not plain strings.")
        # Plain strings are the text column; table columns, if the model has any, count as missing.
        texts = pd.DataFrame({self.text_columns[0]: ["" if t is None else str(t) for t in inputs]})
        return texts.reindex(columns=columns)

    def outputs(self, frame: pd.DataFrame, source: str = "input") -> np.ndarray:
        """Class probabilities (n, classes), per-label probabilities (n, labels) for multilabel, or predicted
        values (n,) in the target's scale."""
        return self._outputs(self.preprocessing.encode(frame, source))

    def _outputs(self, encoded: EncodedInputs) -> np.ndarray:
        pad = self.preprocessing.tokenizer.pad if self.preprocessing.tokenizer is not None else None
        result = predict_encoded(self.model, self.task, encoded, pad, self.batch_size)
        if self.task == "regression":
            return np.asarray(self.target.inverse(result))
        return result


IMAGE_VALUES_PER_BATCH = 32 * 3 * 224 * 224  # pictures per prediction batch: 32 at 224 × 224, 256 at 28 × 28


def predict_encoded(model: torch.nn.Module, task: str, encoded: EncodedInputs, pad, batch_size: int = 256):
    """Class (or per-label) probabilities (n, outputs), or standardized values (n,) for regression, in input
    order."""
    model.eval()
    result = None
    if encoded.images is not None:  # a batch of large pictures holds GBs of activations: bounded by pixel values
        batch_size = max(1, min(batch_size, IMAGE_VALUES_PER_BATCH // int(np.prod(encoded.images.shape[1:]))))
    with torch.inference_mode():
        for batch in sorted_batches(encoded.lengths, batch_size):
            values = tasks.probabilities(task, model(**encoded.batch(batch, pad))).double().cpu().numpy()
            if result is None:
                result = np.zeros((len(encoded), *values.shape[1:]), dtype=np.float64)
            result[batch] = values
    return result
