"""The seed's LSTM as a sequence-to-horizon forecaster: a lookback window, read one period per step -> a
forecast of the whole horizon per quantile from the state after the last period.

The whole horizon comes out at once (direct, as N-BEATS does) rather than one step fed back at a time, so the
errors of early steps do not compound. A linear map of the lookback is added to the head (the "highway" of
LSTNet, Lai et al. 2018): the LSTM then learns what a linear autoregression misses, and on short panels it
starts from a sensible forecast rather than a flat one. The levels are kept as a buffer, so the saved weights
carry them, as in models/nbeats.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn


@dataclass
class LSTMForecasterConfig:
    num_numeric: int  # the lookback: points per input window (forecast/windows.py)
    num_outputs: int  # the horizon: points forecast per quantile level
    quantiles: list[float] = field(default_factory=lambda: [0.1, 0.5, 0.9])
    hidden_size: int = 64
    num_layers: int = 2
    dropout: float = 0.0  # between stacked layers

    def to_dict(self) -> dict:
        return asdict(self)


class LSTMForecaster(nn.Module):
    """numeric (batch, lookback) scaled lookbacks -> (batch, horizon x quantiles), horizon-major."""

    def __init__(self, config: LSTMForecasterConfig):
        super().__init__()
        self.config = config
        self.register_buffer("quantiles", torch.tensor(config.quantiles, dtype=torch.float32))
        outputs = config.num_outputs * len(config.quantiles)
        self.lstm = nn.LSTM(1, config.hidden_size, num_layers=config.num_layers, batch_first=True,
                            dropout=config.dropout if config.num_layers > 1 else 0.0)
        self.head = nn.Linear(config.hidden_size, outputs)
        self.highway = nn.Linear(config.num_numeric, outputs)
        with torch.no_grad():  # a forget-gate bias of 1, as the seed's Keras LSTM has: longer memory from the start
            for name, weight in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    weight[config.hidden_size:2 * config.hidden_size] = 1.0

    def forward(self, numeric: torch.Tensor, **unused) -> torch.Tensor:
        outputs, _ = self.lstm(numeric.unsqueeze(-1))  # (batch, lookback, hidden)
        return self.head(outputs[:, -1]) + self.highway(numeric)
