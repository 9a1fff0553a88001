"""The package's layers (pyproject.toml, [tool.importlinter]) hold: no module imports from a layer above its own,
lazy imports included. On failure the message is import-linter's report: which import, on which line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_imports_follow_the_layers():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("lint-imports is missing: pip install -e '.[test]' (it installs import-linter).")
    # This checkout's sources, whatever copy of trainwright the environment has installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_of_the_package_has_a_layer():
    """A new module or subpackage of trainwright must be placed in the layers, else nothing checks it."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as f:
        contract = tomllib.load(f)["tool"]["importlinter"]["contracts"][0]
    placed = {name.strip() for layer in contract["layers"] for name in re.split(r"[|:]", layer)}
    package = ROOT / "src" / "trainwright"
    present = {f"trainwright.{p.stem}" for p in package.glob("*.py") if p.name != "__init__.py"}
    present |= {f"trainwright.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert not present - placed, f"Not in any layer of pyproject.toml's [tool.importlinter]: {sorted(present - placed)}"
