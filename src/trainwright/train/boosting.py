"""Gradient-boosted trees fitted by LightGBM, outside Lightning: one "epoch" in the history, as the convex fit.

Defaults for small tables as well as large ones: a learning rate of 0.05 with up to 1,000 rounds, stopped when
the validation loss has not improved for 50 rounds (the booster keeps the best round); trees of at most 15
leaves under 5,000 training rows (31 above), and leaves of at least 20 rows, fewer for a small table so that a
few hundred rows still split. Row and column subsampling (0.8) and a small L2 penalty steady small data.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .. import tasks
from ..errors import ConfigError
from ..log import logger
from ..models.boosted import BoostedTrees

LEARNING_RATE = 0.05
MAX_ROUNDS = 1000
PATIENCE = 50  # rounds without a better validation loss before stopping
_OBJECTIVES = {"binary": "binary", "multiclass": "multiclass", "regression": "regression"}


def fits(model) -> bool:
    """Whether `model` is fitted here rather than by gradient steps."""
    return isinstance(model, BoostedTrees)


def parameters(task: str, rows: int, outputs: int, soft: bool, threads: int, seed: int) -> dict:
    """LightGBM's parameters for `rows` training rows (see the module docstring)."""
    params = {
        "objective": "cross_entropy" if soft and task == "binary" else _OBJECTIVES[task],
        "learning_rate": LEARNING_RATE, "num_leaves": 15 if rows < 5000 else 31,
        "min_data_in_leaf": int(np.clip(rows // 50, 3, 20)), "min_data_per_group": int(np.clip(rows // 20, 5, 100)),
        "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
        "num_threads": threads, "seed": seed, "deterministic": True, "force_row_wise": True, "verbose": -1,
    }
    if task == "multiclass":
        params["num_class"] = outputs
    return params


def fit(model: BoostedTrees, task: str, train_inputs, train_targets, valid_inputs, valid_targets, class_weights,
        seed: int = 0, label: str = "") -> list[dict]:
    """Fit `model`'s booster in place; returns a one-row history shaped as the gradient path's epochs are."""
    import lightgbm

    y, valid_y = np.asarray(train_targets), np.asarray(valid_targets)
    soft = task != "regression" and np.issubdtype(y.dtype, np.floating)
    if task == "multilabel" or (soft and task != "binary"):
        raise ConfigError(f"model lightgbm predicts one binary, multiclass or numeric target; this run's is "
                          f"{'soft multiclass' if soft else task}. Use --model mlp.")
    started = time.perf_counter()
    weights = None
    if class_weights is not None and not soft:
        weights = class_weights.numpy()[y]
    x, valid_x = (model.rows(i.numeric, i.categorical) for i in (train_inputs, valid_inputs))
    categorical = model.categorical_features
    train_set = lightgbm.Dataset(x, y, weight=weights, categorical_feature=categorical, free_raw_data=False)
    valid_set = lightgbm.Dataset(valid_x, valid_y, categorical_feature=categorical, reference=train_set)
    params = parameters(task, len(y), model.config.num_outputs, soft, torch.get_num_threads(), seed)
    booster = lightgbm.train(params, train_set, MAX_ROUNDS, valid_sets=[valid_set],
                             callbacks=[lightgbm.early_stopping(PATIENCE, verbose=False)])
    # Only the best round's trees are kept, and the model is the one its saved text gives back.
    model.load_text(booster.model_to_string(num_iteration=booster.best_iteration or None))
    row = {"epoch": 1, "seconds": round(time.perf_counter() - started, 3), "samples": len(y)}
    with torch.no_grad():
        for side, (inputs, truth) in (("train", (train_inputs, y)), ("val", (valid_inputs, valid_y))):
            logits = model(numeric=torch.from_numpy(inputs.numeric), categorical=torch.from_numpy(inputs.categorical))
            target = torch.as_tensor(truth)
            row[f"{side}_loss"] = round(float(tasks.loss(task, logits, target)), 5)
            if task != "regression":
                row[f"{side}_accuracy"] = round(float(tasks.accuracy(task, logits, target)), 5)
    rounds = model.booster_.num_trees() // max(1, params.get("num_class", 1))
    shown = "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k not in ("epoch", "seconds", "samples"))
    logger.info(f"{label}lightgbm: {rounds} rounds kept (early stopping on validation)  {shown}  "
                f"({row['seconds']:.1f}s)")
    return [row]
