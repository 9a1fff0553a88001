"""Several models with their predicted probabilities averaged. Either models of one architecture trained on
different folds of a small table (bagging, which steadies a small dataset's noisy early stopping and uses every
row), or different architectures over the same encoded inputs with a weight each (auto's blend: models that err
differently, such as a TF-IDF linear model and a CNN, are right together more often than either alone)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class EnsembleConfig:
    task: str  # binary | multiclass | multilabel | regression: how member outputs are averaged
    members: list[dict]  # {"name": architecture, "config": its sizes}, one per member
    calibration: list[float] | None = None  # binary: [a, b], logit -> a * logit + b (Platt scaling)
    weights: list[float] | None = None  # one per member, summing to 1; None: all alike

    @property
    def blend(self) -> bool:
        return len({member["name"] for member in self.members}) > 1

    def to_dict(self) -> dict:
        return asdict(self)


class EnsembleModel(nn.Module):
    def __init__(self, config: EnsembleConfig, members: list[nn.Module]):
        """`members` are built models, one per `config.members` entry; `build_model("ensemble", ...)` builds them
        from the config."""
        super().__init__()
        self.config = config
        self.members = nn.ModuleList(members)

    def forward(self, **inputs: torch.Tensor) -> torch.Tensor:
        """The logits of the members' mean prediction, so the task's usual head turns them into it."""
        outputs = torch.stack([member(**inputs) for member in self.members])  # (members, batch, outputs)
        if self.config.task == "regression":
            return self._mean(outputs)
        if self.config.task in ("binary", "multilabel"):  # one sigmoid per output
            mean = self._mean(torch.sigmoid(outputs)).clamp(1e-7, 1 - 1e-7)
            logit = torch.log(mean) - torch.log1p(-mean)
            if self.config.calibration is not None:
                scale, shift = self.config.calibration
                logit = scale * logit + shift
            return logit
        return torch.log(self._mean(torch.softmax(outputs, dim=-1)).clamp_min(1e-12))

    def _mean(self, values: torch.Tensor) -> torch.Tensor:
        if self.config.weights is None:
            return values.mean(dim=0)
        weights = torch.tensor(self.config.weights, dtype=values.dtype).view(-1, *([1] * (values.dim() - 1)))
        return (values * weights).sum(dim=0)
