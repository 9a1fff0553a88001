"""The one place that trains a model: a built model fitted on encoded inputs, validated each epoch, with its
checkpoints. Convex and LightGBM models are fitted by their own solvers; the rest by a Lightning loop."""

from __future__ import annotations

import json
import logging
import signal
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from .. import tasks
from ..config import DECAYING_SCHEDULES, RunConfig
from ..errors import ConfigError
from ..log import logger
from ..predictor import sorted_batches
from . import boosting, convex, distributed, tracking
from .batching import InputDataset, LengthBucketBatchSampler, make_loader

if TYPE_CHECKING:  # Lightning loads only for gradient training: it takes seconds to import
    import lightning as L


class Trainer:
    """Trains one model in place on encoded inputs, validating each epoch. `label` prefixes its log lines (a
    bagged member's number); `checkpoints` keeps the last epoch for --resume; `callbacks` join its own (e.g.
    `trainwright tune`'s pruning callback)."""

    def __init__(self, config: RunConfig, *, label: str = "", checkpoints: Checkpoints | None = None,
                 callbacks: Sequence[L.Callback] = ()):
        self.config = config
        self.label = label
        self.checkpoints = checkpoints
        self.callbacks = callbacks

    def fit(self, model, task: str, train_inputs, train_targets, valid_inputs, valid_targets, pad) -> list[dict]:
        """Train `model` in place; returns the per-epoch history."""
        config, label, checkpoints = self.config, self.label, self.checkpoints
        if convex.fits(model):  # the TF-IDF linear model: a convex solver, one "epoch" in the history
            return convex.fit(model, task, train_inputs, train_targets, valid_inputs, valid_targets,
                              class_weights(task, train_targets, config.regularization.class_weight), label)
        if boosting.fits(model):  # LightGBM's trees, early-stopped on the validation rows
            return boosting.fit(model, task, train_inputs, train_targets, valid_inputs, valid_targets,
                                class_weights(task, train_targets, config.regularization.class_weight),
                                config.train.seed, label)
        import lightning as L

        from .module import TaskModule

        tcfg = config.train
        train_loader = make_loader(InputDataset(train_inputs, train_targets), pad, LengthBucketBatchSampler(
            train_inputs.lengths, tcfg.batch_size, tcfg.seed))
        valid_loader = make_loader(InputDataset(valid_inputs, valid_targets), pad,
                                   distributed.ShardedBatches(sorted_batches(valid_inputs.lengths, 256)))
        stop = config.stopping
        epoch_log, callbacks = self._callbacks()
        with _quiet_lightning():
            trainer = L.Trainer(
                max_epochs=tcfg.epochs, accelerator=tcfg.accelerator, logger=tracking.trainer_loggers(checkpoints),
                **distributed.trainer_options(config),
                enable_checkpointing=checkpoints is not None, enable_model_summary=False,
                enable_progress_bar=False,
                num_sanity_val_steps=0, use_distributed_sampler=False, callbacks=callbacks, deterministic=True,
                gradient_clip_val=config.regularization.gradient_clip, precision=precision(model, tcfg.accelerator),
                max_time=timedelta(seconds=tcfg.time_limit) if tcfg.time_limit else None,
            )
            try:
                module = TaskModule(model, task, tcfg, config.regularization,
                                    class_weights(task, train_targets, config.regularization.class_weight))
                resume_from = checkpoints.resume_from() if checkpoints is not None else None
                trainer.fit(module, train_loader, valid_loader, ckpt_path=resume_from, weights_only=True)
            except (KeyError, RuntimeError) as e:
                if f"{stop.monitor}" in str(e) and "not available" in str(e) or "no metric" in str(e):
                    raise ConfigError(f"stopping.monitor '{stop.monitor}' is not a metric this run logs. "
                                      f"Use one of: {logged_metrics(task)}.") from None
                raise
            except SystemExit:
                # Lightning turns Ctrl+C into sys.exit(1) with SIGINT ignored; give the caller the interrupt back.
                signal.signal(signal.SIGINT, signal.default_int_handler)
                raise KeyboardInterrupt from None
        model.cpu()
        return epoch_log.history

    def _callbacks(self) -> tuple:
        """The epoch log (whose history fit returns) and every callback of the loop, in the order they run."""
        from lightning.pytorch.callbacks import EarlyStopping

        from .callbacks import BatchProgress, EpochLog, EpochsWithinTimeLimit, RestoreBestWeights

        tcfg, stop = self.config.train, self.config.stopping
        epoch_log = EpochLog(self.label)
        callbacks = [epoch_log, *self.callbacks]
        if tcfg.time_limit and tcfg.lr_schedule in DECAYING_SCHEDULES:  # its plan goes in the epoch's log line
            callbacks.insert(0, EpochsWithinTimeLimit(tcfg.time_limit, self.label))
        if stop.enabled:
            callbacks.append(EarlyStopping(monitor=stop.monitor, mode=stop.direction, patience=stop.patience,
                                           min_delta=stop.min_delta))
        if stop.enabled and stop.restore_best:
            callbacks.append(RestoreBestWeights(monitor=stop.monitor, mode=stop.direction))
        if self.checkpoints is not None:
            callbacks += self.checkpoints.callbacks()
        callbacks.append(BatchProgress(self.label))  # drawn only when stderr is a terminal
        return epoch_log, callbacks


def precision(model, accelerator: str) -> str:
    """Lightning's precision: bf16 mixed where the model asks for it (`mixed_precision`, e.g. the image CNN) and
    trains on a CPU with bf16 instructions, else 32-bit. Autocast runs the convolutions in bf16 and keeps the
    weights, the optimizer and the loss in float32; a CPU without those instructions would emulate bf16, slower."""
    on_cpu = accelerator == "cpu" or accelerator == "auto" and not torch.cuda.is_available()
    if getattr(model, "mixed_precision", False) and on_cpu and cpu_has_bf16():
        return "bf16-mixed"
    return "32-true"


def cpu_has_bf16() -> bool:
    """Whether oneDNN runs bf16 natively here (AVX-512 BF16 or AMX)."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def logged_metrics(task: str) -> str:
    """The metrics the Lightning loop logs for `task`, which stopping.monitor may name."""
    names = ["loss"] + ([] if task in tasks.VALUE_TASKS else ["accuracy"])
    return ", ".join(f"{side}_{name}" for side in ("val", "train") for name in names)


def class_weights(task: str, targets: np.ndarray, mode: str) -> torch.Tensor | None:
    """balanced: n / (classes * count), so every class weighs as much in the loss (scikit-learn's rule); soft
    targets count each class by its summed probability. Multilabel: each label's positives weigh
    negatives / positives against its negatives (BCE's pos_weight), 1 for a label never or always present."""
    if mode == "none" or task in tasks.VALUE_TASKS:
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


class Checkpoints:
    """A run's latest checkpoint in `directory`, of the last epoch when saving each costs little (see
    callbacks.EpochCheckpoint): model, optimizer, schedule, loop position, early stopping and best-weights state,
    and the random generator. Lightning writes it atomically (a temporary file moved into place), so a kill -9
    leaves the previous checkpoint whole."""

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
        from .callbacks import EpochCheckpoint, RandomState

        return [EpochCheckpoint(self.file), RandomState()]

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
