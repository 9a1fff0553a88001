"""The LightningModule: a model, its task's loss, the optimizer, and per-epoch metrics."""

from __future__ import annotations

import lightning as L
import torch

from .. import tasks
from ..config import TrainConfig


class TaskModule(L.LightningModule):
    def __init__(self, model: torch.nn.Module, task: str, config: TrainConfig):
        super().__init__()
        self.model = model
        self.task = task
        self.config = config

    def forward(self, **inputs: torch.Tensor) -> torch.Tensor:
        return self.model(**inputs)

    def _step(self, batch, stage: str) -> torch.Tensor:
        inputs, target = batch
        logits = self.model(**inputs)
        loss = tasks.loss(self.task, logits, target)
        size = len(target)
        self.log(f"{stage}_loss", loss, on_step=False, on_epoch=True, batch_size=size)
        if self.task != "regression":
            accuracy = (tasks.predicted_index(self.task, logits) == target).float().mean()
            self.log(f"{stage}_accuracy", accuracy, on_step=False, on_epoch=True, batch_size=size)
        return loss

    def training_step(self, batch, batch_index):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_index):
        self._step(batch, "val")

    def configure_optimizers(self):
        if self.config.optimizer == "sgd":
            return torch.optim.SGD(self.parameters(), lr=self.config.learning_rate, momentum=0.9)
        return torch.optim.Adam(self.parameters(), lr=self.config.learning_rate)
