"""The first minute with the command: help comes at once and is readable in an 80-column terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import typer
from typer.testing import CliRunner

from trainwright import cli

HEAVY = ("torch", "lightning", "pytorch_lightning", "pandas", "sklearn")


def test_help_of_every_command_imports_no_heavy_library():
    # A fresh interpreter: this test process has imported torch long ago.
    script = f"""
import sys
import typer
from trainwright import cli
command = typer.main.get_command(cli.app)
command.main(["--help"], prog_name="trainwright", standalone_mode=False)
for name in command.commands:
    command.main([name, "--help"], prog_name="trainwright", standalone_mode=False)
print(sorted(command.commands))
print([module for module in {HEAVY!r} if module in sys.modules])
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    *_, commands, loaded = done.stdout.strip().splitlines()
    assert "train" in commands and "serve" in commands and "doctor" in commands and "tune" in commands
    assert loaded == "[]", f"--help imported {loaded}"


def test_train_help_shows_every_option_name_whole_at_80_columns():
    result = CliRunner().invoke(cli.app, ["train", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    words = set(re.findall(r"--[a-z0-9-]+", result.output))
    train = typer.main.get_command(cli.app).commands["train"]
    names = [name for param in train.params for name in (*param.opts, *param.secondary_opts) if name.startswith("--")]
    assert len(names) > 50
    assert [name for name in names if name not in words] == []
