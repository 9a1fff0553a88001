"""Tables: scaled numbers and embedded categories -> an MLP.

Each categorical column gets its own embedding (id 0 = unseen or missing); its width follows the fastai rule of
thumb, min(16, 1.6 * cardinality^0.56), wide enough for codes without overfitting small tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn


def embedding_width(cardinality: int) -> int:
    return max(2, min(16, round(1.6 * cardinality ** 0.56)))


class TabularEncoder(nn.Module):
    """numeric (batch, n_numeric) and categorical ids (batch, n_categorical) -> (batch, out_features)."""

    def __init__(self, num_numeric: int, cardinalities: list[int]):
        super().__init__()
        self.embeddings = nn.ModuleList(nn.Embedding(c, embedding_width(c)) for c in cardinalities)
        self.out_features = num_numeric + sum(e.embedding_dim for e in self.embeddings)

    def forward(self, numeric: torch.Tensor, categorical: torch.Tensor) -> torch.Tensor:
        parts = [numeric] + [embed(categorical[:, i]) for i, embed in enumerate(self.embeddings)]
        return torch.cat(parts, dim=1)


def mlp(in_features: int, hidden_sizes: list[int], dropout: float) -> tuple[nn.Sequential, int]:
    """Linear -> ReLU -> Dropout blocks; returns the block and its output width."""
    layers: list[nn.Module] = []
    for size in hidden_sizes:
        layers += [nn.Linear(in_features, size), nn.ReLU(), nn.Dropout(dropout)]
        in_features = size
    return nn.Sequential(*layers), in_features


@dataclass
class TabularConfig:
    num_numeric: int  # from the fitted feature encoder
    cardinalities: list[int]  # categories per categorical column, unseen id 0 included
    num_outputs: int
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 32])
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)


class TabularMLP(nn.Module):
    def __init__(self, config: TabularConfig):
        super().__init__()
        self.config = config
        self.encoder = TabularEncoder(config.num_numeric, config.cardinalities)
        self.body, width = mlp(self.encoder.out_features, config.hidden_sizes, config.dropout)
        self.head = nn.Linear(width, config.num_outputs)

    def forward(self, numeric: torch.Tensor, categorical: torch.Tensor, **unused) -> torch.Tensor:
        return self.head(self.body(self.encoder(numeric, categorical)))
