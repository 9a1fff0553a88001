"""Duplicate search: the perceptual hash matches imagehash, the banded search matches comparing every pair, and a
near copy is confirmed on its pixels."""

from __future__ import annotations

import io

import imagehash
import numpy as np
from PIL import Image
from pictures import pattern

from trainwright.images.duplicates import exact_groups, groups_of, hash_pairs, near_pairs
from trainwright.images.fingerprint import THUMBNAIL, perceptual_hashes


def _thumbnail(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS))


def test_perceptual_hashes_are_imagehash_phash():
    images = [pattern(seed, (40 + seed, 30)) for seed in range(40)] + [Image.new("RGB", (20, 20), "gray")]
    ours = perceptual_hashes(np.stack([_thumbnail(image) for image in images]))
    assert [int(h) for h in ours] == [int(str(imagehash.phash(image)), 16) for image in images]


def test_banded_search_finds_every_close_pair():
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 2**63, 400, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, 400, dtype=np.uint64)
    for i in range(0, 60, 3):  # plant copies 0-5 bits away
        flips = rng.choice(64, i % 6, replace=False)
        hashes[300 + i // 3] = hashes[i] ^ np.uint64(sum(1 << int(b) for b in flips))
    distance = np.bitwise_count(hashes[:, None] ^ hashes[None, :])
    for max_distance in (0, 3, 4, 5):
        expected = {(i, j) for i, j in zip(*np.nonzero(distance <= max_distance)) if i < j}
        assert {tuple(p) for p in hash_pairs(hashes, max_distance).tolist()} == expected


def test_a_recompressed_copy_is_near_and_a_lookalike_is_not():
    original = pattern(1, (64, 64))
    buffer = io.BytesIO()
    original.resize((50, 50)).save(buffer, "JPEG", quality=80)
    copy = Image.open(buffer)
    inverted = Image.fromarray(255 - np.asarray(original))  # different pixels
    thumbnails = np.stack([_thumbnail(i) for i in (original, copy, pattern(2, (64, 64)), inverted)])
    hashes = perceptual_hashes(thumbnails)
    hashes[3] = hashes[0]  # pretend the hash is fooled: the pixels must still tell them apart
    assert near_pairs(hashes, thumbnails).tolist() == [[0, 1]]


def test_groups_join_transitively():
    assert groups_of(np.array([[0, 1], [1, 2], [5, 7]]), 8) == [[0, 1, 2], [5, 7]]
    assert groups_of(np.empty((0, 2)), 3) == []
    assert exact_groups(["a", "b", "a", "c", "b"]) == [[0, 2], [1, 4]]
