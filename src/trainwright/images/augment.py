"""Training-time augmentation of image batches: random horizontal flips, random crops of a padded image and small
shifts, each switched by a key of the image models' section (model_config.ImageAugmentation).

Augmentation runs on whole batches of tensors as the loader makes them (`AugmentedImages.batch`), so it costs
a few tensor operations per batch rather than a Python loop per image. Only the training inputs are wrapped:
validation, evaluation and prediction read the images as they are. Each batch's draws come from a generator
seeded by the run's seed and the batch's rows, and the batches themselves depend on the seed and the epoch
alone (train/batching.py), so a run, and a resumed run, augment the same way every time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F


@dataclass(frozen=True)
class ImageAugment:
    flip: bool = False  # mirror left-right, each image with probability 1/2
    crop_padding: int = 0  # pad with this many black pixels a side, then crop the original size at random
    shift: int = 0  # move by up to this many pixels each way, the edge pixels repeated into the gap

    @classmethod
    def from_config(cls, model) -> "ImageAugment":
        """The augmentation a model section asks for; none for a model without the keys (text, tables)."""
        return cls(getattr(model, "flip", False), getattr(model, "crop_padding", 0), getattr(model, "shift", 0))

    @property
    def enabled(self) -> bool:
        return self.flip or self.crop_padding > 0 or self.shift > 0

    def __call__(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """(batch, channels, h, w) -> a new tensor of the same shape; `images` is left as it was."""
        if self.flip:
            mirrored = torch.rand(len(images), generator=generator) < 0.5
            images = torch.where(mirrored[:, None, None, None], images.flip(-1), images)
        if self.crop_padding:
            images = translate(images, self.crop_padding, "constant", generator)
        if self.shift:
            images = translate(images, self.shift, "replicate", generator)
        return images


def translate(images: torch.Tensor, most: int, mode: str, generator: torch.Generator) -> torch.Tensor:
    """Each image moved by its own random offsets in [-most, most] pixels on both axes: the padded batch
    (`mode`: black or repeated edges) cropped back to (h, w) at a random corner per image."""
    n, _, h, w = images.shape
    padded = F.pad(images, (most, most, most, most), mode=mode)  # (n, c, h + 2 most, w + 2 most)
    top, left = torch.randint(0, 2 * most + 1, (2, n), generator=generator)
    rows = top[:, None] + torch.arange(h)  # (n, h)
    columns = left[:, None] + torch.arange(w)  # (n, w)
    batch = torch.arange(n)[:, None, None]
    # advanced indexing on dims 0, 2, 3 puts the channel last: (n, h, w, c) -> (n, c, h, w)
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], columns[:, None, :]].permute(0, 3, 1, 2)


def training_inputs(inputs, model, seed: int):
    """The training rows as the Trainer should read them: augmented batches where `model` (the run's model
    section) asks for augmentation and the rows have images; otherwise `inputs` themselves."""
    augment = ImageAugment.from_config(model)
    if augment.enabled and getattr(inputs, "images", None) is not None:
        return AugmentedImages(inputs, augment, seed)
    return inputs


class AugmentedImages:
    """Training inputs (models/inputs.EncodedInputs with images) whose batches come out augmented. It stands in
    for the inputs wherever the Trainer reads training rows: their count, lengths, subsets and batches."""

    def __init__(self, inputs, augment: ImageAugment, seed: int):
        self.inputs = inputs
        self.augment = augment
        self.seed = seed

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def lengths(self):
        return self.inputs.lengths

    def subset(self, rows) -> "AugmentedImages":
        return AugmentedImages(self.inputs.subset(rows), self.augment, self.seed)

    def batch(self, rows: list[int], pad) -> dict[str, torch.Tensor]:
        inputs = self.inputs.batch(rows, pad)
        if self.augment.enabled and "images" in inputs:
            inputs["images"] = self.augment(inputs["images"], batch_generator(self.seed, rows))
        return inputs


def batch_generator(seed: int, rows) -> torch.Generator:
    """A generator for one batch, from the run's seed and the batch's rows (in order): the same batch of the same
    run draws the same, and batches of other epochs, with other rows or another order, draw afresh."""
    state = np.random.SeedSequence([seed, *map(int, rows)]).generate_state(2, np.uint64)
    return torch.Generator().manual_seed(int(state[0] >> np.uint64(1)))
