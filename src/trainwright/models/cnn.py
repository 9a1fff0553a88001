"""Kim (2014), "Convolutional Neural Networks for Sentence Classification" (CNN-rand), arXiv:1408.5882.

Embedding -> parallel Conv1d of several widths (num_filters each) -> ReLU -> max over time -> dropout -> linear
head. Convolutions are wide, as in Kim's code: width-k windows may hang k-1 steps past either end of a text, so
a text shorter than a filter still has windows. Windows made only of padding are masked with -inf before the
max, so the padding side and amount never change a prediction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from .lstm import PAD_ID, left_align, trim


@dataclass
class CNNConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    embedding_dim: int = 128
    filter_sizes: list[int] = field(default_factory=lambda: [3, 4, 5])  # window widths, in tokens
    num_filters: int = 100  # per width
    dropout: float = 0.5  # on the pooled features, before the head (Kim: 0.5)
    embedding_dropout: float = 0.0  # whole tokens dropped from the input

    def to_dict(self) -> dict:
        return asdict(self)


class CNNClassifier(nn.Module):
    def __init__(self, config: CNNConfig):
        super().__init__()
        if not config.filter_sizes or min(config.filter_sizes) < 1:
            raise ValueError(f"filter_sizes must be positive widths; got {config.filter_sizes}.")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.embedding_dropout = nn.Dropout1d(config.embedding_dropout)  # on (batch, time, dim): whole tokens
        self.convs = nn.ModuleList(nn.Conv1d(config.embedding_dim, config.num_filters, width)
                                   for width in config.filter_sizes)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.num_filters * len(config.filter_sizes), config.num_outputs)
        # Kim's random vectors: uniform(-0.25, 0.25); padding stays the zero vector that wide windows read.
        nn.init.uniform_(self.embedding.weight, -0.25, 0.25)
        with torch.no_grad():
            self.embedding.weight[PAD_ID].zero_()

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids, padding anywhere -> logits (batch, num_outputs)."""
        ids, lengths = left_align(ids)
        ids = trim(ids, lengths)
        embedded = self.embedding_dropout(self.embedding(ids)).transpose(1, 2)  # (batch, embedding_dim, time)
        pooled = []
        for conv in self.convs:
            width = conv.kernel_size[0]
            # Zero vectors (the padding embedding) on both sides: windows 0 .. length + width - 2 touch a token.
            features = conv(F.pad(embedded, (width - 1, width - 1)))  # (batch, num_filters, time + width - 1)
            windows = torch.arange(features.shape[2], device=ids.device)
            outside = windows[None, :] >= (lengths + width - 1)[:, None]  # (batch, windows)
            # max then ReLU equals ReLU then max (ReLU is monotonic) and touches fewer values.
            pooled.append(features.masked_fill(outside[:, None, :], float("-inf")).max(dim=2).values.relu())
        return self.head(self.dropout(torch.cat(pooled, dim=1)))
