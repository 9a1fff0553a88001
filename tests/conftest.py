"""Shared fixtures: a tiny synthetic sentiment table and a tiny model trained on it once per session."""

from __future__ import annotations

import logging
import os
import random
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trainwright

TRAINWRIGHT = shutil.which("trainwright", path=str(Path(sys.executable).parent)) or shutil.which("trainwright")
ALL_SUBPROCESS = os.environ.get("TRAINWRIGHT_TEST_SUBPROCESS") == "1"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_POSITIVE = ["great", "excellent", "lovely", "wonderful", "superb", "fantastic", "works perfectly", "love it"]
_NEGATIVE = ["awful", "terrible", "broken", "useless", "horrible", "poor", "stopped working", "hate it"]
_FILLER = ["the", "kettle", "was", "really", "and", "delivery", "quite", "this", "product", "honestly", "my"]


def make_reviews(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Short reviews whose label is carried by a few opinion words among filler words."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "pos" if i % 2 else "neg"
        words = rng.sample(_FILLER, 4) + [rng.choice(_POSITIVE if label == "pos" else _NEGATIVE)]
        rng.shuffle(words)
        rows.append({"review": " ".join(words).capitalize() + ".", "stars": rng.randint(1, 5), "label": label})
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def reviews_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


def make_accounts(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A small table: two numbers and a category; the label follows one number and the category, not linearly."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.normal(40, 10, n).round(), "balance": rng.normal(50, 15, n).round(1),
                          "plan": rng.choice(["basic", "plus", "pro", "team"], n)})
    score = np.abs(frame["age"] - 40) / 10 + frame["plan"].isin(["pro", "team"]) * 1.0 + rng.normal(0, 0.3, n)
    return frame.assign(churned=np.where(score > 1.2, "yes", "no"))


@pytest.fixture(scope="session")
def accounts_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "accounts.csv"
    make_accounts().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def tiny_config() -> trainwright.RunConfig:
    """Small and quick: a few epochs of a small LSTM on one thread."""
    return trainwright.build_config(overrides={
        "model": {"embedding_dim": 16, "hidden_size": 16},
        "train": {"epochs": 8, "threads": 1, "learning_rate": 0.01},
    })


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, reviews_csv, tiny_config) -> Path:
    """A model directory trained once on the synthetic reviews and shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("runs") / "tiny"
    trainwright.train(reviews_csv, out=out, config=tiny_config.model_copy(deep=True))
    return out


@pytest.fixture(scope="session")
def tiny_text_model(tmp_path_factory, tiny_config) -> Path:
    """Like tiny_model, trained on the review text alone: a model that reads one text column and nothing else."""
    folder = tmp_path_factory.mktemp("text-only")
    make_reviews()[["review", "label"]].to_csv(folder / "reviews.csv", index=False)
    out = folder / "tiny-text"
    trainwright.train(folder / "reviews.csv", out=out, config=tiny_config.model_copy(deep=True))
    return out


def crash_when_epoch_starts(monkeypatch, epoch: int):
    """Make the next training raise RuntimeError("power cut") as epoch `epoch` (1-based) starts, as a kill
    would; returns the function that undoes it."""
    from trainwright.train import callbacks

    start = callbacks.EpochLog.on_train_epoch_start

    def crash(self, trainer, module):
        if trainer.current_epoch == epoch - 1:
            raise RuntimeError("power cut")
        start(self, trainer, module)

    monkeypatch.setattr(callbacks.EpochLog, "on_train_epoch_start", crash)
    return lambda: monkeypatch.setattr(callbacks.EpochLog, "on_train_epoch_start", start)


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_subprocess(*args, cwd: Path | None = None) -> Result:
    """The installed console script, as a user's shell runs it (not a terminal: no progress bar, no colour)."""
    assert TRAINWRIGHT, "the `trainwright` console script is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE")}
    proc = subprocess.run([TRAINWRIGHT, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(capfd, monkeypatch):
    """Run `trainwright ARGS...` in-process through `cli.main()`, the console script's entry point."""
    from trainwright import cli as cli_module
    from trainwright.log import logger

    saved = list(logger.handlers), logger.level, logger.propagate

    def invoke(*args, cwd: Path | None = None, fork: bool = False) -> Result:
        if fork or ALL_SUBPROCESS:
            return run_subprocess(*args, cwd=cwd)
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "argv", ["trainwright", *map(str, args)])
        capfd.readouterr()
        try:
            cli_module.main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:  # what the interpreter does with an exception that escapes main()
            traceback.print_exc()
            code = 1
        captured = capfd.readouterr()
        return Result(code, captured.out, captured.err)

    yield invoke
    # main() attaches a console handler to the "trainwright" logger and stops propagation; undo that so other
    # tests (caplog) see the library's usual logging set-up.
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


@pytest.fixture
def tw_log(caplog, monkeypatch):
    """caplog, reliably receiving the "trainwright" logger's records at INFO and above.

    The CLI sets `propagate = False` on that logger, so caplog's root handler alone would miss its records after a
    CLI test ran in the same session: the handler goes on the logger itself, with propagation off for the test so
    that nothing is captured twice. Both are undone afterwards. (Not in a tests/data/conftest.py: a second
    conftest module would shadow the `from conftest import ...` that other test modules use.)
    """
    logger = logging.getLogger("trainwright")
    monkeypatch.setattr(logger, "propagate", False)
    caplog.set_level(logging.INFO, logger="trainwright")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)
