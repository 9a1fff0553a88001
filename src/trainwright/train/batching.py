"""Batches of token sequences padded only to the longest in the batch, grouped by length.

Grouping texts of similar length (a shuffled pool, sorted, cut into batches, batches shuffled) wastes little
work on padding; the LSTM skips padding anyway, so this is pure speed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler


class InputDataset(Dataset):
    """Encoded inputs (see preprocessing.EncodedInputs) and their targets; items are row indices, batched by
    the collate function."""

    def __init__(self, inputs, targets: np.ndarray | None = None):
        self.inputs = inputs
        self.targets = targets

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int):
        return index


class EpochClock(Sampler[int]):
    """The epoch number, set by Lightning before each epoch (it calls `set_epoch` on a batch sampler's
    `sampler`, as for DistributedSampler). Iterating it yields nothing: the batch sampler does the work."""

    def __init__(self):
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        return iter(())


class LengthBucketBatchSampler(Sampler[list[int]]):
    """Shuffled batches of similar-length sequences; the order depends on `seed` and the epoch alone, so a
    resumed run sees the same batches as an uninterrupted one."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int, pool_batches: int = 50,
                 num_replicas: int | None = None, rank: int | None = None):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.pool = batch_size * pool_batches
        self.sampler = EpochClock()
        # Data-parallel training: every process draws the same global batches and takes its share of each
        # (see distributed.shard_batches); None: the running process group's size and rank, when iterated.
        self.num_replicas = num_replicas
        self.rank = rank

    def _world(self) -> tuple[int, int]:
        from .distributed import world

        size, rank = world()
        return (self.num_replicas or size), (self.rank if self.rank is not None else rank)

    def __len__(self) -> int:
        size, rank = self._world()
        if size == 1:
            return -(-len(self.lengths) // self.batch_size)
        return len(list(self._shares(0, size, rank)))

    def __iter__(self) -> Iterator[list[int]]:
        # a generator: the epoch is read at the first batch, after Lightning has set it (also on resume)
        yield from self._shares(self.sampler.epoch, *self._world())

    def _shares(self, epoch: int, size: int, rank: int) -> Iterator[list[int]]:
        from .distributed import shard_batches

        batches = self._global_batches(epoch)
        return iter(batches if size == 1 else shard_batches(batches, size, rank))

    def _global_batches(self, epoch: int) -> list[list[int]]:
        rng = np.random.default_rng([self.seed, epoch])
        order = rng.permutation(len(self.lengths))
        batches = []
        for start in range(0, len(order), self.pool):
            pool = order[start:start + self.pool]
            pool = pool[np.argsort(self.lengths[pool], kind="stable")]
            batches += [pool[i:i + self.batch_size].tolist() for i in range(0, len(pool), self.batch_size)]
        return [batches[index] for index in rng.permutation(len(batches))]


def make_loader(dataset: InputDataset, pad, batch_sampler) -> DataLoader:
    """A DataLoader yielding (inputs, targets): inputs are forward()'s keyword arguments; `pad` turns a list of
    token sequences into a (batch, time) array."""

    def collate(indices: list[int]):
        return dataset.inputs.batch(indices, pad), torch.from_numpy(dataset.targets[indices])

    return DataLoader(dataset, batch_sampler=batch_sampler, collate_fn=collate)
