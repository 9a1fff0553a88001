"""A run's settings: built from what the caller gave, and checked against the model, which may not use them."""

from __future__ import annotations

from pathlib import Path

from ..config import RunConfig, build_config
from ..log import logger


def as_config(config: RunConfig | str | Path | None) -> RunConfig:
    return config if isinstance(config, RunConfig) else build_config(Path(config) if config else None)


# Settings of gradient training that the linear models' convex fit (convex.py) and LightGBM have no use for.
_GRADIENT_ONLY = {"train": ("epochs", "batch_size", "learning_rate", "optimizer", "lr_schedule", "warmup_epochs"),
                  "regularization": ("l1", "l2", "weight_decay", "label_smoothing", "gradient_clip")}
_NOT_GRADIENT = {"linear": "a convex solver with its regularization chosen on validation",
                 "table_linear": "a convex solver with its regularization chosen on validation",
                 "lightgbm": "LightGBM with its own defaults and early stopping on validation (train/boosting.py)"}


def tell_unused_settings(config: RunConfig) -> None:
    """Say so when a setting the user gave does nothing for the model (rather than ignore it silently); a model
    key that does not apply is already an error (model_config.py)."""
    name = config.model.name
    if name != "auto" and "preset" in config.train.model_fields_set:
        logger.warning(f"train.preset chooses the candidates of --model auto; model {name} trains "
                       "alone, so it is not used.")
    if name not in _NOT_GRADIENT:
        return
    unused = [f"{section}.{key}" for section, keys in _GRADIENT_ONLY.items() for key in keys
              if key in getattr(config, section).model_fields_set]
    if unused:
        logger.warning(f"model {name} is fitted by {_NOT_GRADIENT[name]}: {', '.join(unused)} not used.")
