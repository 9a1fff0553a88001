"""A small residual CNN for images, sized to train on CPUs (He et al. 2016, "Deep Residual Learning", the
CIFAR variant: 3x3 convolutions, no max-pooling stem, a few stages that halve the resolution).

images (batch, channels, height, width) -> 3x3 stem -> stages of basic blocks (the first block of every stage
after the first halves height and width and widens) -> global average pooling -> dropout -> linear head.
Global pooling makes the model indifferent to the input size, so any height and width from MIN_SIZE works.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

MIN_SIZE = 16  # three stages halve 16 pixels to 4: smaller images leave too little to pool


def conv3x3(inputs: int, outputs: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(inputs, outputs, kernel_size=3, stride=stride, padding=1, bias=False)  # BatchNorm's shift


class BasicBlock(nn.Module):
    """(batch, inputs, h, w) -> (batch, outputs, h / stride, w / stride): two 3x3 convolutions plus the input,
    projected by a 1x1 convolution where the shape changes (ResNet's option B)."""

    def __init__(self, inputs: int, outputs: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(conv3x3(inputs, outputs, stride), nn.BatchNorm2d(outputs), nn.ReLU(inplace=True),
                                  conv3x3(outputs, outputs), nn.BatchNorm2d(outputs))
        self.shortcut = nn.Identity()
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, kernel_size=1, stride=stride, bias=False),
                                          nn.BatchNorm2d(outputs))
        # The last BatchNorm of each block starts at zero, so every block starts as the identity: deep stacks
        # train from the first step (Goyal et al. 2017, "zero-gamma").
        nn.init.zeros_(self.body[-1].weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


@dataclass
class ResNetConfig:
    in_channels: int  # 1 (grayscale) or 3 (RGB), from the decoded images
    num_outputs: int  # 1 for binary, else the number of classes
    widths: list[int] = field(default_factory=lambda: [32, 64, 128])  # channels per stage
    blocks_per_stage: int = 1
    dropout: float = 0.2  # on the pooled features, before the head

    def to_dict(self) -> dict:
        return asdict(self)


class ResNetClassifier(nn.Module):
    """images (batch, channels, height, width) floats in [0, 1] -> logits (batch, num_outputs)."""

    # Asks the Trainer for bf16 autocast where the CPU has bf16 instructions: the convolutions are ~70% of a
    # step, and a 1-thread training step ran 1.9-2.4x faster with the same test accuracy (0.834 vs 0.821 after 3
    # epochs on 10,000 Fashion-MNIST images; benchmarks/README.md, "Images").
    mixed_precision = True

    def __init__(self, config: ResNetConfig):
        super().__init__()
        if not config.widths or min(config.widths) < 1 or config.blocks_per_stage < 1:
            raise ValueError(f"widths must be one or more positive channel counts and blocks_per_stage at least 1; "
                             f"got {config.widths} and {config.blocks_per_stage}.")
        self.config = config
        self.stem = nn.Sequential(conv3x3(config.in_channels, config.widths[0]), nn.BatchNorm2d(config.widths[0]),
                                  nn.ReLU(inplace=True))
        blocks, width = [], config.widths[0]
        for stage, outputs in enumerate(config.widths):
            for index in range(config.blocks_per_stage):
                blocks.append(BasicBlock(width, outputs, stride=2 if stage and not index else 1))
                width = outputs
        self.stages = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(width, config.num_outputs)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        # Channels-last (NHWC) weights and activations: oneDNN's CPU convolutions ran a training step ~1.4x faster
        # on 28x28 batches than in NCHW. A layout, not a device: saving makes the tensors contiguous, loading
        # copies values into this layout.
        self.to(memory_format=torch.channels_last)

    def forward(self, images: torch.Tensor, **unused) -> torch.Tensor:
        if images.shape[1] != self.config.in_channels or min(images.shape[2:]) < MIN_SIZE:
            raise ValueError(f"Expected images of {self.config.in_channels} channel(s), at least {MIN_SIZE}x{MIN_SIZE} "
                             f"pixels; got a batch of shape {tuple(images.shape)}.")
        images = images.contiguous(memory_format=torch.channels_last)
        features = self.stages(self.stem(images)).mean(dim=(2, 3))  # global average pooling: (batch, width)
        return self.head(self.dropout(features))
