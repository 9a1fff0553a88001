"""The process's set-up for a run: its threads, the data-parallel process group, and the random seeds."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ..config import RunConfig
from . import distributed


def setup(config: RunConfig) -> None:
    """Threads, the data-parallel process group if any, and the seed."""
    use_threads(config.train.threads)
    distributed.prepare_process(config)
    seed_everything(config.train.seed)


def seed_everything(seed: int) -> None:
    """Python's, NumPy's and torch's generators, as Lightning's seed_everything sets them, without importing
    Lightning (seconds) for a model that trains without it."""
    os.environ["PL_GLOBAL_SEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def thread_count(threads: int | None) -> int:
    return threads or os.cpu_count() or 1


def use_threads(threads: int | None) -> None:
    """All cores unless told otherwise; the tokenizer's Rust thread pool follows the same limit."""
    threads = thread_count(threads)
    torch.set_num_threads(threads)
    os.environ["RAYON_NUM_THREADS"] = str(threads)
