"""Bagged ensembles: members trained on folds of the training rows, scored on their out-of-fold predictions,
and calibrated by Platt scaling for binary tasks."""

from __future__ import annotations

import numpy as np

from ..config import TABLE_MODELS, RunConfig
from ..errors import DataError
from ..images.augment import training_inputs
from ..log import logger
from ..models import EnsembleConfig, EnsembleModel
from ..predictor import predict_encoded
from . import distributed
from .building import build, fit_stages
from .process import seed_everything
from .splits import make_folds
from .trainer import Trainer


def ensemble_size(config: RunConfig, name: str, rows: int, valid) -> int:
    """train.ensemble, or for auto: five members for a small table without a --valid file, else one."""
    if config.train.ensemble != "auto":
        return config.train.ensemble
    if distributed.processes(config) > 1:  # a data-parallel run trains one model (see distributed.check)
        return 1
    return 5 if name in TABLE_MODELS and rows < 5000 and valid is None else 1


def train_bagged(examples, stages, target, config, members, sources):
    """`members` models, each early-stopped on its own fold of the training rows and trained on the others;
    their out-of-fold predictions give the validation metrics, so every row is used and none is seen twice."""
    frame, labels = fit_stages(stages, examples, sources[0])
    inputs = stages.encode(frame, sources[0], clean=False)
    y = target.transform(labels, sources[0])
    logger.info(f"ensemble: {members} models on {members} folds of the {len(frame)} training rows, their "
                "predictions averaged (train.ensemble: 1 for a single model)")
    if len(y) < members:
        raise DataError(f"{sources[0]}: {len(y)} rows are left for training after cleaning (duplicates, conflicts "
                        f"and unusable rows dropped), fewer than the {members} folds of the ensemble. Add rows, or "
                        "train one model (--ensemble 1).")
    splits = make_folds(y, target.task_, members, config.train.seed)
    models, history = [], []
    out_of_fold = None
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    for k, (fit_rows, stop_rows) in enumerate(splits):
        seed_everything(config.train.seed + k)
        model = build(stages, target, config, len(fit_rows), len(stop_rows), quiet=k > 0)
        rows = Trainer(config, label=f"model {k + 1}/{members}: ").fit(
            model, target.task_, training_inputs(inputs.subset(fit_rows), config.model, config.train.seed + k),
            y[fit_rows], inputs.subset(stop_rows), y[stop_rows], pad)
        history += [{"model": k + 1, **row} for row in rows]
        outputs = predict_encoded(model, target.task_, inputs.subset(stop_rows), pad)
        if out_of_fold is None:
            out_of_fold = np.zeros((len(y), *outputs.shape[1:]))
        out_of_fold[stop_rows] = outputs
        models.append(model)
    calibration = None
    if target.task_ == "binary":
        calibration, out_of_fold = _platt(out_of_fold, y)
    ensemble = EnsembleModel(EnsembleConfig(target.task_, [
        {"name": config.model.name, "config": m.config.to_dict()} for m in models], calibration), models)
    # The report shows each row as it was in the file, not its cleaned (imputed, clipped) values.
    return ensemble, history, (examples.inputs.loc[frame.index], y, out_of_fold), len(frame)


def _platt(probabilities: np.ndarray, y: np.ndarray) -> tuple[list[float], np.ndarray]:
    """Platt scaling fitted on out-of-fold predictions: averaging members pulls probabilities towards 0.5,
    and the fold models see fewer rows than the data has; a logistic fit on their logits undoes both."""
    from sklearn.linear_model import LogisticRegression

    positive = probabilities[:, 1].clip(1e-7, 1 - 1e-7)
    logit = np.log(positive / (1 - positive)).reshape(-1, 1)
    fit = LogisticRegression(C=1e4).fit(logit, y)
    scale, shift = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    calibrated = 1 / (1 + np.exp(-(scale * logit[:, 0] + shift)))
    return [scale, shift], np.column_stack([1 - calibrated, calibrated])
