"""Duplicate images: the same pixels (exact), or a resized or recompressed copy (near).

Near duplicates are found in two steps. First, candidate pairs whose perceptual hashes are a few bits apart,
without comparing every pair (70,000 images would be 2.4 billion pairs): the 64-bit hash is cut into
`max_distance + 1` bands, and two hashes at most `max_distance` bits apart agree exactly on at least one band
(pigeonhole), so only images sharing a band's value are compared (multi-index hashing, Norouzi et al. 2012).
Then each candidate is confirmed on the images' 32 x 32 grayscale thumbnails: a perceptual hash alone calls
many different small images alike (on Fashion-MNIST, 177,000 pairs are within 4 bits; 72 of them are near-identical).
"""

from __future__ import annotations

import numpy as np

NEAR_DISTANCE = 4  # bits of 64 that may differ: resized or recompressed copies differ by 0-4, unrelated images ~32
# Mean absolute difference of two thumbnails, in grey levels of 255, under which a candidate is a copy. A copy
# resized or saved again as JPEG differs by 0.5-3; different Fashion-MNIST pictures by 7 or more (1% of pairs).
NEAR_DIFFERENCE = 4.0
_PAIR_BLOCK = 256  # rows compared at once within a large bucket: (256, m) uint64, 60 MB for a bucket of 30,000
_CONFIRM_BLOCK = 16384  # candidate pairs whose thumbnails are compared at once: 32 MB each side as int16


def exact_groups(keys: list[str]) -> list[list[int]]:
    """Positions that share a key, as groups of two or more, each in position order."""
    where: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        where.setdefault(key, []).append(position)
    return [group for group in where.values() if len(group) > 1]


def near_pairs(hashes: np.ndarray, thumbnails: np.ndarray, max_distance: int = NEAR_DISTANCE,
               max_difference: float = NEAR_DIFFERENCE) -> np.ndarray:
    """(k, 2) positions i < j of near copies: hashes at most `max_distance` bits apart and (N, 32, 32) uint8
    thumbnails differing by at most `max_difference` grey levels on average."""
    return confirmed(hash_pairs(np.asarray(hashes, dtype=np.uint64), max_distance), thumbnails, max_difference)


def confirmed(pairs: np.ndarray, thumbnails: np.ndarray, max_difference: float = NEAR_DIFFERENCE) -> np.ndarray:
    """The candidate `pairs` whose thumbnails differ by at most `max_difference` grey levels on average."""
    keep = np.zeros(len(pairs), dtype=bool)
    for low in range(0, len(pairs), _CONFIRM_BLOCK):
        block = pairs[low:low + _CONFIRM_BLOCK]
        first, second = thumbnails[block[:, 0]].astype(np.int16), thumbnails[block[:, 1]].astype(np.int16)
        total = np.abs(first - second).sum(axis=(1, 2), dtype=np.int32)  # a mean would copy the block as float64
        keep[low:low + len(block)] = total <= max_difference * first[0].size
    return pairs[keep]


def groups_of(pairs: np.ndarray, count: int) -> list[list[int]]:
    """Positions joined by `pairs`, directly or through others, as groups of two or more; each group in position
    order, the groups ordered by their first position."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if not len(pairs):
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _, component = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for position in np.unique(pairs):
        groups.setdefault(int(component[position]), []).append(int(position))
    return sorted(groups.values())


def hash_pairs(hashes: np.ndarray, max_distance: int) -> np.ndarray:
    """(k, 2) positions i < j with hashes at most `max_distance` bits apart, in order."""
    if not 0 <= max_distance < 64:
        raise ValueError(f"max_distance {max_distance}: use 0 to 63 bits")
    found = []
    for band in _bands(hashes, max_distance + 1):
        order = np.argsort(band, kind="stable")
        values, starts, counts = np.unique(band[order], return_index=True, return_counts=True)
        for start, count in zip(starts[counts > 1], counts[counts > 1]):
            found.append(_close_pairs(np.sort(order[start:start + count]), hashes, max_distance))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def _bands(hashes: np.ndarray, count: int) -> list[np.ndarray]:
    """The hashes cut into `count` runs of consecutive bits, as integers."""
    edges = np.linspace(0, 64, count + 1).round().astype(int)
    bands = []
    for low, high in zip(edges[:-1], edges[1:]):
        mask = np.uint64((1 << int(high - low)) - 1)
        bands.append((hashes >> np.uint64(low)) & mask)
    return bands


def _close_pairs(members: np.ndarray, hashes: np.ndarray, max_distance: int) -> np.ndarray:
    """Pairs among `members` (sorted positions) within `max_distance` bits, in blocks to bound memory."""
    values = hashes[members]
    found = []
    for low in range(0, len(members), _PAIR_BLOCK):
        block = values[low:low + _PAIR_BLOCK]
        distance = np.bitwise_count(block[:, None] ^ values[None, :])  # (block, m)
        rows, cols = np.nonzero(distance <= max_distance)
        rows = rows + low
        keep = rows < cols
        found.append(np.stack([members[rows[keep]], members[cols[keep]]], axis=1))
    return np.concatenate(found)
