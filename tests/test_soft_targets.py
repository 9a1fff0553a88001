"""Soft targets (probabilities, e.g. a teacher's when distilling): the loss, accuracy and class weights take them
as they take hard labels, and a model trains on them through TaskModule."""

from __future__ import annotations

import lightning as L
import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from trainwright import tasks
from trainwright.config import TrainConfig
from trainwright.train.module import TaskModule
from trainwright.train.trainer import class_weights

LOGITS = {"binary": torch.tensor([[2.0], [-1.0], [0.3], [-0.2]]),
          "multiclass": torch.tensor([[2.0, 0.1, -1.0], [0.0, 1.0, 0.5], [0.3, 0.2, 0.1], [-1.0, 0.0, 3.0]])}
HARD = {"binary": torch.tensor([1, 0, 0, 1]), "multiclass": torch.tensor([0, 2, 1, 2])}


def one_hot(task: str) -> torch.Tensor:
    """The hard labels as soft targets: P(positive) (batch,) for binary, probability rows for multiclass."""
    return HARD[task].float() if task == "binary" else F.one_hot(HARD[task], 3).float()


@pytest.mark.parametrize("task", ["binary", "multiclass"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weights", [None, (0.5, 2.0, 1.5)])
def test_one_hot_soft_targets_give_the_hard_targets_loss(task, smoothing, weights):
    w = None if weights is None else torch.tensor(weights[:2] if task == "binary" else weights)
    hard = tasks.loss(task, LOGITS[task], HARD[task], w, smoothing)
    soft = tasks.loss(task, LOGITS[task], one_hot(task), w, smoothing)
    torch.testing.assert_close(soft, hard)


def test_binary_soft_targets_may_be_probability_rows_too():
    rows = torch.stack([1 - one_hot("binary"), one_hot("binary")], dim=1)
    torch.testing.assert_close(tasks.loss("binary", LOGITS["binary"], rows),
                               tasks.loss("binary", LOGITS["binary"], HARD["binary"]))


def test_a_soft_target_is_the_cross_entropy_against_its_distribution():
    target = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.5, 0.5]])
    expected = -(target * torch.log_softmax(LOGITS["multiclass"], dim=1)).sum(dim=1).mean()
    torch.testing.assert_close(tasks.loss("multiclass", LOGITS["multiclass"], target), expected)
    p = torch.tensor([0.9, 0.2, 0.5, 0.6])
    torch.testing.assert_close(tasks.loss("binary", LOGITS["binary"], p),
                               F.binary_cross_entropy_with_logits(LOGITS["binary"][:, 0], p))


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_accuracy_compares_to_the_likeliest_class_of_a_soft_target(task):
    hard = tasks.accuracy(task, LOGITS[task], HARD[task])
    blurred = one_hot(task) * 0.6 + (0.2 if task == "binary" else 0.4 / 3)  # same argmax / side of 0.5
    assert tasks.accuracy(task, LOGITS[task], blurred) == hard


def test_balanced_class_weights_count_soft_targets_by_their_probabilities():
    hard = np.array([0, 0, 0, 1, 2, 2])
    soft = np.eye(3, dtype="float32")[hard]
    balanced = class_weights("multiclass", hard, "balanced")
    assert torch.allclose(class_weights("multiclass", soft, "balanced"), balanced)
    binary = np.array([0, 1, 1, 1])
    assert torch.allclose(class_weights("binary", binary.astype("float32"), "balanced"),
                          class_weights("binary", binary, "balanced"))


class Toy(nn.Module):
    """forward(**inputs) -> logits, as the models are called."""

    def __init__(self, outputs: int):
        super().__init__()
        self.linear = nn.Linear(2, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


def toy_loader(targets: torch.Tensor, x: torch.Tensor) -> DataLoader:
    """Batches of (forward()'s keyword arguments, targets), as trainwright's loaders give them."""
    def collate(rows):
        return {"x": torch.stack([r[0] for r in rows])}, torch.stack([r[1] for r in rows])

    return DataLoader(TensorDataset(x, targets), batch_size=32, collate_fn=collate)


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("task, outputs", [("binary", 1), ("multiclass", 3)])
def test_a_model_learns_from_a_teachers_soft_targets(task, outputs, one_thread):
    torch.manual_seed(0)
    x = torch.randn(256, 2)
    teacher = torch.tensor([[3.0, -2.0], [-1.0, 3.0], [-2.0, -1.0]][:outputs]).T  # (2, outputs)
    logits = x @ teacher
    soft = tasks.probabilities(task, logits)
    targets = soft[:, 1] if task == "binary" else soft  # (batch,) or (batch, classes) floats
    module = TaskModule(Toy(outputs), task, TrainConfig(epochs=15, learning_rate=0.05),
                        class_weights=class_weights(task, targets.numpy(), "balanced"))
    before = tasks.loss(task, module.model(x), targets).item()
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(module, toy_loader(targets, x), toy_loader(targets, x))
    after = tasks.loss(task, module.model(x), targets).item()
    assert after < before * 0.6
    assert trainer.callback_metrics["val_accuracy"] > 0.9  # against the teacher's likeliest class
    agree = tasks.predicted_index(task, module.model(x)) == tasks.predicted_index(task, logits)
    assert agree.float().mean() > 0.9
