"""A training run: read the data, fit the preprocessing, train, validate, and save the artifact."""

from __future__ import annotations

import logging
import os
import signal
import statistics
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import EarlyStopping, TQDMProgressBar
from sklearn.model_selection import train_test_split

from ..artifact import Artifact, fingerprint, save_artifact
from ..config import RunConfig, build_config
from ..data import infer_roles, read_table
from ..data.examples import Examples, labeled_examples
from ..data.target import TargetEncoder
from ..evaluate.evaluation import evaluate_examples
from ..log import logger
from ..models import build_model, model_sizes
from ..preprocessing import Preprocessing
from .batching import InputDataset, LengthBucketBatchSampler, make_loader, sorted_batches
from .callbacks import EpochLog, RestoreBestWeights
from .module import TaskModule


@dataclass
class TrainResult:
    path: Path
    metrics: dict
    history: list


def train(data: str | Path, *, valid: str | Path | None = None, test: str | Path | None = None,
          out: str | Path = "runs/latest", config: RunConfig | str | Path | None = None) -> TrainResult:
    """Train a model on the labeled table `data` and save it to `out`. See `trainwright train --help`."""
    if not isinstance(config, RunConfig):
        config = build_config(Path(config) if config else None)
    use_threads(config.train.threads)
    L.seed_everything(config.train.seed, verbose=False)
    dcfg = config.data

    frame = read_table(data, dcfg.encoding)
    roles = infer_roles(frame, str(data), dcfg.target, dcfg.text, dcfg.features)
    for reason in roles.reasons:
        logger.info(reason)
    dcfg.target, dcfg.text, dcfg.features = roles.target, roles.text, roles.numeric + roles.categorical
    examples = labeled_examples(frame, roles.text, roles.target, str(data), dcfg.features)
    target = TargetEncoder(dcfg.task).fit(examples.target, str(data))
    dcfg.task = target.task_
    train_set, valid_set = _validation_split(examples, target, valid, config)

    stages = Preprocessing(roles, config)
    train_frame, train_target = stages.fit(train_set.inputs, train_set.target, str(data))
    for line in stages.cleaning_summary:
        logger.info(f"cleaning: {line}")
    name = config.model.name if config.model.name != "auto" else _model_for(roles)
    config.model.name = name
    model = build_model(name, **model_sizes(name, config.model, stages.model_sizes(), target.num_outputs))
    logger.info(f"model: {name}; task: {target.task_}" + (f", classes {target.classes_}" if target.classes_ else "")
                + f"; {len(train_frame)} training rows, {len(valid_set)} validation rows")
    started = time.perf_counter()
    sources = (str(data), str(valid or data))
    history = _fit(model, stages, target, Examples(train_frame, train_target, roles.text), valid_set, config,
                   sources)
    fit_seconds = time.perf_counter() - started

    artifact = Artifact(config=config, model_name=name, model=model, preprocessing=stages, target=target,
                        history=history, data={"train": fingerprint(data, len(train_frame))})
    predictor = artifact.predictor()
    metrics = {"valid": evaluate_examples(predictor, valid_set, sources[1])}
    if test is not None:
        test_frame = read_table(test, dcfg.encoding)
        test_set = labeled_examples(test_frame, roles.text, roles.target, str(test), dcfg.features)
        metrics["test"] = evaluate_examples(predictor, test_set, str(test))
    steady = [row["seconds"] for row in history[1:]] or [row["seconds"] for row in history]
    metrics["training"] = {
        "epochs_run": len(history), "n_train": len(train_frame), "fit_s": round(fit_seconds, 2),
        "train_samples_per_s": round(len(train_frame) / statistics.median(steady), 1),
        "threads": torch.get_num_threads(),
    }
    metrics["cleaning"] = stages.cleaning_summary
    artifact.metrics = metrics
    path = save_artifact(artifact, out)
    return TrainResult(path=path, metrics=metrics, history=history)


def _model_for(roles) -> str:
    if roles.text and (roles.numeric or roles.categorical):
        return "lstm+mlp"
    return "lstm" if roles.text else "mlp"


def use_threads(threads: int | None) -> None:
    """All cores unless told otherwise; the tokenizer's Rust thread pool follows the same limit."""
    threads = threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    os.environ["RAYON_NUM_THREADS"] = str(threads)


def _validation_split(examples: Examples, target: TargetEncoder, valid, config: RunConfig):
    if valid is not None:
        frame = read_table(valid, config.data.encoding)
        return examples, labeled_examples(frame, config.data.text, config.data.target, str(valid),
                                          config.data.features)
    labels = target.transform(examples.target)
    stratify = labels if target.task_ != "regression" and np.bincount(labels).min() >= 2 else None
    train_rows, valid_rows = train_test_split(np.arange(len(labels)), test_size=config.data.valid_fraction,
                                              stratify=stratify, random_state=config.train.seed)
    logger.info(f"validation: {config.data.valid_fraction:.0%} of the training file held out"
                + (" (stratified)" if stratify is not None else "")
                + f", {len(valid_rows)} rows; pass --valid FILE to use your own")

    return examples.subset(np.sort(train_rows)), examples.subset(np.sort(valid_rows))


def _fit(model, stages: Preprocessing, target: TargetEncoder, train_set: Examples, valid_set: Examples,
         config: RunConfig, sources: tuple[str, str]) -> list[dict]:
    tcfg = config.train
    train_inputs = stages.encode(train_set.inputs, sources[0], clean=False)  # cleaned by stages.fit
    valid_inputs = stages.encode(valid_set.inputs, sources[1])
    train_data = InputDataset(train_inputs, target.transform(train_set.target, sources[0]))
    valid_data = InputDataset(valid_inputs, target.transform(valid_set.target, sources[1]))
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    train_loader = make_loader(train_data, pad, LengthBucketBatchSampler(
        train_inputs.lengths, tcfg.batch_size, tcfg.seed))
    valid_loader = make_loader(valid_data, pad, sorted_batches(valid_inputs.lengths, 256))

    epoch_log = EpochLog(tcfg.epochs)
    callbacks = [epoch_log]
    if tcfg.early_stopping:
        callbacks.append(EarlyStopping(monitor="val_loss", mode="min", patience=tcfg.patience))
    if tcfg.restore_best:
        callbacks.append(RestoreBestWeights(monitor="val_loss", mode="min"))
    interactive = os.isatty(2)
    if interactive:
        callbacks.append(TQDMProgressBar(refresh_rate=10))
    with _quiet_lightning():
        trainer = L.Trainer(
            max_epochs=tcfg.epochs, accelerator=tcfg.accelerator, devices=1, logger=False,
            enable_checkpointing=False, enable_model_summary=False, enable_progress_bar=interactive,
            num_sanity_val_steps=0, use_distributed_sampler=False, callbacks=callbacks, deterministic=True,
        )
        try:
            trainer.fit(TaskModule(model, target.task_, tcfg), train_loader, valid_loader)
        except SystemExit:
            # Lightning turns Ctrl+C into sys.exit(1) with SIGINT ignored; give the caller the interrupt back.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt from None
    model.cpu()
    return epoch_log.history


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
