"""The seed model: Embedding -> LSTM -> linear head, with padding masked out.

Keras's seed pads every text to 100 steps and runs the LSTM over the padding too, so with post-padding the
final state mostly reflects ~80 padding steps and the model does not learn. Here the head reads the LSTM's
state right after each text's last real token, so padding side and maxlen never change a prediction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

PAD_ID = 0


@dataclass
class LSTMConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    embedding_dim: int = 64
    hidden_size: int = 64
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0  # before the head, and between stacked layers
    embedding_dropout: float = 0.0  # whole tokens dropped from the input

    def to_dict(self) -> dict:
        return asdict(self)


def left_align(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Move each row's tokens to the front, keeping their order; return them and the lengths.

    ids: (batch, time) with PAD_ID anywhere (pre- or post-padding). Empty rows get length 1 (one padding
    step), because packed sequences cannot be empty.
    """
    # Each token's new column by counting, not sorting: the k-th real token goes to column k, padding after the
    # real tokens. Plain integer arithmetic and a scatter, which ONNX export handles (a sort of a mask it does not).
    real = (ids != PAD_ID).long()
    count = real.sum(dim=1, keepdim=True)
    column = torch.where(real.bool(), real.cumsum(dim=1) - 1, count + (1 - real).cumsum(dim=1) - 1)
    return torch.zeros_like(ids).scatter(1, column, ids), count[:, 0].clamp(min=1)


def trim(ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Drop the padding columns after the longest left-aligned text: they change nothing and cost time.

    Sliced with the tensor itself rather than int(...), so an exported graph keeps the cut dynamic."""
    return ids[:, :lengths.max()]


def keras_init(embedding: nn.Embedding, rnn: nn.LSTM | nn.GRU) -> None:
    """Keras's initializers, for LSTM and GRU cells: uniform(-0.05, 0.05) embeddings, Glorot input kernels and
    orthogonal recurrent kernels per gate, zero biases, and an LSTM's forget-gate bias 1."""
    nn.init.uniform_(embedding.weight, -0.05, 0.05)
    with torch.no_grad():
        embedding.weight[PAD_ID].zero_()
    gates = 4 if isinstance(rnn, nn.LSTM) else 3  # LSTM: input, forget, cell, output; GRU: reset, update, new
    hidden = rnn.hidden_size
    for name, weight in rnn.named_parameters():
        if name.startswith("weight_ih"):
            for gate in weight.chunk(gates, dim=0):
                nn.init.xavier_uniform_(gate)
        elif name.startswith("weight_hh"):
            for gate in weight.chunk(gates, dim=0):
                nn.init.orthogonal_(gate)
        else:
            nn.init.zeros_(weight)
            if gates == 4 and name.startswith("bias_ih"):
                weight.data[hidden:2 * hidden] = 1.0


class LSTMEncoder(nn.Module):
    """Token ids (batch, time) -> the LSTM's state after each text's last real token (batch, out_features)."""

    def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int, num_layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0, embedding_dropout: float = 0.0):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_ID)
        # On (batch, time, dim) Dropout1d zeroes whole time steps: a dropped word, not scattered features.
        self.embedding_dropout = nn.Dropout1d(embedding_dropout)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True,
                            bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.out_features = hidden_size * (2 if bidirectional else 1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Keras's initializers (see keras_init): PyTorch's N(0, 1) embeddings saturate the LSTM's gates and
        learn markedly slower."""
        keras_init(self.embedding, self.lstm)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        ids, lengths = left_align(ids)
        embedded = self.embedding_dropout(self.embedding(ids))  # (batch, time, embedding_dim)
        if self.bidirectional:
            # The backward direction would read the padding first: pack so it starts at the last real token.
            packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
            _, (hidden, _) = self.lstm(packed)  # hidden: (layers * 2, batch, hidden_size)
            return torch.cat([hidden[-2], hidden[-1]], dim=1)
        # A forward LSTM's output at step t depends on steps <= t only, so the output at the last real token is
        # exact whatever padding follows; this is ~1.7x faster than packing on CPU.
        outputs, _ = self.lstm(embedded)  # (batch, time, hidden_size)
        return outputs[torch.arange(ids.shape[0], device=ids.device), lengths - 1]


class LSTMClassifier(nn.Module):
    def __init__(self, config: LSTMConfig):
        super().__init__()
        self.config = config
        self.encoder = LSTMEncoder(config.vocab_size, config.embedding_dim, config.hidden_size,
                                   config.num_layers, config.bidirectional, config.dropout,
                                   config.embedding_dropout)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(self.encoder.out_features, config.num_outputs)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids -> logits (batch, num_outputs)."""
        return self.head(self.dropout(self.encoder(ids)))
