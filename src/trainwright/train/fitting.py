"""One configured model fitted into an unsaved Artifact: its preprocessing stages, the model trained alone or
bagged, its validation metrics and training figures."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..artifact import Artifact
from ..config import RunConfig
from ..data.examples import Examples
from ..data.target import TargetEncoder
from ..evaluate.evaluation import prediction_record
from ..evaluate.metrics import compute_metrics
from ..images.augment import training_inputs
from ..models import EnsembleModel
from ..predictor import predict_encoded
from ..preprocessing import Preprocessing
from . import distributed
from .bagging import ensemble_size, train_bagged
from .building import build, fit_stages
from .resolve import located_pretrained
from .splits import validation_split
from .trainer import Trainer

if TYPE_CHECKING:  # Lightning loads only for gradient training: it takes seconds to import
    import lightning as L


def fit_model(examples: Examples, roles, target: TargetEncoder, config: RunConfig,
              valid_set: Examples | None, sources: tuple[str, str], checkpoints=None,
              callbacks: Sequence[L.Callback] = ()) -> Artifact:
    """Fit the preprocessing and the model named in `config` (not auto: see run.fit_artifact) on `examples`,
    validate, and return the (unsaved) artifact with its validation metrics and training figures. `callbacks`
    join the trainer's own (a single model only: e.g. `trainwright tune`'s pruning callback)."""
    distributed.check(config, ensemble_size(config, config.model.name, len(examples), valid_set))
    config = located_pretrained(config)  # a candidate's or a trial's: fail before reading anything else
    stages = Preprocessing(roles, config, images=examples.images)
    members = ensemble_size(config, config.model.name, len(examples), valid_set)
    started = time.perf_counter()
    if members > 1:
        model, history, validation, n_train = train_bagged(examples, stages, target, config, members, sources)
    else:
        model, history, validation, n_train = _train_single(examples, stages, target, valid_set, config, sources,
                                                            checkpoints, callbacks)
    fit_seconds = time.perf_counter() - started
    return assemble_artifact(model, stages, target, config, roles, history, validation, n_train, fit_seconds,
                             members)


def assemble_artifact(model, stages: Preprocessing, target: TargetEncoder, config: RunConfig, roles, history: list,
                      validation: tuple, n_train: int, fit_seconds: float, members: int = 1) -> Artifact:
    """The unsaved artifact of a trained model: its validation metrics, training figures and predictions."""
    inputs, truth, outputs = validation
    if target.task_ == "regression":
        truth, outputs = target.inverse(truth), np.asarray(target.inverse(outputs))
    # The first epoch pays for warm-up. An epoch cut short by train.time_limit counts only the samples it ran
    # (a history from an older checkpoint has no counts: full epochs then).
    rows_per_epoch = n_train * (1 - 1 / members) if members > 1 else n_train
    rates = [row.get("samples", rows_per_epoch) / max(row["seconds"], 1e-9) for row in history[1:] or history]
    metrics = {
        "valid": compute_metrics(target.task_, truth, outputs, target.classes_),
        "training": {
            "epochs_run": len(history), "n_train": n_train, "fit_s": round(fit_seconds, 2),
            "train_samples_per_s": round(statistics.median(rates), 1) if rates else 0.0,
            "threads": torch.get_num_threads(), "models": members,
            "validation": "out-of-fold predictions" if members > 1 else "held-out rows",
        },
        "cleaning": stages.cleaning_summary,
    }
    if getattr(roles, "leaks", None):
        used = set(roles.numeric + roles.categorical)
        metrics["leakage"] = [{**leak.to_dict(), "kept": leak.column in used} for leak in roles.leaks]
    return Artifact(config=config, model_name=model_name(model, config.model.name), model=model,
                    preprocessing=stages, target=target, history=history, metrics=metrics,
                    validation=prediction_record(target.task_, target.classes_, inputs, truth, outputs, roles.text))


def model_name(model, name: str) -> str:
    return "ensemble" if isinstance(model, EnsembleModel) else name


def _train_single(examples, stages, target, valid, config, sources, checkpoints=None, callbacks=()):
    """One model, early-stopped on the --valid file or a held-out split. Returns the model, its history, the
    validation rows with their encoded truth and predictions, and the number of training rows."""
    train_set, valid_set = validation_split(examples, target, valid, config)
    train_frame, train_target = fit_stages(stages, train_set, sources[0])
    model = build(stages, target, config, len(train_frame), len(valid_set))
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    valid_inputs = stages.encode(valid_set.inputs, sources[1])
    valid_truth = target.transform(valid_set.target, sources[1])
    train_inputs = stages.encode(train_frame, sources[0], clean=False)
    if precomputed(model, config):  # a frozen network: its features once, then the head trains on them
        train_inputs, valid_inputs = features_of(model, train_inputs), features_of(model, valid_inputs)
    history = Trainer(config, checkpoints=checkpoints, callbacks=callbacks).fit(
        model, target.task_, training_inputs(train_inputs, config.model, config.train.seed),
        target.transform(train_target, sources[0]), valid_inputs, valid_truth, pad)
    outputs = predict_encoded(model, target.task_, valid_inputs, pad)
    return model, history, (valid_set.inputs, valid_truth, outputs), len(train_frame)


def precomputed(model, config: RunConfig) -> bool:
    """Whether the model trains on features computed once: a frozen pretrained image network whose training
    images are not augmented (augmented images change every epoch, and so would their features)."""
    from ..images.augment import ImageAugment

    return bool(getattr(config.model, "freeze", False)) and not ImageAugment.from_config(config.model).enabled \
        and hasattr(model, "pooled_features")


def features_of(model, inputs):
    """The images' pooled features as the model's `numeric` inputs (models/efficientnet.py)."""
    from ..models.efficientnet import precompute_features
    from ..models.inputs import EncodedInputs

    return EncodedInputs(None, precompute_features(model, inputs.images), None)
