"""The pictures an image run's report shows: its validation pictures decoded again as the model reads them, with
their labels and the model's probabilities (validation.json), and the training augmentation, for
report_html.image_section. The pictures are read from where the run read them; those no longer there are
counted, not drawn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_PICTURES = 2000  # validation pictures decoded for the grids: enough for the surest mistakes and each class
PREFIX = "image="  # how validation.json names an image row's input
# a table's other columns follow the picture's path in that preview: "image=a.png, price=9.5"
_PATH = re.compile(r"^image=(.*?)(?:, [^,=]+=.*)?$", re.DOTALL)


@dataclass
class ValidationPictures:
    images: np.ndarray  # (n, channels, height, width) uint8 at the model's size
    labels: list  # the true class of each
    probabilities: np.ndarray  # (n, classes)
    classes: list
    augment: object  # a callable on a uint8 batch, or None
    missing: int  # validation pictures no longer where training read them


def validation_pictures(run_dir: str | Path, validation: dict) -> ValidationPictures | None:
    """The run's validation pictures, or None for a run that is not an image classifier (or saved no
    validation predictions)."""
    inputs, truth, outputs = (validation.get(key) for key in ("inputs", "truth", "outputs"))
    if not inputs or not all(isinstance(i, str) and i.startswith(PREFIX) for i in inputs):
        return None
    if validation.get("task") not in ("binary", "multiclass") or len(truth or []) != len(inputs):
        return None
    from ..artifact import load_artifact

    artifact = load_artifact(run_dir, weights=False)
    encoder = artifact.preprocessing.image_encoder
    if encoder is None:
        return None
    paths = [_PATH.match(i).group(1) for i in inputs[:MAX_PICTURES]]
    pixels, kept, _ = encoder.encode_items([p for p in paths if Path(p).is_file()])
    present = [row for row, p in enumerate(paths) if Path(p).is_file()]
    rows = [present[k] for k in kept]
    classes = list(validation.get("classes") or artifact.target.classes_)
    return ValidationPictures(pixels, [classes[int(truth[r])] for r in rows],
                              np.asarray(outputs, dtype=float)[rows], classes, _augment(artifact.config.model),
                              len(inputs[:MAX_PICTURES]) - len(rows))


def _augment(model_section):
    """The training augmentation as a callable on a uint8 batch (fixed seed: the same samples each report)."""
    import torch

    from ..images.augment import ImageAugment
    from ..models.inputs import image_batch

    augment = ImageAugment.from_config(model_section)
    if not augment.enabled:
        return None
    return lambda batch: augment(image_batch(batch), torch.Generator().manual_seed(0))
