"""N-BEATS, generic form (Oreshkin et al. 2020): a lookback window -> a forecast of the horizon per quantile.

A stack of fully connected blocks; each reads what the blocks before it left unexplained of the lookback (the
residual), removes its own backcast from it and adds its forecast to the sum. The generic form learns its
basis (plain linear projections) rather than fixing trend and seasonality polynomials, which did as well on M4.
The head gives every quantile level its own forecast, for the quantile task's pinball loss
(tasks.pinball_loss); the levels are kept as a buffer, so the saved weights carry them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn


class NBeatsBlock(nn.Module):
    """(batch, lookback) residual -> (batch, lookback) backcast and (batch, outputs) forecast."""

    def __init__(self, lookback: int, outputs: int, hidden_size: int, num_layers: int, dropout: float):
        super().__init__()
        layers: list[nn.Module] = []
        width = lookback
        for _ in range(num_layers):
            layers += [nn.Linear(width, hidden_size), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden_size
        self.body = nn.Sequential(*layers)
        self.backcast = nn.Linear(width, lookback)
        self.forecast = nn.Linear(width, outputs)

    def forward(self, residual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.body(residual)
        return self.backcast(hidden), self.forecast(hidden)


@dataclass
class NBeatsConfig:
    num_numeric: int  # the lookback: points per input window (forecast/windows.py)
    num_outputs: int  # the horizon: points forecast per quantile level
    quantiles: list[float] = field(default_factory=lambda: [0.1, 0.5, 0.9])
    num_blocks: int = 3
    num_layers: int = 4  # fully connected layers per block, as in the paper
    hidden_size: int = 256
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class NBeatsForecaster(nn.Module):
    """numeric (batch, lookback) scaled lookbacks -> (batch, horizon x quantiles), horizon-major."""

    def __init__(self, config: NBeatsConfig):
        super().__init__()
        self.config = config
        self.register_buffer("quantiles", torch.tensor(config.quantiles, dtype=torch.float32))
        outputs = config.num_outputs * len(config.quantiles)
        self.blocks = nn.ModuleList(
            NBeatsBlock(config.num_numeric, outputs, config.hidden_size, config.num_layers, config.dropout)
            for _ in range(config.num_blocks))

    def forward(self, numeric: torch.Tensor, **unused) -> torch.Tensor:
        residual, forecast = numeric, 0.0
        for block in self.blocks:
            backcast, part = block(residual)
            residual = residual - backcast
            forecast = forecast + part
        return forecast
