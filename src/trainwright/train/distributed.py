"""Data-parallel training (PyTorch DDP through Lightning): which process this is, and how batches are shared.

`train.devices` processes per machine on `train.num_nodes` machines each train a copy of the model on their
share of every batch; gradients are averaged, so the copies stay equal. `train.batch_size` is the *global*
batch: each global batch (the same, from the same seed and epoch, on every process) is cut into one contiguous
piece per process. A run therefore takes the same optimizer steps whatever the number of processes, and its
metrics match a single-process run's up to floating-point and dropout noise.

Launching (see README "Training on several processes or machines"):

- `trainwright train ... --devices N --strategy ddp` on one machine: Lightning starts N-1 more copies of the same
  command (environment variable LOCAL_RANK set); each reads the data and fits the preprocessing again, which is
  deterministic, then trains its share. (`ddp_spawn` is not offered: it pickles the trainer and sends the
  trained weights back without the callbacks' state, which our history and best-weights rely on.)
- `torchrun ... trainwright train ... --devices N --num-nodes M`, or `srun` under SLURM: the launcher starts
  every process; Lightning sees its environment variables and starts none.

Only the process of global rank 0 writes: the checkpoint (Lightning), the saved model, logs and report.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import Sampler

from ..errors import ConfigError

STRATEGIES = ("auto", "ddp", "ddp_find_unused_parameters_true")


def world() -> tuple[int, int]:
    """(number of processes, this one's global rank) of the running process group; (1, 0) outside one."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size(), torch.distributed.get_rank()
    return 1, 0


def launch_rank() -> int:
    """This process's global rank as its launcher told it (torchrun: RANK; Lightning's own launcher:
    NODE_RANK and LOCAL_RANK; SLURM: SLURM_PROCID), before any process group exists. Only zero or not matters:
    0 for the process that was started by hand."""
    if os.environ.get("RANK"):
        return int(os.environ["RANK"])
    if os.environ.get("LOCAL_RANK") or os.environ.get("NODE_RANK"):
        return int(os.environ.get("NODE_RANK") or 0) * 1000 + int(os.environ.get("LOCAL_RANK") or 0)
    if os.environ.get("SLURM_PROCID") and int(os.environ.get("SLURM_NTASKS") or 1) > 1:
        return int(os.environ["SLURM_PROCID"])
    return 0


def is_main_process() -> bool:
    """True in the process that saves the model: global rank 0 of a distributed run, or a single process.
    After training, the rank is the one Lightning set up; before, the launcher's."""
    size, rank = world()
    if size > 1:
        return rank == 0
    if "lightning" not in sys.modules:  # no trainer ran here (the convex fit): the launcher's rank holds
        return launch_rank() == 0
    from lightning.fabric.utilities.rank_zero import rank_zero_only

    return getattr(rank_zero_only, "rank", 0) == 0 and launch_rank() == 0


def processes(config) -> int:
    return config.train.devices * config.train.num_nodes


def check(config, members: int) -> None:
    """Refuse what cannot run the same way on every process; say what to do instead."""
    tcfg = config.train
    if processes(config) == 1 and tcfg.strategy == "auto":
        return
    if config.model.name == "auto":
        raise ConfigError("model auto picks its model by timing candidates, which would differ between the "
                          f"{processes(config)} processes: name a model (--model lstm, cnn, ...) to train on "
                          "several devices.")
    if members > 1:
        raise ConfigError(f"train.ensemble {members} trains its models one after the other: set train.ensemble "
                          "to 1 (--ensemble 1) to train on several devices.")
    if tcfg.batch_size < processes(config):
        raise ConfigError(f"train.batch_size {tcfg.batch_size} is the global batch, shared among "
                          f"{processes(config)} processes: make it at least {processes(config)}.")


def single_process(config, command: str) -> None:
    """Refuse several devices for a command that trains more than once or saves from every process."""
    if processes(config) > 1:
        raise ConfigError(f"{command} trains on one process: leave out --devices/--num-nodes (train.devices and "
                          "train.num_nodes 1); `trainwright train` trains one model on several.")


def trainer_options(config) -> dict:
    """L.Trainer's devices, num_nodes and strategy for this run's config."""
    tcfg = config.train
    return {"devices": tcfg.devices, "num_nodes": tcfg.num_nodes, "strategy": tcfg.strategy}


def prepare_process(config) -> None:
    """Before training on several processes: keep the other ranks' duplicate progress lines out of the output
    (warnings still show), and let train.threads hold in every process (Lightning otherwise sets each
    process's threads to cores / processes when OMP_NUM_THREADS is not set)."""
    if processes(config) == 1:
        return
    if launch_rank() != 0:
        logging.getLogger("trainwright").setLevel(logging.WARNING)
    if config.train.threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(config.train.threads))


def shard_batches(batches: Sequence[Sequence[int]], size: int, rank: int) -> list[list[int]]:
    """Process `rank`'s share of the global `batches`: a contiguous piece of each (batches are sorted by
    length, so pieces are too). A batch with fewer rows than processes is first merged into the previous one,
    so every process gets the same number of non-empty batches, and together the shares hold each row once."""
    if size == 1:
        return [list(b) for b in batches]
    merged: list[list[int]] = []
    for batch in batches:
        if len(batch) < size and merged:
            merged[-1] = merged[-1] + list(batch)
        else:
            merged.append(list(batch))
    if merged and len(merged[0]) < size:  # the first batch was too small: give it to the next
        first = merged.pop(0)
        if not merged:
            raise ConfigError(f"{len(first)} rows cannot be shared among {size} processes: each needs one.")
        merged[0] = first + merged[0]
    return [np.array_split(np.asarray(b), size)[rank].tolist() for b in merged]


class ShardedBatches(Sampler[list[int]]):
    """Fixed batches (e.g. validation's, sorted by length), this process's share of each (see shard_batches).
    The share is chosen when iterated, once the process group exists."""

    def __init__(self, batches: Sequence[Sequence[int]]):
        self.batches = [list(b) for b in batches]

    def __len__(self) -> int:
        return len(shard_batches(self.batches, *world()))

    def __iter__(self) -> Iterator[list[int]]:
        return iter(shard_batches(self.batches, *world()))
