"""Decoding: every kind of broken file is named with what is wrong, and every odd mode is normalized."""

from __future__ import annotations

import resource
import time

import numpy as np
import pytest
from PIL import Image
from pictures import huge_png, pattern, save, write_broken

from trainwright.images.decode import decode
from trainwright.images.sources import Problem


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return write_broken(tmp_path_factory.mktemp("broken"))


def _decode(path, mode="RGB", pixel_limit=50_000):
    return decode(path.read_bytes(), str(path), mode, pixel_limit)


@pytest.mark.parametrize("case, check, said", [
    ("truncated", "truncated", "cut short"),
    ("zero", "empty_file", "0 bytes"),
    ("text", "not_an_image", "not a PNG, JPEG"),
    ("big", "too_large", "300 x 200 pixels is more than the limit of 50,000"),
])
def test_a_broken_file_is_a_problem_naming_its_path(broken, case, check, said):
    problem = _decode(broken[case])
    assert isinstance(problem, Problem)
    assert problem.check == check
    assert problem.path == str(broken[case])
    assert str(broken[case]) in problem.message and said in problem.message and "left out" in problem.message


def test_cmyk_jpeg_becomes_rgb(broken):
    decoded = _decode(broken["cmyk"])
    assert decoded.original_mode == "CMYK" and decoded.image.mode == "RGB"
    expected = np.asarray(pattern(101))
    assert np.abs(np.asarray(decoded.image).astype(int) - expected).mean() < 25  # JPEG loses a little


def test_16_bit_png_is_scaled_to_8_bits(broken):
    decoded = _decode(broken["16bit"], mode="L")
    stored = np.asarray(Image.open(broken["16bit"])).astype(float)
    assert decoded.original_mode.startswith("I")
    pixels = np.asarray(decoded.image)
    assert pixels.dtype == np.uint8 and pixels.max() == round(stored.max() / 257)
    np.testing.assert_allclose(pixels, np.rint(stored / 257), atol=1)


def test_animated_gif_gives_its_first_frame(broken):
    decoded = _decode(broken["gif"])
    assert decoded.frames == 3
    assert tuple(np.asarray(decoded.image)[5, 5]) == (255, 0, 0)  # the red frame, not green or blue


def test_exif_orientation_is_applied(broken):
    decoded = _decode(broken["rotated"])
    assert (decoded.width, decoded.height) == (40, 20)  # as stored
    upright = np.asarray(decoded.image)
    assert upright.shape == (40, 20, 3)  # rotated: now tall
    assert upright[5, 10, 0] > 200 and upright[5, 10, 1] < 60  # the red half is on top
    assert upright[35, 10].min() > 200  # white below


def test_palette_transparency_is_white(broken):
    pixels = np.asarray(_decode(broken["palette"]).image)
    assert tuple(pixels[0, 0]) == (255, 255, 255)  # transparent index
    assert tuple(pixels[0, 15]) == (255, 0, 0)


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "1", "I", "F"])
def test_every_mode_becomes_rgb_or_l(tmp_path, mode):
    image = pattern(3).convert(mode if mode not in ("I", "F") else "L").convert(mode)
    path = save(image, tmp_path / f"x.{'tif' if mode in ('I', 'F') else 'png'}")
    for target in ("RGB", "L"):
        decoded = _decode(path, mode=target)
        assert decoded.image.mode == target, (mode, target)


def test_rgba_is_composited_on_white(tmp_path):
    image = Image.new("RGBA", (4, 4), (0, 0, 255, 0))
    image.putpixel((0, 0), (0, 0, 255, 255))
    pixels = np.asarray(_decode(save(image, tmp_path / "a.png")).image)
    assert tuple(pixels[1, 1]) == (255, 255, 255) and tuple(pixels[0, 0]) == (0, 0, 255)


@pytest.mark.parametrize("fmt", ["BMP", "WEBP", "TIFF", "JPEG", "PNG", "GIF"])
def test_each_format_decodes(tmp_path, fmt):
    path = save(pattern(5), tmp_path / f"x.{fmt.lower()}", format=fmt)
    decoded = _decode(path)
    assert decoded.format == fmt and decoded.image.size == (24, 24)


def test_a_real_20000_pixel_square_is_refused_without_decoding(tmp_path):
    path = huge_png(tmp_path / "huge.png")
    assert path.stat().st_size < 200_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    problem = decode(path.read_bytes(), str(path))
    assert isinstance(problem, Problem) and problem.check == "too_large"
    assert "decompression bomb" in problem.message and str(path) in problem.message
    assert time.perf_counter() - started < 1.0
    # Decoding it would take 400 MB (L) or 1.2 GB (RGB); the peak must not move by anything close.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_a_large_image_under_pillows_limit_is_refused_by_ours(tmp_path):
    path = huge_png(tmp_path / "large.png", 8_000, 8_000)  # 64 M pixels: Pillow would only warn
    problem = decode(path.read_bytes(), str(path))
    assert problem.check == "too_large" and "8,000 x 8,000" in problem.message


def test_decoding_never_raises_on_damaged_bytes(broken):
    rng = np.random.default_rng(0)
    good = broken["cmyk"].read_bytes(), broken["16bit"].read_bytes(), broken["gif"].read_bytes()
    for data in good:
        for _ in range(30):
            damaged = bytearray(data)
            for at in rng.integers(0, len(damaged), 8):
                damaged[at] = rng.integers(0, 256)
            cut = bytes(damaged[: rng.integers(1, len(damaged) + 1)])
            result = decode(cut, "damaged")
            assert isinstance(result, Problem) or result.image.mode == "RGB"


def test_exif_orientation_in_a_png_is_applied_too(tmp_path):
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(image, tmp_path / "rotated.png", exif=exif)
    assert _decode(path).image.size == (20, 40)
