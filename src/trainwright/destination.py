"""May trainwright write here? The one check every writer of an output folder runs before any work.

A folder is written only when it is absent (and can be created), empty, or carries trainwright's marker,
`.trainwright.json`: the format of what is there ("trainwright-model", "trainwright-forecast", "trainwright-cv",
"trainwright-tune") and the files and folders trainwright owns in it. A re-run replaces exactly those; the user's
other files stay. Any other folder is refused, before training starts, naming what is in it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ArtifactError

MARKER = ".trainwright.json"
# What each kind of output folder holds (see artifact.py for a model's files).
OWNS = {
    "model": ("config.json", "model.json", "weights.safetensors", "hf", "onnx", "tokenizer.json",
              "preprocessing.json", "target.json", "metrics.json", "history.json", "logs", "validation.json",
              "metadata.json", "checkpoint", "report"),
    "cv": ("cv.json", "cv.csv"),
    "forecast": ("config.json", "forecast.json", "metrics.json", "forecasts.csv", "model.json", "weights.safetensors",
                 "report"),
    "tune": ("study.db", "study.db-journal", "study.db-wal", "study.db-shm", "trials.json", "trials.csv", "trials",
             "best", ".best.lock"),
}


def check_folder(path: str | Path, kind: str) -> Path:
    """Check, creating nothing, that trainwright may write its `kind` of output in `path`. Raises ArtifactError
    (naming the folder and what to do) when it is a file, holds files trainwright did not write, or cannot be
    written: a read-only file system, an immutable folder, no permission."""
    path = Path(path)
    owned_entries(path, kind)
    existing = next(p for p in (path, *path.absolute().parents) if p.exists())
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-check.", dir=existing)
        os.close(handle)
        os.unlink(probe)
    except OSError as e:
        raise not_writable(path, e) from None
    return path


def claim_folder(path: str | Path, kind: str) -> Path:
    """check_folder, then create the folder and mark it as trainwright's (when work is about to be written)."""
    path = check_folder(path, kind)
    try:
        path.mkdir(parents=True, exist_ok=True)
        mark(path, kind)
    except OSError as e:
        raise not_writable(path, e) from None
    return path


def owned_entries(path: Path, kind: str) -> set[str]:
    """The names in the folder `path` that trainwright may replace: none when it is absent or empty, those its
    marker lists when it is trainwright's `kind` of output. Anything else raises ArtifactError."""
    if not path.exists():
        return set()
    if not path.is_dir():
        raise ArtifactError(f"{path} is a file, not a folder: give --out a folder path (it is created when "
                            "absent), or move that file away.")
    names = {entry.name for entry in path.iterdir()}
    if not names:
        return set()
    marker = _read_marker(path)
    if marker is None and kind == "model" and _older_model(path):
        marker = {"format": "trainwright-model", "owns": list(OWNS["model"])}
    if marker is None or marker.get("format") != f"trainwright-{kind}":
        others = sorted(names - {MARKER})
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise ArtifactError(f"{path} is not a trainwright {kind} folder: it holds {shown}, which trainwright did "
                            "not write there. trainwright replaces only folders it wrote itself: choose another "
                            "--out, or move those files away.")
    return (set(marker.get("owns", ())) | {MARKER}) & names


def mark(path: Path, kind: str, extra: tuple[str, ...] = ()) -> None:
    """Write `path`'s marker: trainwright's `kind` of output, owning its usual entries and `extra` ones."""
    content = {"format": f"trainwright-{kind}", "owns": sorted(set(OWNS[kind]) | set(extra))}
    handle, temporary = tempfile.mkstemp(prefix=f"{MARKER}.", dir=path)  # whole or not at all
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        f.write(json.dumps(content, indent=2) + "\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path / MARKER)


def not_writable(path: Path, error: OSError) -> ArtifactError:
    reason = error.strerror or str(error)
    return ArtifactError(f"Cannot write to {path}: {reason}. Choose an output location you can write to "
                         "(a read-only file system or a folder without write permission cannot hold it).")


def _read_marker(path: Path) -> dict | None:
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("format"), str) else None


def _older_model(path: Path) -> bool:
    """A model, or an interrupted run's checkpoint, saved before markers existed. A model's metadata.json names
    trainwright's format and version beside its config.json and model.json; a run's folder holds only checkpoint/
    with exactly what a checkpoint holds. A stray metadata.json, or notes in checkpoint/, are not enough."""
    checkpoint = path / "checkpoint"
    if [p.name for p in path.iterdir()] == ["checkpoint"] and checkpoint.is_dir():
        names = {p.name for p in checkpoint.iterdir()}
        return {"last.ckpt", "config.json"} <= names <= {"last.ckpt", "config.json", "logs"}
    try:
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(metadata, dict) and "format_version" in metadata
            and "trainwright" in (metadata.get("versions") or {})
            and (path / "config.json").is_file() and (path / "model.json").is_file())


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file, and a crash
    leaves the previous one whole."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; this is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def replace_folder(staging: Path, directory: Path, owned: set[str]) -> None:
    """Move a finished output from `staging` into `directory`. The old output's files (`owned`, and any of the
    new names) are set aside first and removed only once the new ones are in place; other files stay."""
    if not directory.exists():
        staging.rename(directory)
        return
    new = [entry.name for entry in staging.iterdir()]
    old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    for name in owned | set(new):
        if (directory / name).exists() or (directory / name).is_symlink():
            (directory / name).rename(old / name)
    for name in new:
        (staging / name).rename(directory / name)
    staging.rmdir()
    shutil.rmtree(old, ignore_errors=True)
