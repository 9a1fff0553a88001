"""The LightningModule: a model, its task's loss with the configured penalties, the optimizer and learning-rate
schedule, and per-epoch metrics."""

from __future__ import annotations

import math

import lightning as L
import torch
from torch import nn

from .. import tasks
from ..config import DECAYING_SCHEDULES, RegularizationConfig, TrainConfig
from ..errors import ConfigError
from ..log import logger


class TaskModule(L.LightningModule):
    """Batches are (inputs, target): forward()'s keyword arguments, and hard or soft targets as tasks.loss
    takes them (soft: probabilities, e.g. a teacher's, for distillation)."""

    def __init__(self, model: nn.Module, task: str, config: TrainConfig,
                 regularization: RegularizationConfig | None = None, class_weights: torch.Tensor | None = None):
        super().__init__()
        self.model = model
        self.task = task
        self.config = config
        self.regularization = regularization or RegularizationConfig()
        self.class_weights = class_weights
        self._sums: dict[str, dict] = {}  # per stage: the epoch's rows and figures x rows (see _tally)

    def forward(self, **inputs: torch.Tensor) -> torch.Tensor:
        return self.model(**inputs)

    def _step(self, batch, stage: str) -> torch.Tensor:
        inputs, target = batch
        logits = self.model(**inputs)
        size = len(target)
        # The logged loss is the plain loss on both sides, so train and validation loss compare directly.
        quantiles = getattr(self.model, "quantiles", None)  # the quantile task's levels, kept by its model
        plain = tasks.loss(self.task, logits, target, quantiles=quantiles)
        figures = {"loss": plain}
        if self.task not in tasks.VALUE_TASKS:  # multilabel: subset accuracy; soft: against their likeliest class
            figures["accuracy"] = tasks.accuracy(self.task, logits, target)
        self._tally(stage, figures, size)
        if stage != "train":
            return plain
        reg = self.regularization
        weights = self.class_weights.to(logits.device) if self.class_weights is not None else None
        loss = tasks.loss(self.task, logits, target, weights, reg.label_smoothing, quantiles)
        if reg.l1 or reg.l2:
            matrices = penalized_weights(self.model)
            loss = loss + reg.l1 * sum(w.abs().sum() for w in matrices) + reg.l2 * sum(w.pow(2).sum() for w in matrices)
        return loss

    def _tally(self, stage: str, figures: dict, rows: int) -> None:
        """Add a batch's figures, weighted by its rows, to the epoch's sums."""
        sums = self._sums.setdefault(stage, {"rows": 0})
        sums["rows"] += rows
        for name, value in figures.items():
            sums[name] = sums.get(name, 0.0) + value.detach() * rows

    def on_validation_epoch_end(self):
        # The epoch's figures are logged once, here, not at every batch: Lightning's self.log costs ~0.7 ms a call,
        # a third of a fastText step. Validation runs at the end of every training epoch, one cut short by the
        # time limit too, so the training sums are whole.
        self._log_sums()

    def on_train_epoch_end(self):
        self._log_sums()  # an epoch that ran no validation batch still logs its training figures

    def _log_sums(self) -> None:
        """Log each stage's epoch figures and start new sums. sync_dist: with several processes, each figure is the
        mean over every process's rows (sums of value x rows and of rows reduced across processes), the same on
        all, so all stop at the same epoch."""
        for stage, sums in self._sums.items():
            rows = sums.pop("rows")
            for name, total in sums.items():
                self.log(f"{stage}_{name}", total / rows, on_step=False, on_epoch=True, batch_size=rows,
                         sync_dist=True)
        self._sums = {}

    def training_step(self, batch, batch_index):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_index):
        self._step(batch, "val")

    def configure_optimizers(self):
        cfg, decay = self.config, self.regularization.weight_decay
        sparse = {id(w) for w in sparse_weights(self.model)}
        if sparse:
            check_sparse_settings(cfg, self.regularization)
            # torch warns on every run unless told: its checks of sparse tensors stay off (the default), for speed
            torch.sparse.check_sparse_tensor_invariants.disable()
        decayed = {id(w) for w in penalized_weights(self.model, embeddings=True)} - sparse
        groups = [{"params": [p for p in self.parameters() if id(p) in decayed], "weight_decay": decay},
                  {"params": [p for p in self.parameters() if id(p) not in decayed], "weight_decay": 0.0}]
        if cfg.optimizer == "adagrad":  # takes sparse gradients: a row's steps shrink with its own updates
            optimizer = torch.optim.Adagrad(groups, lr=cfg.learning_rate)
        elif cfg.optimizer == "sgd":
            # A sparse table takes plain SGD, as fastText trains it: momentum would update every row it ever saw.
            optimizer = torch.optim.SGD(groups, lr=cfg.learning_rate, momentum=0.0 if sparse else 0.9)
        else:  # decoupled weight decay: AdamW; with no decay it is exactly Adam
            optimizer = torch.optim.AdamW(groups, lr=cfg.learning_rate)
        schedulers = []
        self.planned_steps = max(1, int(self.trainer.estimated_stepping_batches))
        warmup = int(cfg.warmup_epochs * self.planned_steps / max(1, cfg.epochs))
        if warmup or cfg.lr_schedule in DECAYING_SCHEDULES:
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, lambda step: lr_factor(step, self.planned_steps, warmup, cfg.lr_schedule))
            schedulers.append({"scheduler": scheduler, "interval": "step"})
        if cfg.lr_schedule == "plateau":
            plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
            schedulers.append({"scheduler": plateau, "interval": "epoch", "monitor": "val_loss"})
        return [optimizer], schedulers

    def plan_epochs(self, epochs: int, steps_per_epoch: int) -> None:
        """Make the learning rate's decay end with epoch `epochs` (train.time_limit's plan)."""
        self.planned_steps = max(1, epochs * steps_per_epoch)


def lr_factor(step: int, steps: int, warmup: int, schedule: str = "constant") -> float:
    """The learning rate's multiplier at optimizer step `step` of `steps`: a linear rise over `warmup` steps,
    then constant, or a fall to 0 at the last step, cosine or linear (fastText's)."""
    rise = min(1.0, (step + 1) / warmup) if warmup else 1.0
    progress = min(1.0, step / steps)
    if schedule == "cosine":
        return rise * 0.5 * (1 + math.cos(math.pi * progress))
    return rise * (1.0 - progress if schedule == "linear" else 1.0)


def sparse_weights(model: nn.Module) -> list[torch.Tensor]:
    """The embedding tables that get sparse gradients (only the rows a batch used), e.g. fastText's."""
    return [m.weight for m in model.modules()
            if isinstance(m, (nn.Embedding, nn.EmbeddingBag)) and m.sparse and m.weight.requires_grad]


def check_sparse_settings(config: TrainConfig, regularization: RegularizationConfig) -> None:
    """Sparse gradients take Adagrad or plain SGD and no global gradient norm; say which setting conflicts, and
    that weight decay acts on the dense layers only."""
    if config.optimizer not in ("adagrad", "sgd"):
        raise ConfigError(f"train.optimizer '{config.optimizer}' cannot update the sparsely trained embedding table "
                          "of model fasttext: use adagrad (its preset, when --optimizer is not given) or sgd.")
    if regularization.gradient_clip:
        raise ConfigError("regularization.gradient_clip cannot clip the sparse gradients of model fasttext's "
                          "embedding table: leave --gradient-clip unset for this model.")
    if regularization.weight_decay:
        logger.warning(f"regularization.weight_decay {regularization.weight_decay:g} decays the output layer only: "
                       "model fasttext's embedding table is trained with sparse updates, which cannot decay it.")


def penalized_weights(model: nn.Module, embeddings: bool = False) -> list[torch.Tensor]:
    """The weight matrices that L1/L2 and weight decay act on: every parameter of 2+ dimensions (dense and
    recurrent kernels), embeddings only when asked; never biases."""
    embedding_ids = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    return [p for p in model.parameters() if p.dim() >= 2 and (embeddings or id(p) not in embedding_ids)]
