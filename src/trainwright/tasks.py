"""What each task means for the head: its loss, and how logits become probabilities or values.

binary: one logit, sigmoid + binary cross-entropy. multiclass: one logit per class, softmax + cross-entropy.
multilabel: one logit per label, each its own sigmoid + binary cross-entropy; a label is predicted when its
probability is over 0.5. regression: one linear output on the standardized target, mean squared error.
quantile: (batch, horizon x quantiles) outputs, horizon-major, for a (batch, horizon) target, each output the
forecast of one quantile level (the model's `quantiles`); the mean pinball loss over horizon and levels.

Targets are hard (class indices, 0/1 indicators) or soft (probabilities, e.g. a teacher's predictions when
distilling). For classification a floating-point target is soft: binary (batch,) probabilities of the positive
class; multiclass (batch, classes) probability rows; multilabel (batch, labels) per-label probabilities, where
0/1 floats are the hard case.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

TASKS = ("binary", "multiclass", "multilabel", "regression", "quantile")
VALUE_TASKS = ("regression", "quantile")  # tasks without classes: no accuracy, no class weights


def loss(task: str, logits: torch.Tensor, target: torch.Tensor, class_weights: torch.Tensor | None = None,
         smoothing: float = 0.0, quantiles: torch.Tensor | None = None) -> torch.Tensor:
    """logits: (batch, outputs); target: hard or soft, as the module docstring says.

    class_weights: binary/multiclass (classes,): each row's loss is scaled by its class's weight before the
    mean, as Keras's class_weight does (a soft row by its expected weight); multilabel (labels,): the weight of
    each label's positive examples against its negatives (BCE's pos_weight). smoothing moves the targets that
    far towards the uniform distribution (multilabel: each label towards 0.5). quantiles: the quantile task's
    levels (quantiles,).
    """
    if task == "quantile":
        return pinball_loss(logits, target, quantiles)
    if task == "regression":
        return F.mse_loss(logits[:, 0], target.float())
    if task == "multilabel":
        soft = target.float() * (1 - smoothing) + smoothing / 2
        return F.binary_cross_entropy_with_logits(logits, soft, pos_weight=class_weights)
    distribution = class_distribution(task, target, logits.shape[1])  # (batch, classes)
    if task == "binary":
        soft = distribution[:, 1] * (1 - smoothing) + smoothing / 2
        per_row = F.binary_cross_entropy_with_logits(logits[:, 0], soft, reduction="none")
    elif target.is_floating_point():
        per_row = F.cross_entropy(logits, distribution.to(logits.dtype), reduction="none",
                                  label_smoothing=smoothing)
    else:
        per_row = F.cross_entropy(logits, target, reduction="none", label_smoothing=smoothing)
    if class_weights is not None:
        per_row = per_row * (distribution @ class_weights.to(distribution.dtype))
    return per_row.mean()


def pinball_loss(outputs: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor) -> torch.Tensor:
    """The mean pinball (quantile) loss: outputs (batch, horizon x quantiles), target (batch, horizon). Under
    level q, a forecast too low by e costs q * e and one too high by e costs (1 - q) * e."""
    levels = quantiles.to(outputs.dtype)
    forecast = outputs.reshape(len(outputs), -1, len(levels))  # (batch, horizon, quantiles)
    error = target.to(outputs.dtype).unsqueeze(-1) - forecast
    return torch.maximum(levels * error, (levels - 1) * error).mean()


def class_distribution(task: str, target: torch.Tensor, outputs: int) -> torch.Tensor:
    """(batch, classes) probability rows of a binary or multiclass target, hard (one-hot) or soft."""
    classes = 2 if task == "binary" else outputs
    if not target.is_floating_point():
        return F.one_hot(target.long(), classes).float()
    if task == "binary" and target.dim() == 1:  # the positive class's probability
        return torch.stack([1 - target, target], dim=1)
    return target


def probabilities(task: str, logits: torch.Tensor) -> torch.Tensor:
    """(batch, classes) class probabilities, (batch, labels) per-label probabilities for multilabel, or (batch,)
    standardized values for regression."""
    if task == "binary":
        positive = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - positive, positive], dim=1)
    if task == "multiclass":
        return torch.softmax(logits, dim=1)
    if task == "multilabel":
        return torch.sigmoid(logits)
    return logits[:, 0]


def predicted_index(task: str, logits: torch.Tensor) -> torch.Tensor:
    """(batch,) class indices, or (batch, labels) 0/1 indicators for multilabel."""
    if task == "binary":
        return (logits[:, 0] > 0).long()
    if task == "multilabel":
        return (logits > 0).long()
    return logits.argmax(dim=1)


def hard_target(task: str, target: torch.Tensor) -> torch.Tensor:
    """A target as predicted_index gives predictions: a soft target becomes its most likely class (binary and
    multilabel: probability over 0.5)."""
    if task == "multilabel":
        return (target > 0.5).long()
    if not target.is_floating_point():
        return target
    if task == "binary":
        return (target[:, 1] if target.dim() == 2 else target).gt(0.5).long()
    return target.argmax(dim=1)


def accuracy(task: str, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Share of rows predicted right; multilabel: subset accuracy, every label of the row right."""
    hits = predicted_index(task, logits) == hard_target(task, target)
    if task == "multilabel":
        hits = hits.all(dim=1)
    return hits.float().mean()
