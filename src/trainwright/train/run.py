"""A training run: read the data, fit the preprocessing, train, validate, and save the artifact."""

from __future__ import annotations

import json
import logging
import math
import os
import random
import signal
import statistics
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from ..artifact import Artifact, fingerprint, save_artifact
from ..config import TABLE_MODELS, TEXT_MODELS, RunConfig, build_config
from ..destination import check_folder, claim_folder
from ..errors import ConfigError, DataError
from ..data import infer_roles, read_table
from ..data.layout import Layout
from ..data.examples import Examples, labeled_examples
from ..data.target import TargetEncoder
from ..evaluate.evaluation import evaluate_examples, prediction_record
from ..evaluate.metrics import compute_metrics
from ..log import logger
from ..models import EnsembleConfig, EnsembleModel, build_model, model_sizes
from ..models.presets import apply_presets
from ..models.pretrained import resolve_pretrained
from ..predictor import predict_encoded, sorted_batches
from ..preprocessing import Preprocessing
from .batching import InputDataset, LengthBucketBatchSampler, make_loader
from . import boosting, convex, distributed, tracking

if TYPE_CHECKING:  # Lightning loads only for gradient training: it takes seconds to import
    import lightning as L


@dataclass
class TrainResult:
    path: Path
    metrics: dict
    history: list
    # False in the other processes of a data-parallel run: they trained alongside; rank 0 saved the model at path
    main_process: bool = True


def train(data: str | Path, *, valid: str | Path | None = None, test: str | Path | None = None,
          out: str | Path = "runs/latest", config: RunConfig | str | Path | None = None,
          resume: bool = False) -> TrainResult:
    """Train a model on the labeled table `data` and save it to `out`. See `trainwright train --help`.

    While it trains, `out/checkpoint/` holds the last epoch's checkpoint; `resume=True` continues from it
    (same data and settings), ending with the same metrics as a run that was never interrupted."""
    from . import streamed

    check_folder(out, "model")  # a folder that is not ours is refused before any work
    config = as_config(config)
    if streamed.wanted(data, config):
        setup(config)
        artifact, roles = streamed.fit_streamed(Path(data), valid, config,
                                                lambda: Checkpoints(claim_folder(out, "model") / "checkpoint", config,
                                                                    resume))
    else:
        config, roles, examples, target = prepare(data, config)
        tracking.check(config)
        valid_set = _read_labeled(valid, roles, config) if valid is not None else None
        checkpoints = Checkpoints(claim_folder(out, "model") / "checkpoint", config, resume)
        artifact = fit_artifact(examples, roles, target, config, valid_set, (str(data), str(valid or data)),
                                checkpoints)
        if distributed.is_main_process():
            artifact.data = {"train": fingerprint(data, artifact.metrics["training"]["n_train"])}
    if not distributed.is_main_process():  # data-parallel: rank 0 alone evaluates and writes
        return TrainResult(path=Path(out).resolve(), metrics=artifact.metrics, history=artifact.history,
                           main_process=False)
    if test is not None:
        artifact.metrics["test"] = evaluate_examples(artifact.predictor(), _read_labeled(test, roles, config),
                                                     str(test))
    path = save_artifact(artifact, out)
    tracking.publish(config.train.mlflow, path, artifact.config, artifact.metrics, artifact.history,
                     artifact.model_name)
    return TrainResult(path=path, metrics=artifact.metrics, history=artifact.history)


def prepare(data: str | Path, config: RunConfig | str | Path | None):
    """Read the training table, resolve its columns and target, and fix the run's settings from them."""
    config = as_config(config)
    setup(config)
    dcfg = config.data
    frame = read_table(data, dcfg.encoding, Layout.of(dcfg))
    keep_column_names(config, frame)
    roles = adopt_roles(config, infer_roles(frame, str(data), dcfg.target, dcfg.text, dcfg.features))
    examples = labeled_examples(frame, roles.text, roles.target, str(data), dcfg.features)
    target = TargetEncoder(dcfg.task, dcfg.label_separator).fit(examples.target, str(data))
    dcfg.task = target.task_
    if config.model.name == "auto":
        config.use_model(_model_for(roles))
    if config.model.name == "linear" and not roles.text and (roles.numeric or roles.categorical):
        logger.info("model linear on table columns: logistic regression (ridge for numbers) on the scaled numbers "
                    "and one-hot categories, saved as table_linear")
        config.use_model("table_linear")
    check_inputs(config.model.name, roles, str(data))
    tell_unused_settings(config)
    apply_presets(config)
    return config, roles, examples, target


def adopt_roles(config: RunConfig, roles):
    """Say how the columns were chosen and fix them in the run's settings, so the saved config names them."""
    for reason in roles.reasons:
        logger.info(reason)
    for warning in roles.warnings:
        logger.warning(warning)
    dcfg = config.data
    dcfg.target, dcfg.text, dcfg.features = roles.target, roles.text, roles.numeric + roles.categorical
    return roles


def keep_column_names(config: RunConfig, frame) -> None:
    """A file read without a header row (or with names given): keep its column names in the run's settings,
    so that the saved model reads files of the same layout the same way."""
    dcfg = config.data
    if frame.attrs.get("named_by_reader"):
        dcfg.column_names = [str(c) for c in frame.columns]


def as_config(config: RunConfig | str | Path | None) -> RunConfig:
    return config if isinstance(config, RunConfig) else build_config(Path(config) if config else None)


def setup(config: RunConfig) -> None:
    """Threads, the data-parallel process group if any, and the seed."""
    use_threads(config.train.threads)
    distributed.prepare_process(config)
    seed_everything(config.train.seed)


def seed_everything(seed: int) -> None:
    """Python's, NumPy's and torch's generators, as Lightning's seed_everything sets them, without importing
    Lightning (seconds) for a model that trains without it."""
    os.environ["PL_GLOBAL_SEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


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


def check_inputs(name: str, roles, source: str) -> None:
    """A model that reads text needs a text column, and one that reads table columns needs some."""
    table = roles.numeric + roles.categorical
    if name in (*TEXT_MODELS, "lstm+mlp") and not roles.text:
        raise ConfigError(f"model {name} reads text, but {source} has no column taken as text (columns used: "
                          f"{', '.join(table) or 'none'}). Name the text column with --text COL, or use --model mlp "
                          "for table columns.")
    if name in TEXT_MODELS and roles.text and table:
        logger.warning(f"model {name} reads text only: the table columns {', '.join(table)} are not used. "
                       "--model lstm+mlp reads both.")
    if name in TABLE_MODELS and roles.text:
        logger.warning(f"model {name} reads table columns only: the text column(s) {', '.join(roles.text)} are not "
                       "used. --model lstm+mlp reads both.")
    if name in (*TABLE_MODELS, "lstm+mlp") and not table:
        raise ConfigError(f"model {name} reads table columns, but {source} has none besides the text: use a text "
                          "model (--model auto, lstm, cnn, ...).")


def fit_artifact(examples: Examples, roles, target: TargetEncoder, config: RunConfig,
                 valid_set: Examples | None, sources: tuple[str, str], checkpoints=None,
                 callbacks: Sequence[L.Callback] = ()) -> Artifact:
    """Fit the preprocessing and the model on `examples`, validate, and return the (unsaved) artifact with its
    validation metrics and training figures. `callbacks` join the trainer's own (a single model only: e.g.
    `trainwright tune`'s pruning callback)."""
    distributed.check(config, _ensemble_size(config, config.model.name, len(examples), valid_set))
    if config.model.name == "auto" and not roles.text:
        from .table_search import search_table

        return search_table(examples, roles, target, config, valid_set, sources)
    if config.model.name == "auto":
        from .search import search

        return search(examples, roles, target, config, valid_set, sources, checkpoints)
    if config.model.name == "pretrained":  # fail before reading anything else if it is not on disk
        config.model.pretrained = str(resolve_pretrained(config.model.pretrained))
    stages = Preprocessing(roles, config)
    members = _ensemble_size(config, config.model.name, len(examples), valid_set)
    started = time.perf_counter()
    if members > 1:
        model, history, validation, n_train = _train_bagged(examples, stages, target, config, members, sources)
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


def _read_labeled(path: str | Path, roles, config: RunConfig) -> Examples:
    frame = read_table(path, config.data.encoding, Layout.of(config.data))
    return labeled_examples(frame, roles.text, roles.target, str(path), config.data.features)


def _train_single(examples, stages, target, valid, config, sources, checkpoints=None, callbacks=()):
    """One model, early-stopped on the --valid file or a held-out split. Returns the model, its history, the
    validation rows with their encoded truth and predictions, and the number of training rows."""
    train_set, valid_set = _validation_split(examples, target, valid, config)
    train_frame, train_target = _fit_stages(stages, train_set, sources[0])
    model = _build(stages, target, config, len(train_frame), len(valid_set))
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    valid_inputs = stages.encode(valid_set.inputs, sources[1])
    valid_truth = target.transform(valid_set.target, sources[1])
    history = _fit(model, target.task_, stages.encode(train_frame, sources[0], clean=False),
                   target.transform(train_target, sources[0]), valid_inputs, valid_truth, pad, config,
                   checkpoints=checkpoints, extra_callbacks=callbacks)
    outputs = predict_encoded(model, target.task_, valid_inputs, pad)
    return model, history, (valid_set.inputs, valid_truth, outputs), len(train_frame)


def _train_bagged(examples, stages, target, config, members, sources):
    """`members` models, each early-stopped on its own fold of the training rows and trained on the others;
    their out-of-fold predictions give the validation metrics, so every row is used and none is seen twice."""
    frame, labels = _fit_stages(stages, examples, sources[0])
    inputs = stages.encode(frame, sources[0], clean=False)
    y = target.transform(labels, sources[0])
    logger.info(f"ensemble: {members} models on {members} folds of the {len(frame)} training rows, their "
                "predictions averaged (train.ensemble: 1 for a single model)")
    if len(y) < members:
        raise DataError(f"{sources[0]}: {len(y)} rows are left for training after cleaning (duplicates, conflicts "
                        f"and unusable rows dropped), fewer than the {members} folds of the ensemble. Add rows, or "
                        "train one model (--ensemble 1).")
    folds = _folds(y, target.task_, members, config.train.seed)
    models, history = [], []
    out_of_fold = None
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    for k, (fit_rows, stop_rows) in enumerate(folds):
        seed_everything(config.train.seed + k)
        model = _build(stages, target, config, len(fit_rows), len(stop_rows), quiet=k > 0)
        rows = _fit(model, target.task_, inputs.subset(fit_rows), y[fit_rows], inputs.subset(stop_rows),
                    y[stop_rows], pad, config, label=f"model {k + 1}/{members}: ")
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


def _logged_metrics(task: str) -> str:
    names = ["loss"] + ([] if task == "regression" else ["accuracy"])
    return ", ".join(f"{side}_{name}" for side in ("val", "train") for name in names)


def _class_weights(task: str, targets: np.ndarray, mode: str) -> torch.Tensor | None:
    """balanced: n / (classes * count), so every class weighs as much in the loss (scikit-learn's rule); soft
    targets count each class by its summed probability. Multilabel: each label's positives weigh
    negatives / positives against its negatives (BCE's pos_weight), 1 for a label never or always present."""
    if mode == "none" or task == "regression":
        return None
    targets = np.asarray(targets)
    if task == "multilabel":
        positives = targets.sum(axis=0, dtype=float)
        negatives = len(targets) - positives
        weights = np.where((positives > 0) & (negatives > 0), negatives / np.maximum(positives, 1e-12), 1.0)
        return torch.tensor(weights, dtype=torch.float32)
    if np.issubdtype(targets.dtype, np.floating):  # soft: (n,) positive-class probabilities or (n, classes)
        counts = np.column_stack([1 - targets, targets]) if targets.ndim == 1 else targets
        counts = counts.sum(axis=0, dtype=float)
    else:
        counts = np.bincount(targets, minlength=2 if task == "binary" else int(targets.max()) + 1).astype(float)
    weights = len(targets) / (len(counts) * np.maximum(counts, 1))
    return torch.tensor(weights, dtype=torch.float32)


def _fit_stages(stages: Preprocessing, examples: Examples, source: str):
    frame, target = stages.fit_resample(examples.inputs, examples.target, source)
    for line in stages.cleaning_summary:
        logger.info(f"cleaning: {line}")
    return frame, target


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


def _folds(y: np.ndarray, task: str, members: int, seed: int):
    """Stratified folds for classes when each has a row per fold; multilabel rows (label sets) and soft targets
    cannot be stratified, so theirs are plain shuffled folds."""
    hard_classes = task in ("binary", "multiclass") and y.ndim == 1 and np.issubdtype(y.dtype, np.integer)
    if hard_classes and np.bincount(y).min() >= members:
        return list(StratifiedKFold(members, shuffle=True, random_state=seed).split(y, y))
    return list(KFold(members, shuffle=True, random_state=seed).split(y))


def _build(stages, target, config, n_train: int, n_valid: int, quiet: bool = False):
    name = config.model.name
    model = build_model(name, **model_sizes(name, config.model, stages.model_sizes(), target.num_outputs))
    if not quiet:
        logger.info(f"model: {name}; task: {target.task_}"
                    + (f", classes {target.classes_}" if target.classes_ else "")
                    + f"; {n_train} training rows, {n_valid} validation rows")
    return model


def _ensemble_size(config: RunConfig, name: str, rows: int, valid) -> int:
    if config.train.ensemble != "auto":
        return config.train.ensemble
    if distributed.processes(config) > 1:  # a data-parallel run trains one model (see distributed.check)
        return 1
    return 5 if name in TABLE_MODELS and rows < 5000 and valid is None else 1


def model_name(model, name: str) -> str:
    return "ensemble" if isinstance(model, EnsembleModel) else name


def _model_for(roles) -> str:
    """auto for text alone (candidates are searched, see search.py) and for a table alone (table_search.py);
    lstm+mlp for both."""
    if roles.text and (roles.numeric or roles.categorical):
        return "lstm+mlp"
    return "auto"


def thread_count(threads: int | None) -> int:
    return threads or os.cpu_count() or 1


def use_threads(threads: int | None) -> None:
    """All cores unless told otherwise; the tokenizer's Rust thread pool follows the same limit."""
    threads = thread_count(threads)
    torch.set_num_threads(threads)
    os.environ["RAYON_NUM_THREADS"] = str(threads)


def _validation_split(examples: Examples, target: TargetEncoder, valid: Examples | None, config: RunConfig):
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


def _fit(model, task: str, train_inputs, train_targets, valid_inputs, valid_targets, pad, config: RunConfig,
         label: str = "", checkpoints: "Checkpoints | None" = None,
         extra_callbacks: Sequence[L.Callback] = ()) -> list[dict]:
    """Train `model` in place on encoded inputs, validating each epoch; returns the per-epoch history."""
    if convex.fits(model):  # the TF-IDF linear model: a convex solver, one "epoch" in the history
        return convex.fit(model, task, train_inputs, train_targets, valid_inputs, valid_targets,
                          _class_weights(task, train_targets, config.regularization.class_weight), label)
    if boosting.fits(model):  # LightGBM's trees, early-stopped on the validation rows
        return boosting.fit(model, task, train_inputs, train_targets, valid_inputs, valid_targets,
                            _class_weights(task, train_targets, config.regularization.class_weight),
                            config.train.seed, label)
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping

    from .callbacks import BatchProgress, EpochLog, RestoreBestWeights
    from .module import TaskModule

    tcfg = config.train
    train_loader = make_loader(InputDataset(train_inputs, train_targets), pad, LengthBucketBatchSampler(
        train_inputs.lengths, tcfg.batch_size, tcfg.seed))
    valid_loader = make_loader(InputDataset(valid_inputs, valid_targets), pad,
                               distributed.ShardedBatches(sorted_batches(valid_inputs.lengths, 256)))

    stop = config.stopping
    epoch_log = EpochLog(tcfg.epochs, label)
    callbacks = [epoch_log, *extra_callbacks]
    if stop.enabled:
        callbacks.append(EarlyStopping(monitor=stop.monitor, mode=stop.direction, patience=stop.patience,
                                       min_delta=stop.min_delta))
    if stop.enabled and stop.restore_best:
        callbacks.append(RestoreBestWeights(monitor=stop.monitor, mode=stop.direction))
    if checkpoints is not None:
        callbacks += checkpoints.callbacks()
    callbacks.append(BatchProgress(tcfg.epochs, label))  # drawn only when stderr is a terminal
    with _quiet_lightning():
        trainer = L.Trainer(
            max_epochs=tcfg.epochs, accelerator=tcfg.accelerator, logger=tracking.trainer_loggers(checkpoints),
            **distributed.trainer_options(config),
            enable_checkpointing=checkpoints is not None, enable_model_summary=False,
            enable_progress_bar=False,
            num_sanity_val_steps=0, use_distributed_sampler=False, callbacks=callbacks, deterministic=True,
            gradient_clip_val=config.regularization.gradient_clip,
            max_time=timedelta(seconds=tcfg.time_limit) if tcfg.time_limit else None,
        )
        try:
            module = TaskModule(model, task, tcfg, config.regularization,
                                _class_weights(task, train_targets, config.regularization.class_weight))
            resume_from = checkpoints.resume_from() if checkpoints is not None else None
            trainer.fit(module, train_loader, valid_loader, ckpt_path=resume_from, weights_only=True)
        except (KeyError, RuntimeError) as e:
            if f"{stop.monitor}" in str(e) and "not available" in str(e) or "no metric" in str(e):
                raise ConfigError(f"stopping.monitor '{stop.monitor}' is not a metric this run logs. "
                                  f"Use one of: {_logged_metrics(task)}.") from None
            raise
        except SystemExit:
            # Lightning turns Ctrl+C into sys.exit(1) with SIGINT ignored; give the caller the interrupt back.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt from None
    model.cpu()
    return epoch_log.history


class Checkpoints:
    """The last epoch's checkpoint of a run in `directory`: model, optimizer, schedule, loop position, early
    stopping and best-weights state, and the random generator. Lightning writes it atomically (a temporary file
    moved into place), so a kill -9 leaves the previous epoch's checkpoint whole."""

    def __init__(self, directory: Path, config: RunConfig, resume: bool):
        self.directory = directory
        self.file = directory / "last.ckpt"
        self.resume = resume
        settings = directory / "config.json"
        current = json.loads(config.model_dump_json())
        if resume:
            if not (self.file.is_file() or (directory / "auto.json").is_file()):  # auto.json: see search.py
                raise ConfigError(f"Nothing to resume in {directory.parent}: no checkpoint at {self.file}. "
                                  "Start the run without --resume.")
            saved = json.loads(settings.read_text(encoding="utf-8"))
            changed = sorted(f"{section}.{key}" for section in current for key in current[section]
                             if saved.get(section, {}).get(key) != current[section][key])
            if changed:
                raise ConfigError(f"{directory.parent} was started with other settings ({', '.join(changed)}); "
                                  "resume with the same data, flags and config.")
        directory.mkdir(parents=True, exist_ok=True)
        if distributed.launch_rank() == 0:  # data-parallel: written once
            settings.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")

    def callbacks(self) -> list:
        from lightning.pytorch.callbacks import ModelCheckpoint

        from .callbacks import RandomState

        return [ModelCheckpoint(dirpath=self.directory, filename="last", save_top_k=1, every_n_epochs=1,
                                enable_version_counter=False), RandomState()]

    def resume_from(self) -> str | None:
        if self.resume:
            logger.info(f"resuming from {self.file}")
            return str(self.file)
        return None


class _quiet_lightning:
    """Lightning's start-up banners and data-loader hints say nothing our users need; keep them out."""

    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric")]

    def __enter__(self):
        self._levels = [log.level for log in self.loggers]
        for log in self.loggers:
            log.setLevel(logging.ERROR)
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.filterwarnings("ignore", module="lightning")
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")

    def __exit__(self, *exc):
        self._warnings.__exit__(*exc)
        for log, level in zip(self.loggers, self._levels):
            log.setLevel(level)
