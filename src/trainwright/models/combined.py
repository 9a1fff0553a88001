"""Text and table together: the LSTM's text vector and the tabular vector, concatenated, through an MLP."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from .lstm import LSTMEncoder
from .tabular import TabularEncoder, mlp


@dataclass
class CombinedConfig:
    vocab_size: int
    num_numeric: int
    cardinalities: list[int]
    num_outputs: int
    embedding_dim: int = 64
    hidden_size: int = 64
    num_layers: int = 1
    bidirectional: bool = False
    text_dropout: float = 0.0  # between stacked LSTM layers
    embedding_dropout: float = 0.0  # whole tokens dropped from the text
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 32])
    dropout: float = 0.1  # in the MLP over both

    def to_dict(self) -> dict:
        return asdict(self)


class TextTableModel(nn.Module):
    def __init__(self, config: CombinedConfig):
        super().__init__()
        self.config = config
        self.text = LSTMEncoder(config.vocab_size, config.embedding_dim, config.hidden_size, config.num_layers,
                                config.bidirectional, config.text_dropout, config.embedding_dropout)
        self.table = TabularEncoder(config.num_numeric, config.cardinalities)
        self.body, width = mlp(self.text.out_features + self.table.out_features, config.hidden_sizes,
                               config.dropout)
        self.head = nn.Linear(width, config.num_outputs)

    def forward(self, ids: torch.Tensor, numeric: torch.Tensor, categorical: torch.Tensor) -> torch.Tensor:
        combined = torch.cat([self.text(ids), self.table(numeric, categorical)], dim=1)
        return self.head(self.body(combined))
