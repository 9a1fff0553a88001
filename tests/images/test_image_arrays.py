"""Loading images as one (N, C, H, W) uint8 array: resizing keeps the aspect, bad files are left out and named."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from pictures import write_broken, write_classes

from trainwright.images import find_images, load_images
from trainwright.images.arrays import resize


def test_a_folder_with_every_broken_file_loads_the_good_ones(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 3, "dog": 2})
    broken = write_broken(root / "cat")
    loaded = load_images(find_images(root), size=(16, 16), pixel_limit=50_000, threads=2)
    assert loaded.pixels.shape == (10, 3, 16, 16) and loaded.pixels.dtype == np.uint8
    left_out = {p.path: p.check for p in loaded.problems}
    assert left_out == {str(broken["truncated"]): "truncated", str(broken["zero"]): "empty_file",
                        str(broken["text"]): "not_an_image", str(broken["big"]): "too_large"}
    assert loaded.labels.count("cat") == 8 and loaded.labels.count("dog") == 2
    grey = load_images(find_images(root), size=(8, 12), mode="L", pixel_limit=50_000)
    assert grey.pixels.shape == (10, 1, 8, 12)


def test_order_and_labels_follow_the_image_set(tmp_path):
    root = write_classes(tmp_path / "train", {"a": 20, "b": 20})
    images = find_images(root)
    loaded = load_images(images, size=(24, 24), threads=4)
    assert loaded.kept == list(range(40)) and loaded.labels == images.labels
    first = np.asarray(Image.open(images.items[7]).convert("RGB")).transpose(2, 0, 1)
    np.testing.assert_array_equal(loaded.pixels[7], first)  # same size: untouched


def test_pad_keeps_the_whole_image_and_crop_the_centre():
    wide = Image.new("RGB", (40, 20), (255, 0, 0))
    wide.paste((0, 0, 255), (0, 0, 10, 20))  # a blue strip on the far left
    padded = np.asarray(resize(wide, (20, 20), "pad"))
    assert padded.shape == (20, 20, 3)
    assert padded[:4].max() == 0 and padded[-4:].max() == 0  # black bands above and below
    assert padded[10, 1, 2] > 200  # the blue strip is still there
    cropped = np.asarray(resize(wide, (20, 20), "crop"))
    assert cropped.shape == (20, 20, 3) and cropped[:, :, 2].max() < 60  # the strip is cut off
    with pytest.raises(ValueError, match="fit"):
        resize(wide, (20, 20), "stretch")


def test_table_problems_carry_their_rows(tmp_path):
    write_classes(tmp_path, {"cat": 2, "dog": 2})
    (tmp_path / "cat" / "empty.png").write_bytes(b"")
    (tmp_path / "t.csv").write_text("image,label\ncat/cat_0.png,cat\ncat/empty.png,cat\nnone.png,dog\n"
                                    "dog/dog_0.png,dog\n")
    loaded = load_images(find_images(tmp_path / "t.csv"), size=(8, 8))
    assert loaded.labels == ["cat", "dog"]
    assert sorted((p.check, p.row) for p in loaded.problems) == [("empty_file", 2), ("missing_file", 3)]


def test_a_wrong_mode_or_fit_is_a_config_error(tmp_path):
    from trainwright.errors import ConfigError

    images = find_images(write_classes(tmp_path / "train", {"a": 1, "b": 1}))
    with pytest.raises(ConfigError, match="mode 'CMYK'"):
        load_images(images, size=(8, 8), mode="CMYK")
    with pytest.raises(ConfigError, match="fit 'stretch'"):
        load_images(images, size=(8, 8), fit="stretch")
