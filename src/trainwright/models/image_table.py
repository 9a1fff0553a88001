"""Pictures and table columns together (a product photo with its price and category, a scan with the patient's
age): the residual CNN's pooled image vector and the tabular vector, concatenated, through an MLP. The image
counterpart of combined.py's text + table model, built from the same parts.

images (batch, C, H, W) -> ResNet trunk -> global average pooling -> dropout -> (batch, widths[-1]) ┐
numeric (batch, n_numeric), categorical (batch, n_categorical) -> TabularEncoder -> (batch, t)     ┴ concat
    -> MLP (hidden_sizes, mlp_dropout) -> linear head -> logits (batch, num_outputs)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from .resnet import ResNetClassifier, ResNetConfig
from .tabular import TabularEncoder, mlp


@dataclass
class ImageTableConfig:
    in_channels: int  # 1 (grayscale) or 3 (RGB), from the image encoder
    num_numeric: int  # from the fitted feature encoder
    cardinalities: list[int]  # categories per categorical column, unseen id 0 included
    num_outputs: int
    widths: list[int] = field(default_factory=lambda: [32, 64, 128])  # the CNN's channels per stage
    blocks_per_stage: int = 1
    dropout: float = 0.2  # on the pooled image features
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 32])  # the MLP over both vectors
    mlp_dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)


class ImageTableModel(nn.Module):
    """images, numeric, categorical -> logits (batch, num_outputs)."""

    mixed_precision = True  # the convolutions dominate a step, as in the image-only resnet

    def __init__(self, config: ImageTableConfig):
        super().__init__()
        self.config = config
        image = ResNetConfig(config.in_channels, num_outputs=1, widths=list(config.widths),
                             blocks_per_stage=config.blocks_per_stage, dropout=config.dropout)
        self.image = ResNetClassifier(image)
        # Its head replaced by the identity, the network returns its pooled features (after dropout): this
        # model's image vector. One CNN definition serves both models, and it saves no unused head.
        self.image.head = nn.Identity()
        self.table = TabularEncoder(config.num_numeric, config.cardinalities)
        self.body, width = mlp(config.widths[-1] + self.table.out_features, config.hidden_sizes, config.mlp_dropout)
        self.head = nn.Linear(width, config.num_outputs)

    def forward(self, images: torch.Tensor, numeric: torch.Tensor, categorical: torch.Tensor,
                **unused) -> torch.Tensor:
        pictures = self.image(images)  # (batch, widths[-1])
        return self.head(self.body(torch.cat([pictures, self.table(numeric, categorical)], dim=1)))
