"""A forecast run on several processes or machines, started together by a launcher (torchrun, srun):

    ranks = forecast_ranks(config)                      # (1, 0) and no process group for an ordinary run
    runs = ranks.map(fit_one, series, workers)          # each process fits series i where i % size == rank
    choices = ranks.agree(choices)                      # rank 0's on every process

Every process reads the panel. The per-series work (the baselines' backtests, the refits) is shared by series
index, each process on its own `workers` worker processes (forecast_parallel.py), and the results are gathered on
every process with torch.distributed over gloo (they are small: forecasts and scores), so every process goes on
with the same runs. The learned models train once with DDP across all processes: each calls the same fits in the
same order, and the Trainer joins the process group made here. Rank 0 alone chooses (its choices are sent to the
others, so all refit the same models) and saves.

Lightning's own launcher (`--devices N` without torchrun) is refused: it starts the other processes only when the
first model trains, after the per-series work that they should have shared.

A process whose share fails sends its error instead of its results, so every process stops with the same message
rather than waiting for it; a process that dies outright is ended with the others by the launcher (torchrun does;
srun with --kill-on-bad-exit), and every collective gives up after the group's timeout.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import torch

from ..config import RunConfig
from ..errors import ConfigError, TrainwrightError
from ..log import logger
from .distributed import check, processes
from .forecast_parallel import MessageRecorder, map_series

TIMEOUT_S = 1800.0  # a collective waits this long (or train.time_limit) for the slowest process's share


@dataclass(frozen=True)
class Ranks:
    """The processes of a forecast run: how many, and this one's global rank."""

    size: int = 1
    rank: int = 0

    @property
    def main(self) -> bool:
        """Whether this process chooses and saves (rank 0)."""
        return self.rank == 0

    def map(self, function: Callable, items: Sequence, workers: int) -> list:
        """`[function(item) for item in items]` on every process, each computing its share (item i where
        i % size == rank) on `workers` worker processes; rank 0 tells the items' log messages in their order."""
        if self.size == 1:
            return map_series(function, items, workers)
        try:
            mine = ("done", map_series(partial(recorded, function), list(items)[self.rank::self.size], workers))
        except Exception as e:  # sent to every process, so that none waits for this one's share
            mine = ("failed", f"{type(e).__name__}: {e}")
        shares = [None] * self.size
        torch.distributed.all_gather_object(shares, mine)
        failed = [(rank, message) for rank, (state, message) in enumerate(shares) if state == "failed"]
        if failed:
            rank, message = failed[0]
            raise TrainwrightError(f"Process {rank} of the {self.size} of this forecast run failed on its share of the "
                                   f"series ({message}); every process stopped. Fix that, or run on one process "
                                   "(without torchrun/srun and --devices/--num-nodes) to see it there.")
        results: list = [None] * len(items)
        for rank, (_, values) in enumerate(shares):
            results[rank::self.size] = values
        for _, messages in results:
            for level, message in messages:
                logger.log(level, message)
        return [value for value, _ in results]

    def agree(self, value):
        """Rank 0's `value` on every process."""
        if self.size == 1:
            return value
        box = [value]
        torch.distributed.broadcast_object_list(box, src=0)
        return box[0]


def forecast_ranks(config: RunConfig) -> Ranks:
    """The run's processes; under a launcher, the process group (gloo, NCCL too on GPUs) joined, once per process.
    Refuses what cannot share a forecast run, saying what to do."""
    launched = _launched()
    wanted = processes(config)
    if launched == 1 and wanted == 1:
        return Ranks()
    if launched == 1:
        raise ConfigError(
            f"A forecast run on {wanted} processes is started by a launcher, which starts them all at once so that "
            f"they share the per-series fits: `torchrun --nproc-per-node {config.train.devices} -m trainwright train "
            f"... --devices {config.train.devices}` (with --nnodes/--num-nodes {config.train.num_nodes} on each "
            "machine), or srun under SLURM. Or leave out --devices/--num-nodes: one process already shares the "
            "series among this machine's cores (--threads N).")
    if launched != wanted:
        raise ConfigError(
            f"The launcher started {launched} processes, but --devices {config.train.devices} --num-nodes "
            f"{config.train.num_nodes} make {wanted}: pass --devices equal to --nproc-per-node (tasks per node) and "
            "--num-nodes equal to --nnodes (nodes).")
    check(config.derive({"model": {"name": "nbeats"}}), 1)  # the run names its learned models, never model auto
    return _join(config)


def _launched() -> int:
    """The number of processes the launcher started: torchrun's WORLD_SIZE, srun's SLURM_NTASKS; 1 otherwise."""
    if os.environ.get("WORLD_SIZE"):
        return int(os.environ["WORLD_SIZE"])
    if os.environ.get("SLURM_PROCID") and os.environ.get("SLURM_NTASKS"):
        return int(os.environ["SLURM_NTASKS"])
    return 1


def _join(config: RunConfig) -> Ranks:
    """The process group of the launch, made here before any model trains (Lightning's DDP then uses it, as it
    does any group that exists) and ended when the process exits."""
    if not torch.distributed.is_initialized():
        from lightning.fabric.plugins.environments import SLURMEnvironment, TorchElasticEnvironment

        cluster = TorchElasticEnvironment() if TorchElasticEnvironment.detect() else SLURMEnvironment()
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = cluster.main_address, str(cluster.main_port)
        gpus = config.train.accelerator != "cpu" and torch.cuda.is_available()
        # gloo carries the gathered results (CPU objects); NCCL the gradients on GPUs
        torch.distributed.init_process_group("cpu:gloo,cuda:nccl" if gpus else "gloo", rank=cluster.global_rank(),
                                             world_size=cluster.world_size(),
                                             timeout=timedelta(seconds=max(TIMEOUT_S, config.train.time_limit or 0)))
        atexit.register(_leave)
    return Ranks(torch.distributed.get_world_size(), torch.distributed.get_rank())


def _leave() -> None:
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def recorded(function: Callable, item) -> tuple[object, list[tuple[int, str]]]:
    """`function(item)` and the log messages it gave, kept for rank 0 to tell in the items' order (the messages
    of the other processes would otherwise be lost: only rank 0 logs below warnings)."""
    recorder = MessageRecorder()
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    logger.handlers = [recorder]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        return function(item), recorder.messages
    finally:
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)
