"""The report's picture grids: the most confidently wrong pictures, surest first, captioned with the true and
predicted labels; a row of samples per class passed through the augmentation; both as PNGs embedded in the
report's image section. Drawn from plain arrays, as the image run hands them over."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import torch

from trainwright.evaluate.image_grids import TILE, class_grid, class_indices, wrong_grid
from trainwright.evaluate.report_html import image_section
from trainwright.images.augment import ImageAugment

Image = pytest.importorskip("PIL.Image")
CLASSES = ["circle", "square", "stripes"]


def pictures(n: int = 30, channels: int = 1, size: int = 28, seed: int = 0):
    """(n, channels, size, size) uint8: class 0 a bright disc, 1 a bright square, 2 vertical stripes."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    labels = np.arange(n) % 3
    images = np.zeros((n, channels, size, size), dtype=np.uint8)
    for i, label in enumerate(labels):
        c = size // 2 + rng.integers(-3, 4)
        mask = [(xx - c) ** 2 + (yy - c) ** 2 < (size // 4) ** 2, (abs(xx - c) < size // 4) & (abs(yy - c) < size // 4),
                (xx // 3) % 2 == 0][label]
        images[i, :, mask] = 230
    return images, labels


def decoded(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def test_the_surest_mistakes_come_first_with_their_pictures():
    images, labels = pictures(9)
    probabilities = np.eye(3)[labels] * 0.9 + 0.05  # all right ...
    probabilities[4] = [0.97, 0.02, 0.01]  # ... but a square called a circle at 97%
    probabilities[2] = [0.10, 0.60, 0.30]  # and stripes called a square at 60%
    png = wrong_grid(images, labels, probabilities, CLASSES)
    sheet = decoded(png)
    assert sheet.shape[1] == 2 * (TILE + 2 * 8 + 24)  # two tiles side by side
    # The first tile is picture 4 (the square), enlarged 4x by whole pixels: its centre is bright, its corner dark.
    first = sheet[8:8 + TILE, 20:20 + TILE]
    assert first[TILE // 2, TILE // 2].min() > 200 and first[2, 2].max() < 30
    assert (first[::4, ::4] == first[1::4, 1::4]).all()  # nearest-neighbour blocks: no blur
    second = sheet[8:8 + TILE, sheet.shape[1] // 2 + 20:sheet.shape[1] // 2 + 20 + TILE]
    assert (second[:, :, 0] > 200).mean() == pytest.approx((images[2, 0] > 200).mean(), abs=0.05)  # stripes
    # Captions: green (true) and red (predicted) text under each tile.
    captions = sheet[8 + TILE:, :]
    assert ((captions[..., 1] > 100) & (captions[..., 0] < 80)).any()
    assert ((captions[..., 0] > 150) & (captions[..., 1] < 80)).any()


def test_nothing_wrong_gives_no_grid_and_labels_may_be_class_names():
    images, labels = pictures(6)
    assert wrong_grid(images, labels, np.eye(3)[labels], CLASSES) is None
    names = [CLASSES[i] for i in labels]
    assert (class_indices(names, CLASSES) == labels).all()
    with pytest.raises(ValueError, match=r"labels: 'hexagon' is not one of the classes \(circle, square"):
        class_indices(["hexagon"], CLASSES)
    with pytest.raises(ValueError, match=r"probabilities: expected shape \(6, 3\)"):
        wrong_grid(images, labels, np.ones((6, 2)), CLASSES)
    with pytest.raises(ValueError, match=r"images: expected \(n, channels, height, width\)"):
        wrong_grid(images[:, 0], labels, np.eye(3)[labels], CLASSES)


def test_class_grid_has_a_row_per_class_and_applies_the_augmentation():
    images, labels = pictures(30, channels=3, size=28)
    seen = []

    def flip_all(batch):  # as the model sees them: a torch tensor of floats in [0, 1], mirrored
        seen.append(batch.shape)
        return torch.from_numpy(batch).float().div(255).flip(-1)

    plain = decoded(class_grid(images, labels, CLASSES, per_class=4))
    flipped = decoded(class_grid(images, labels, CLASSES, augment=flip_all, per_class=4))
    assert seen == [(4, 3, 28, 28)] * 3  # one batch per class
    assert plain.shape == flipped.shape and plain.shape[0] == 3 * (TILE + 8) + 8  # three rows
    assert not np.array_equal(plain, flipped)
    tile = lambda sheet, row, col: sheet[8 + row * (TILE + 8):8 + row * (TILE + 8) + TILE,  # noqa: E731
                                         150 + col * (TILE + 8):150 + col * (TILE + 8) + TILE]
    assert np.array_equal(tile(flipped, 0, 0), tile(plain, 0, 0)[:, ::-1])  # the same picture, mirrored
    # The real augmentation as the trainer runs it: a shifted picture differs, the grid keeps its shape.
    augment = ImageAugment(flip=True, shift=3)
    shifted = decoded(class_grid(images, labels, CLASSES, per_class=4,
                                 augment=lambda b: augment(torch.from_numpy(b), torch.Generator().manual_seed(1))))
    assert shifted.shape == plain.shape


def test_the_report_section_embeds_both_grids(tmp_path):
    images, labels = pictures(12)
    probabilities = np.eye(3)[(labels + 1) % 3] * 0.8 + 0.1  # everything wrong
    html = image_section(images, labels, probabilities, CLASSES, augment=None)
    found = re.findall(r"<img src='data:image/png;base64,([^']+)' alt='([^']+)'>", html)
    assert [alt for _, alt in found] == ["The most confidently wrong validation pictures",
                                         "Sample pictures of each class"]
    for data, alt in found:
        png = base64.b64decode(data)
        (tmp_path / f"{alt}.png").write_bytes(png)  # written for a person to look at
        assert decoded(png).shape[0] > TILE
    assert "resized, without augmentation" in html
    correct = image_section(images, labels, np.eye(3)[labels], CLASSES, augment=lambda b: b)
    assert "Every validation picture was classified correctly" in correct and "resized and augmented" in correct
