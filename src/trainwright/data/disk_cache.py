"""The on-disk cache of work done on large files (cleaned texts, token ids), shared by runs on the same data.

An entry is a directory named by a hash of everything it depends on (the file's SHA-256, the settings), so a
changed file or setting simply misses. Entries are built in a temporary directory and renamed into place: a
crash leaves no half-written entry, and two processes building the same one keep one of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ConfigError


def cache_root(configured: str | None = None) -> Path:
    """data.cache_dir, else $TRAINWRIGHT_CACHE, else ~/.cache/trainwright (or under $XDG_CACHE_HOME)."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get("TRAINWRIGHT_CACHE"):
        return Path(os.environ["TRAINWRIGHT_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trainwright"


def cache_key(*parts) -> str:
    """A short hash of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@contextmanager
def building(entry: Path) -> Iterator[Path]:
    """A temporary directory that becomes `entry` when the block ends without an error. A cache that cannot be
    written (not a folder, no space left) is a ConfigError that says where it is and how to move it."""
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        yield temporary
    except BaseException as e:
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(e, OSError) and (e.filename is None or str(e.filename).startswith(str(entry.parent))):
            raise ConfigError(f"Cannot write the cache in {entry.parent}: {e.strerror or e}. Free space there, or "
                              "put the cache elsewhere with --cache-dir DIR (data.cache_dir, or "
                              "$TRAINWRIGHT_CACHE).") from None
        raise
    try:
        os.rename(temporary, entry)
    except OSError:  # another process built the same entry first: keep theirs
        shutil.rmtree(temporary, ignore_errors=True)
