"""What the doctor needs to know about each image, computed in one decoding pass: its size and mode as stored,
a hash of its pixels (exact duplicates) and a perceptual hash (near duplicates)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .arrays import map_images
from .decode import PIXEL_LIMIT, Decoded
from .sources import ImageSet, Problem


@dataclass
class Fingerprint:
    index: int  # in the ImageSet
    width: int  # as stored
    height: int
    mode: str  # as stored: "L", "RGB", "P", "CMYK", "I;16", ...
    format: str
    frames: int
    pixels: str  # hash of the decoded, upright RGB pixels: the same picture saved twice, or re-encoded losslessly
    perceptual: int  # 64-bit DCT hash (imagehash.phash): close for the same picture resized, recompressed, toned


def fingerprint_images(images: ImageSet, threads: int | None = None,
                       pixel_limit: int = PIXEL_LIMIT) -> list[Fingerprint | Problem]:
    """One Fingerprint per image, in order, or the Problem that leaves it out."""
    results = map_images(images, _fingerprint, "RGB", threads, pixel_limit)
    for index, result in enumerate(results):
        if isinstance(result, Fingerprint):
            result.index = index
    return results


def _fingerprint(decoded: Decoded) -> Fingerprint:
    import imagehash

    image = decoded.image
    digest = hashlib.blake2b(f"{image.width}x{image.height}".encode(), digest_size=16)
    digest.update(image.tobytes())
    perceptual = imagehash.phash(image)  # (8, 8) bools
    bits = np.packbits(perceptual.hash.ravel())
    return Fingerprint(-1, decoded.width, decoded.height, decoded.original_mode, decoded.format, decoded.frames,
                       digest.hexdigest(), int.from_bytes(bits.tobytes(), "big"))
