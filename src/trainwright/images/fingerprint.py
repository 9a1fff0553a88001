"""What the doctor needs to know about each image, computed in one decoding pass: its size and mode as stored,
a hash of its pixels (exact duplicates), and a 32 x 32 grayscale thumbnail, from which the perceptual hashes of
all images are computed at once (near duplicates) and near matches are confirmed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .arrays import map_images
from .decode import PIXEL_LIMIT, Decoded
from .sources import ImageSet, Problem

THUMBNAIL = 32  # pixels a side: imagehash.phash's working size (hash size 8 x high-frequency factor 4)
_HASH_SIZE = 8
_HASH_BATCH = 8192  # thumbnails hashed at once: 64 MB as float64


@dataclass
class Fingerprint:
    index: int  # in the ImageSet
    width: int  # as stored
    height: int
    mode: str  # as stored: "L", "RGB", "P", "CMYK", "I;16", ...
    format: str
    frames: int
    pixels: str  # hash of the decoded, upright RGB pixels: the same picture saved twice, or re-encoded losslessly
    thumbnail: np.ndarray  # (32, 32) uint8 grayscale, the way imagehash.phash shrinks an image


def fingerprint_images(images: ImageSet, threads: int | None = None,
                       pixel_limit: int = PIXEL_LIMIT) -> list[Fingerprint | Problem]:
    """One Fingerprint per image, in order, or the Problem that leaves it out."""
    results = map_images(images, _fingerprint, "RGB", threads, pixel_limit)
    for index, result in enumerate(results):
        if isinstance(result, Fingerprint):
            result.index = index
    return results


def _fingerprint(decoded: Decoded) -> Fingerprint:
    from PIL import Image

    image = decoded.image
    digest = hashlib.blake2b(f"{image.width}x{image.height}".encode(), digest_size=16)
    digest.update(image.tobytes())
    thumbnail = np.asarray(image.convert("L").resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS))
    return Fingerprint(-1, decoded.width, decoded.height, decoded.original_mode, decoded.format, decoded.frames,
                       digest.hexdigest(), thumbnail)


def perceptual_hashes(thumbnails: np.ndarray) -> np.ndarray:
    """imagehash.phash of each (32, 32) thumbnail, as uint64, for all of them at once: the DCT-II of the
    thumbnail's rows and columns, its 8 x 8 lowest frequencies, each bit set where above their median. Matrix
    products over thousands of images instead of N calls to scipy (70,000 calls take most of a minute)."""
    hashes = np.empty(len(thumbnails), dtype=np.uint64)
    for low in range(0, len(thumbnails), _HASH_BATCH):
        hashes[low:low + _HASH_BATCH] = _phash(thumbnails[low:low + _HASH_BATCH])
    return hashes


def _phash(thumbnails: np.ndarray) -> np.ndarray:
    n = np.arange(THUMBNAIL)
    k = np.arange(_HASH_SIZE)[:, None]
    basis = 2 * np.cos(np.pi * k * (2 * n + 1) / (2 * THUMBNAIL))  # (8, 32): scipy.fftpack.dct's type II, unscaled
    pixels = np.asarray(thumbnails, dtype=np.float64)
    # basis @ X @ basis.T for every X; optimize=True lets einsum hand each product to BLAS as one large one
    columns = np.einsum("inm,lm->inl", pixels, basis, optimize=True)  # (N, 32, 8)
    low = np.einsum("kn,inl->ikl", basis, columns, optimize=True)  # (N, 8, 8)
    # Rounded: a flat image's zero frequencies come out as +-1e-13, and must tie with the median as scipy's do.
    flat = np.round(low.reshape(len(pixels), -1), 6)  # row-major, like imagehash
    bits = flat > np.median(flat, axis=1, keepdims=True)
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)
