"""A run's fitted preprocessing stages and the untrained model built to the sizes they found."""

from __future__ import annotations

from ..data.examples import Examples
from ..log import logger
from ..models import build_model, model_sizes
from ..preprocessing import Preprocessing


def fit_stages(stages: Preprocessing, examples: Examples, source: str):
    """Fit the cleaning and encoding stages on `examples`; returns the cleaned (resampled) frame and targets."""
    frame, target = stages.fit_resample(examples.inputs, examples.target, source)
    for line in stages.cleaning_summary:
        logger.info(f"cleaning: {line}")
    return frame, target


def build(stages, target, config, n_train: int, n_valid: int, quiet: bool = False):
    """The configured model, untrained, sized by the fitted stages and the target's outputs."""
    name = config.model.name
    model = build_model(name, **model_sizes(name, config.model, stages.model_sizes(), target.num_outputs))
    if not quiet:
        logger.info(f"model: {name}; task: {target.task_}"
                    + (f", classes {target.classes_}" if target.classes_ else "")
                    + f"; {n_train} training rows, {n_valid} validation rows")
    return model
