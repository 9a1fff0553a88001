"""The image encoder's choice of size and mode, from the training images and the model, said in one line."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from trainwright.errors import DataError, NotFittedError
from trainwright.images.encoder import ImageEncoder


def write(folder, sizes, mode="L"):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (width, height) in enumerate(sizes):
        pixels = np.random.default_rng(i).integers(0, 256, (height, width, 3), dtype=np.uint8)
        paths.append(str(folder / f"{i}.png"))
        Image.fromarray(pixels).convert(mode).save(paths[-1])
    return paths


def test_one_size_of_grayscale_is_kept(tmp_path):
    encoder = ImageEncoder().fit(write(tmp_path, [(28, 28)] * 5))
    assert encoder.size_ == [28, 28] and encoder.mode_ == "L" and encoder.channels == 1
    assert encoder.summary_ == "images kept at 28×28; grayscale kept"


def test_mixed_sizes_go_to_the_median_capped_and_colour_is_rgb(tmp_path):
    paths = write(tmp_path / "a", [(48, 40), (64, 64), (300, 200)], "RGB") + write(tmp_path / "b", [(60, 64)])
    encoder = ImageEncoder().fit(paths)
    assert encoder.size_ == [64, 64] and encoder.mode_ == "RGB"
    assert encoder.summary_ == "images resized to 64×64 (sizes 40–300 px); colour (RGB)"
    assert encoder.transform(paths).shape == (4, 3, 64, 64)
    large = ImageEncoder().fit(write(tmp_path / "c", [(400, 300), (500, 500)]))
    assert large.size_ == [128, 128]  # capped for a network trained from scratch


def test_a_pretrained_networks_square_wins(tmp_path):
    encoder = ImageEncoder(square=224).fit(write(tmp_path, [(28, 28)] * 3))
    assert encoder.size_ == [224, 224] and "resized to 224×224" in encoder.summary_


def test_unusable_files_are_named(tmp_path):
    paths = write(tmp_path, [(20, 20)] * 2)
    (tmp_path / "bad.png").write_bytes(b"")
    encoder = ImageEncoder().fit(paths + [str(tmp_path / "bad.png")])
    with pytest.raises(DataError, match="bad.png"):
        encoder.transform(paths + [str(tmp_path / "bad.png")])
    pixels, kept, problems = encoder.encode_items([paths[0], b"not an image", Image.open(paths[1]).tobytes()])
    assert kept == [0] and len(problems) == 2 and "input 2 (bytes)" in problems[0].message
    with pytest.raises(NotFittedError, match="ImageEncoder.fit"):
        ImageEncoder().transform(paths)
