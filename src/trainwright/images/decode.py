"""Decoding images robustly: any file becomes a normalized Pillow image, or a `Problem` saying what is wrong.

Normalization, in order: the first frame (GIF, TIFF pages); EXIF orientation applied; 16-bit and 32-bit
grayscale scaled to 8 bits; transparency composited on white; then RGB or L, as asked. Decoding never raises:
a zero-byte file, a non-image, a truncated file or a decompression bomb is a Problem, and the image is left out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .sources import Problem

# Decoded only in these formats. Pillow can open more, and some (EPS) run an external program on the file.
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF")
MODES = ("RGB", "L")
# A decompression bomb guard of our own, checked on the header's size before any pixel is decoded: 40 million
# pixels (6,300 x 6,300; 120 MB as RGB) is far above what a classifier is trained on and below Pillow's own
# warning threshold, so refusing is our decision, with a message, not a warning that scrolls by.
PIXEL_LIMIT = 40_000_000
_WHITE = (255, 255, 255, 255)


@dataclass
class Decoded:
    """An image normalized to `mode`, and what it was before: its size as stored and its original mode."""

    image: object  # PIL.Image.Image in `mode`, already upright
    width: int  # as stored, before EXIF rotation
    height: int
    format: str
    original_mode: str
    frames: int = 1


def decode(data: bytes, name: str, mode: str = "RGB", pixel_limit: int = PIXEL_LIMIT) -> Decoded | Problem:
    """Decode one file's bytes into an upright image in `mode` ("RGB" or "L"); a Problem naming `name` when the
    file cannot be used."""
    from PIL import Image, UnidentifiedImageError

    if mode not in MODES:  # the caller's mistake, not the file's: raised, not a Problem
        raise ValueError(f"mode {mode!r}: use one of {MODES}")
    if not data:
        return Problem(name, "empty_file", f"{name}: the file is empty (0 bytes); left out")
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        return Problem(name, "not_an_image", f"{name}: not a {', '.join(FORMATS)} image (starts with "
                                             f"{data[:8]!r}); left out")
    except Image.DecompressionBombError as e:
        return Problem(name, "too_large", f"{name}: refused without decoding, a possible decompression bomb "
                                          f"({str(e).rstrip('.')}); left out")
    except Exception as e:  # a damaged header: Pillow raises SyntaxError, ValueError, struct.error, ...
        return _damaged(name, "its header cannot be read", e)
    width, height = image.size
    if width * height > pixel_limit:
        return Problem(name, "too_large", f"{name}: {width:,} x {height:,} pixels is more than the limit of "
                                          f"{pixel_limit:,}; refused without decoding (a possible decompression "
                                          "bomb); left out")
    if width == 0 or height == 0:
        return Problem(name, "unreadable", f"{name}: the image has no pixels ({width} x {height}); left out")
    try:
        frames = _frames(image)
        image.seek(0)
        image.load()  # a truncated file fails here: Pillow is not told to fill in missing pixels
        upright = _upright(image)
        normalized = _normalize(upright, mode)
    except Exception as e:  # OSError ("image file is truncated"), SyntaxError, ValueError, MemoryError, ...
        return _damaged(name, f"the {image.format} image cannot be decoded", e)
    return Decoded(normalized, width, height, image.format or "?", image.mode, frames)


def _frames(image) -> int:
    """Frames (GIF, WebP) or pages (TIFF); 1 when the later ones are damaged: the first may still be whole."""
    try:
        return getattr(image, "n_frames", 1)
    except Exception:
        return 1


def _damaged(name: str, what: str, error: Exception) -> Problem:
    said = (str(error).strip() or type(error).__name__)[:200]
    if "truncat" in said.lower():
        return Problem(name, "truncated", f"{name}: the file is cut short ({said}): {what}; left out")
    return Problem(name, "corrupt", f"{name}: {what} ({said}); left out")


def _upright(image):
    from PIL import ImageOps

    if image.format in ("PNG", "GIF", "BMP") and "exif" not in image.info:
        return image  # no orientation to apply; reading the absent EXIF block costs a tenth of a small decode
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a damaged EXIF block: the pixels are fine, the orientation is unknown
        return image


def _normalize(image, mode: str):
    """`image` in `mode` (RGB or L), whatever it was: bit depth, alpha, palette, CMYK."""
    from PIL import Image

    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = Image.fromarray(_to_8bit(np.asarray(image), image.mode))
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels have no colour of their own; white is what a viewer shows them on.
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, _WHITE), rgba).convert("RGB")
    if image.mode != mode:
        image = image.convert(mode)
    return image


def _to_8bit(pixels: np.ndarray, mode: str) -> np.ndarray:
    """16-bit (and 32-bit) grayscale to 0..255. A 16-bit image is scaled by its range (65,535 -> 255); a 32-bit
    or float one that holds only 0..255 is kept, else scaled by the 16-bit range too."""
    pixels = pixels.astype(np.float64)
    if mode.startswith("I;16") or pixels.max(initial=0) > 255:
        pixels = pixels / 257.0
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
