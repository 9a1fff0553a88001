"""Images into one uint8 array (N, C, H, W): decoded in a thread pool, resized to one size, bad files left out.

Resizing keeps the aspect ratio. The default, `fit="pad"`, scales the whole image into the target size and pads
the rest with black: nothing the label is about is cut off (a long object in a wide photo keeps its ends). The
alternative, `fit="crop"`, scales the shorter side to the target and crops the centre (ImageNet's evaluation
convention): no border, but what lies near the edges of an oblong image is lost. Square images are the same
either way.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..extras import require
from .decode import MODES, PIXEL_LIMIT, decode
from .sources import ImageSet, Problem, TooLarge

FITS = ("pad", "crop")
_CHUNK = 64  # images per task of the thread pool


@dataclass
class ImageArray:
    """The images that decoded, as one array, and the ones left out."""

    pixels: np.ndarray  # (N, C, H, W) uint8; C is 3 for RGB, 1 for L
    kept: list[int]  # index in the ImageSet of each image in `pixels`
    labels: list[str]
    problems: list[Problem] = field(default_factory=list)


def resize(image, size: tuple[int, int], fit: str = "pad"):
    """`image` (a Pillow image) at `size` = (height, width), its aspect kept by padding or centre-cropping."""
    from PIL import Image

    if fit not in FITS:
        raise ValueError(f"fit {fit!r}: use one of {FITS}")
    height, width = size
    if image.size == (width, height):
        return image
    scale = (min if fit == "pad" else max)(width / image.width, height / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    scaled = image.resize(inner, Image.Resampling.BILINEAR, reducing_gap=3.0)  # antialiased when shrinking
    if fit == "crop":
        left, top = (inner[0] - width) // 2, (inner[1] - height) // 2
        return scaled.crop((left, top, left + width, top + height))
    canvas = Image.new(image.mode, (width, height))  # black: zeros, as a convolution's own padding
    canvas.paste(scaled, ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return canvas


def to_array(image) -> np.ndarray:
    """A Pillow RGB or L image as (C, H, W) uint8."""
    pixels = np.asarray(image, dtype=np.uint8)
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def load_images(images: ImageSet, size: tuple[int, int], mode: str = "RGB", fit: str = "pad",
                threads: int | None = None, pixel_limit: int = PIXEL_LIMIT) -> ImageArray:
    """Decode, normalize and resize every image of `images` into one (N, C, H, W) uint8 array.

    size: (height, width). mode: "RGB" (3 channels) or "L" (1). Files that cannot be used are left out and
    listed in `problems`, with `images.problems` (files found missing) before them. threads: decoding threads
    (default: Python's default for a thread pool); Pillow releases the GIL while it decodes and resizes.
    """
    require("PIL", "Reading images")
    if mode not in MODES or fit not in FITS:
        raise ConfigError(f"mode {mode!r}, fit {fit!r}: images are read in mode {' or '.join(MODES)}, and fitted "
                          f"to their size by {' or '.join(FITS)}.")
    channels = 3 if mode == "RGB" else 1
    results = map_images(images, lambda decoded: to_array(resize(decoded.image, size, fit)), mode, threads,
                         pixel_limit)
    kept = [i for i, result in enumerate(results) if not isinstance(result, Problem)]
    pixels = np.empty((len(kept), channels, *size), dtype=np.uint8)
    for slot, index in enumerate(kept):
        pixels[slot] = results[index]
    problems = list(images.problems) + [r for r in results if isinstance(r, Problem)]
    return ImageArray(pixels, kept, [images.labels[i] for i in kept], problems)


def map_images(images: ImageSet, step, mode: str = "RGB", threads: int | None = None,
               pixel_limit: int = PIXEL_LIMIT) -> list:
    """`step(decoded)` for every image, in order, in a thread pool; a Problem in place of an image that cannot be
    read or decoded (never an exception)."""

    def one(index: int):
        name = images.name(index)
        try:
            data = images.read_bytes(index)
        except TooLarge as e:
            return Problem(name, "too_large", f"{name}: {e}; left out", _row(images, index))
        except Exception as e:  # OSError, a zip member with a bad CRC (BadZipFile), ...
            return Problem(name, "unreadable", f"{name}: cannot be read ({e}); left out", _row(images, index))
        decoded = decode(data, name, mode, pixel_limit)
        if isinstance(decoded, Problem):
            decoded.row = _row(images, index)
            return decoded
        try:
            return step(decoded)
        except Exception as e:  # Pillow failing late, on a resize of a damaged image
            return Problem(name, "corrupt", f"{name}: cannot be resized ({e}); left out", _row(images, index))

    from PIL import Image

    # Pillow warns (and then errors) about very large images on its own; ours is the limit that decides, and the
    # warning would only repeat it. Set around the whole pool: warning filters are global to the threads.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # In chunks: for small images, a task per image costs as much as decoding it
        chunks = [range(low, min(low + _CHUNK, len(images))) for low in range(0, len(images), _CHUNK)]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return [result for chunk in pool.map(lambda chunk: [one(i) for i in chunk], chunks) for result in chunk]


def _row(images: ImageSet, index: int) -> int | None:
    return images.rows[index] if images.rows else None

