"""Training's progress as a user sees it: a bar over the batches of each epoch on a terminal, plain lines (one
per epoch, no control codes) anywhere else."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from conftest import make_reviews

ARGS = ["--model", "lstm", "--epochs", "2", "--batch-size", "8", "--embedding-dim", "4", "--hidden-size", "4",
        "--threads", "1", "--no-early-stopping"]


def train(folder, terminal: bool) -> str:
    """`trainwright train` in a subprocess, its stderr a pseudo-terminal or a pipe; returns what it wrote there."""
    make_reviews(160).to_csv(folder / "reviews.csv", index=False)
    command = [sys.executable, "-m", "trainwright", "train", "reviews.csv", "--out", "run", *ARGS]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr
    controller, terminal_end = pty.openpty()
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=terminal_end)
    os.close(terminal_end)
    written = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        written += chunk
    assert process.wait(300) == 0, written.decode(errors="replace")[-3000:]
    os.close(controller)
    return written.decode("utf-8", errors="replace")


def test_a_terminal_sees_a_bar_over_the_batches_of_each_epoch(tmp_path):
    shown = train(tmp_path, terminal=True)
    bars = [part for part in shown.split("\x1b[2K") if part.startswith("epoch ") and "%" in part]
    assert any(part.startswith("epoch 1/2 ") for part in bars) and any(part.startswith("epoch 2/2 ") for part in bars)
    assert any("100%" in part for part in bars) and all("━" in part for part in bars), shown[-3000:]
    assert shown.count("epoch 2/2  train_accuracy") == 1  # the epoch's own line, once the bar has gone


def test_elsewhere_there_are_plain_lines_without_control_codes(tmp_path):
    shown = train(tmp_path, terminal=False)
    assert "\x1b" not in shown and "\r" not in shown and "━" not in shown
    assert [line.split("  ")[0] for line in shown.splitlines() if line.startswith("epoch ")] == ["epoch 1/2",
                                                                                              "epoch 2/2"]
