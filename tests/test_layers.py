"""The package's layers (pyproject.toml, [tool.importlinter]) hold: no module imports from a layer above its own,
lazy imports included. On failure the message is import-linter's report: which import, on which line. Within a
layer, no modules import each other in a loop, and no module imports another's private names."""

from __future__ import annotations

import ast
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


def test_no_modules_import_each_other():
    """Layers with siblings (`a | b`) and subpackages leave room for cycles import-linter does not see; a cycle,
    lazy imports included, means neither module can be understood, tested or moved without the other."""
    try:
        import grimp  # installed with import-linter
    except ImportError:
        pytest.fail("grimp is missing: pip install -e '.[test]' (import-linter installs it).")
    graph = grimp.build_graph("trainwright", cache_dir=None)
    # An import lies on a cycle when the imported module leads back to the importer; joining both ends of every
    # such import gives the groups of modules that reach each other (the strongly connected components).
    group = {module: frozenset([module]) for module in graph.modules}
    loops = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if graph.chain_exists(importer=imported, imported=importer):
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = sorted(detail["line_number"] for detail in details)
                loops.append((importer, imported, lines))
                joined = group[importer] | group[imported]
                group.update(dict.fromkeys(joined, joined))
    cycles = sorted({tuple(sorted(members)) for members in group.values() if len(members) > 1})
    assert not cycles, "Modules that import each other, directly or through others:\n" + "".join(
        f"  {', '.join(cycle)}:\n" + "".join(f"    {a} imports {b} (line {', '.join(map(str, lines))})\n"
                                             for a, b, lines in loops if a in cycle)
        for cycle in cycles) + "Move what they share into a module below them, or pass it in as an argument."


def test_no_module_imports_a_private_name_of_another():
    """A leading underscore says "this module's own business": a name another module needs is made public (or
    the need moves behind a public function), so that a module can change its private parts freely."""
    package = ROOT / "src" / "trainwright"
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.ImportFrom) or not (node.level or _in_package(node.module)):
                continue
            source = _imported_path(path, node, package)
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and not _is_module(source, alias.name):  # a private module of its package is fine
                    found.append(f"  {path.relative_to(ROOT)}:{node.lineno}: "
                                 f"from {'.' * node.level}{node.module or ''} import {alias.name}")
    assert not found, ("Private names imported from another module (make them public, or put what is needed "
                       "behind a public function):\n" + "\n".join(found))


def _in_package(module: str | None) -> bool:
    return (module or "").split(".")[0] == "trainwright"


def _imported_path(path: Path, node: ast.ImportFrom, package: Path) -> Path:
    """The directory or module path (without .py) that `node` imports from."""
    if node.level:
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
    else:
        base = package.parent
    return base.joinpath(*(node.module.split(".") if node.module else []))


def _is_module(source: Path, name: str) -> bool:
    return (source / f"{name}.py").is_file() or (source / name / "__init__.py").is_file()
