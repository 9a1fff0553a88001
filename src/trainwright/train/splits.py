"""Which rows train and which validate: the held-out validation split, and the folds of an ensemble or a
cross-validation."""

from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from ..config import RunConfig
from ..data.examples import Examples
from ..data.target import TargetEncoder
from ..log import logger


def validation_split(examples: Examples, target: TargetEncoder, valid: Examples | None, config: RunConfig):
    """(training rows, validation rows): the --valid file's when given, else data.valid_fraction held out."""
    if valid is not None:
        return examples, valid
    labels = target.transform(examples.target)
    held_out = math.ceil(config.data.valid_fraction * len(labels))
    # Only class indices can be stratified (multilabel rows are label sets), and only when each class has two
    # rows and each side has room for a row of every class: a tiny file gets a plain random split.
    classes = target.task_ in ("binary", "multiclass") and len(np.unique(labels))
    stratify = (labels if classes and np.bincount(labels).min() >= 2 and min(held_out, len(labels) - held_out)
                >= classes else None)
    train_rows, valid_rows = train_test_split(np.arange(len(labels)), test_size=config.data.valid_fraction,
                                              stratify=stratify, random_state=config.train.seed)
    logger.info(f"validation: {config.data.valid_fraction:.0%} of the training file held out"
                + (" (stratified)" if stratify is not None else
                   " (random: label sets cannot be stratified)" if target.task_ == "multilabel" else "")
                + f", {len(valid_rows)} rows; pass --valid FILE to use your own")

    return examples.subset(np.sort(train_rows)), examples.subset(np.sort(valid_rows))


def make_folds(y: np.ndarray, task: str, members: int, seed: int):
    """Stratified folds for classes when each has a row per fold; multilabel rows (label sets) and soft targets
    cannot be stratified, so theirs are plain shuffled folds."""
    hard_classes = task in ("binary", "multiclass") and y.ndim == 1 and np.issubdtype(y.dtype, np.integer)
    if hard_classes and np.bincount(y).min() >= members:
        return list(StratifiedKFold(members, shuffle=True, random_state=seed).split(y, y))
    return list(KFold(members, shuffle=True, random_state=seed).split(y))
