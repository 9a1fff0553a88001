"""Stacked bidirectional LSTM and GRU classifiers that pool their outputs over the real tokens.

Embedding -> (Bi)LSTM or (Bi)GRU over the left-aligned, packed tokens -> pooling (`last`, `mean` or `max` over
real tokens only) -> dropout -> linear head. Packing makes the backward direction start at each text's last
real token, so the padding side and amount never change a prediction (as for the seed LSTM in lstm.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .lstm import PAD_ID, keras_init, left_align, trim

POOLINGS = ("last", "mean", "max")


def pool(outputs: torch.Tensor, lengths: torch.Tensor, how: str) -> torch.Tensor:
    """outputs: (batch, time, features) of left-aligned texts, lengths: (batch,) -> (batch, features), pooled
    over each text's first `lengths` steps only. `last` reads the step of the last real token."""
    steps = torch.arange(outputs.shape[1], device=outputs.device)
    real = (steps[None, :] < lengths[:, None]).unsqueeze(-1)  # (batch, time, 1)
    if how == "max":
        return outputs.masked_fill(~real, float("-inf")).max(dim=1).values
    if how == "mean":
        return (outputs * real).sum(dim=1) / lengths[:, None].to(outputs.dtype)
    if how == "last":
        return outputs[torch.arange(outputs.shape[0], device=outputs.device), lengths - 1]
    raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {how!r}.")


@dataclass
class RecurrentConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    embedding_dim: int = 128
    hidden_size: int = 128  # per direction
    num_layers: int = 1
    bidirectional: bool = True  # always for BiLSTMClassifier
    pooling: str = "max"  # last | mean | max, over the real tokens
    dropout: float = 0.5  # before the head, and between stacked layers
    embedding_dropout: float = 0.0  # whole tokens dropped from the input

    def to_dict(self) -> dict:
        return asdict(self)


class RecurrentClassifier(nn.Module):
    """Embedding -> stacked recurrent layers -> pooling -> dropout -> head; subclasses pick the cell."""

    cell: type[nn.LSTM | nn.GRU]

    def __init__(self, config: RecurrentConfig):
        super().__init__()
        if config.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {config.pooling!r}.")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        # On (batch, time, dim) Dropout1d zeroes whole time steps: a dropped word, not scattered features.
        self.embedding_dropout = nn.Dropout1d(config.embedding_dropout)
        self.rnn = self.cell(config.embedding_dim, config.hidden_size, num_layers=config.num_layers,
                             batch_first=True, bidirectional=config.bidirectional,
                             dropout=config.dropout if config.num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size * (2 if config.bidirectional else 1), config.num_outputs)
        keras_init(self.embedding, self.rnn)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids, padding anywhere -> logits (batch, num_outputs)."""
        ids, lengths = left_align(ids)
        ids = trim(ids, lengths)
        embedded = self.embedding_dropout(self.embedding(ids))  # (batch, time, embedding_dim)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, hidden = self.rnn(packed)
        if self.config.pooling == "last":
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden  # LSTM: (h, c); (layers * dirs, batch, h)
            # The forward direction's state after the last real token, the backward one's after the first.
            pooled = torch.cat([hidden[-2], hidden[-1]], dim=1) if self.config.bidirectional else hidden[-1]
        else:
            outputs, _ = pad_packed_sequence(outputs, batch_first=True)  # (batch, time, dirs * hidden_size)
            pooled = pool(outputs, lengths.to(outputs.device), self.config.pooling)
        return self.head(self.dropout(pooled))


class BiLSTMClassifier(RecurrentClassifier):
    """Stacked bidirectional LSTM; `bidirectional` is implied by the name and must stay True."""

    cell = nn.LSTM

    def __init__(self, config: RecurrentConfig):
        if not config.bidirectional:
            raise ValueError("bilstm is bidirectional by definition; use the lstm model for one direction.")
        super().__init__(config)


class GRUClassifier(RecurrentClassifier):
    """Stacked GRU, bidirectional when `config.bidirectional`."""

    cell = nn.GRU
