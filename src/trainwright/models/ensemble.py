"""Several models of one architecture, trained on different folds of a small table, with their predicted
probabilities averaged: bagging, which steadies a small dataset's noisy early stopping and uses every row."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class EnsembleConfig:
    task: str  # binary | multiclass | multilabel | regression: how member outputs are averaged
    members: list[dict]  # {"name": architecture, "config": its sizes}, one per member
    calibration: list[float] | None = None  # binary: [a, b], logit -> a * logit + b (Platt scaling)

    def to_dict(self) -> dict:
        return asdict(self)


class EnsembleModel(nn.Module):
    def __init__(self, config: EnsembleConfig, members: list[nn.Module] | None = None):
        super().__init__()
        from . import build_model

        self.config = config
        self.members = nn.ModuleList(members or [build_model(m["name"], **m["config"]) for m in config.members])

    def forward(self, **inputs: torch.Tensor) -> torch.Tensor:
        """The logits of the members' mean prediction, so the task's usual head turns them into it."""
        outputs = torch.stack([member(**inputs) for member in self.members])  # (members, batch, outputs)
        if self.config.task == "regression":
            return outputs.mean(dim=0)
        if self.config.task in ("binary", "multilabel"):  # one sigmoid per output
            mean = torch.sigmoid(outputs).mean(dim=0).clamp(1e-7, 1 - 1e-7)
            logit = torch.log(mean) - torch.log1p(-mean)
            if self.config.calibration is not None:
                scale, shift = self.config.calibration
                logit = scale * logit + shift
            return logit
        return torch.log(torch.softmax(outputs, dim=-1).mean(dim=0).clamp_min(1e-12))
