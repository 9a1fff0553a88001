"""What each task means for the head: its loss, and how logits become probabilities or values.

binary: one logit, sigmoid + binary cross-entropy. multiclass: one logit per class, softmax + cross-entropy.
regression: one linear output on the standardized target, mean squared error.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

TASKS = ("binary", "multiclass", "regression")


def loss(task: str, logits: torch.Tensor, target: torch.Tensor, class_weights: torch.Tensor | None = None,
         smoothing: float = 0.0) -> torch.Tensor:
    """logits: (batch, outputs); target: class indices (batch,) or standardized numbers (batch,).

    class_weights (classes,) scale each row's loss by its class's weight before the mean, as Keras's
    class_weight does; smoothing moves the targets that far towards the uniform distribution.
    """
    if task == "regression":
        return F.mse_loss(logits[:, 0], target.float())
    if task == "binary":
        soft = target.float() * (1 - smoothing) + smoothing / 2
        per_row = F.binary_cross_entropy_with_logits(logits[:, 0], soft, reduction="none")
    else:
        per_row = F.cross_entropy(logits, target, reduction="none", label_smoothing=smoothing)
    if class_weights is not None:
        per_row = per_row * class_weights[target]
    return per_row.mean()


def probabilities(task: str, logits: torch.Tensor) -> torch.Tensor:
    """(batch, classes) class probabilities, or (batch,) standardized values for regression."""
    if task == "binary":
        positive = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - positive, positive], dim=1)
    if task == "multiclass":
        return torch.softmax(logits, dim=1)
    return logits[:, 0]


def predicted_index(task: str, logits: torch.Tensor) -> torch.Tensor:
    if task == "binary":
        return (logits[:, 0] > 0).long()
    return logits.argmax(dim=1)
