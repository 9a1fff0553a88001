"""Augmentation: what each transform does to a batch, that it is reproducible under the run's seed, and that
only the training batches are augmented."""

from __future__ import annotations

import numpy as np
import torch

import trainwright
from trainwright.images.augment import AugmentedImages, ImageAugment, batch_generator, training_inputs
from trainwright.models.inputs import EncodedInputs


def gradient_images(n: int = 64, size: int = 8) -> torch.Tensor:
    """(n, 2, size, size): every pixel distinct, so any move or mirror shows."""
    base = torch.arange(2 * size * size, dtype=torch.float32).reshape(2, size, size) / (2 * size * size)
    return base.expand(n, -1, -1, -1).clone()


def test_flip_mirrors_about_half_the_images_and_nothing_else():
    images = gradient_images()
    out = ImageAugment(flip=True)(images, torch.Generator().manual_seed(0))
    mirrored = [bool(torch.equal(o, i.flip(-1))) for o, i in zip(out, images)]
    unchanged = [bool(torch.equal(o, i)) for o, i in zip(out, images)]
    assert all(m != u for m, u in zip(mirrored, unchanged))
    assert 20 <= sum(mirrored) <= 44
    assert torch.equal(images, gradient_images())  # the input batch is left as it was


def test_crop_with_padding_moves_each_image_and_fills_black():
    images = gradient_images() + 0.5  # no black pixel of its own
    out = ImageAugment(crop_padding=2)(images, torch.Generator().manual_seed(1))
    assert out.shape == images.shape
    for o, i in zip(out, images):
        # the part still inside is the original, moved by at most 2 pixels; what came in is black
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if torch.equal(
            o[:, max(0, dy):8 + min(0, dy), max(0, dx):8 + min(0, dx)],
            i[:, max(0, -dy):8 + min(0, -dy), max(0, -dx):8 + min(0, -dx)])]
        assert len(found) == 1
        dy, dx = found[0]
        assert int((o == 0).all(0).sum()) == 8 * 8 - (8 - abs(dy)) * (8 - abs(dx))
    assert len({tuple(o[0, :, 0].tolist()) for o in out}) > 5  # offsets differ between images


def test_shift_repeats_the_edge_pixels():
    images = gradient_images() + 0.5
    out = ImageAugment(shift=1)(images, torch.Generator().manual_seed(2))
    assert (out > 0).all()  # nothing black comes in
    assert set(torch.unique(out).tolist()) <= set(torch.unique(images).tolist())
    moved = [not torch.equal(o, i) for o, i in zip(out, images)]
    assert 40 <= sum(moved) < 64  # offset (0, 0) has probability 1/9


def test_switched_off_it_is_the_identity():
    augment = ImageAugment(flip=False, crop_padding=0, shift=0)
    assert not augment.enabled
    inputs = EncodedInputs(None, None, None, np.zeros((4, 1, 16, 16), np.uint8))
    config = trainwright.build_config(overrides={"model": {"name": "resnet", "flip": False, "crop_padding": 0}})
    assert training_inputs(inputs, config.model, 0) is inputs
    text = trainwright.build_config(overrides={"model": {"name": "lstm"}})
    assert training_inputs(inputs, text.model, 0) is inputs  # text and table models have no augmentation


def test_same_seed_and_rows_draw_the_same_other_rows_draw_afresh():
    images = np.random.default_rng(0).integers(0, 256, (32, 3, 16, 16)).astype(np.uint8)
    inputs = EncodedInputs(None, None, None, images)
    augment = ImageAugment(flip=True, crop_padding=2, shift=1)
    rows = list(range(16))
    first = AugmentedImages(inputs, augment, seed=7).batch(rows, None)["images"]
    assert torch.equal(AugmentedImages(inputs, augment, seed=7).batch(rows, None)["images"], first)
    assert not torch.equal(AugmentedImages(inputs, augment, seed=8).batch(rows, None)["images"], first)
    assert batch_generator(7, rows[::-1]).initial_seed() != batch_generator(7, rows).initial_seed()


def test_only_training_batches_are_augmented():
    images = np.random.default_rng(1).integers(0, 256, (20, 1, 16, 16)).astype(np.uint8)
    inputs = EncodedInputs(None, None, None, images)
    config = trainwright.build_config(overrides={"model": {"name": "resnet", "crop_padding": 3}})
    train = training_inputs(inputs, config.model, config.train.seed)
    rows = list(range(20))
    plain = inputs.batch(rows, None)["images"]
    assert torch.equal(plain, torch.from_numpy(images).float() / 255)  # validation and prediction read these
    assert not torch.equal(train.batch(rows, None)["images"], plain)
    # a subset (a fold, a bagged member) keeps its augmentation
    assert isinstance(train.subset([0, 1, 2]), AugmentedImages) and len(train.subset([0, 1, 2])) == 3
