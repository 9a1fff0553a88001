"""What /metadata tells about the served model: task, labels, inputs, saved metrics and versions."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import torch

from ..version import __version__
from .service import ModelService
from .settings import ServeSettings


def model_metadata(service: ModelService, settings: ServeSettings) -> dict:
    saved = _saved_files(settings.model_dir)
    return {
        "name": service.name,
        "task": service.task,
        "target": service.predictor.target_column,
        "labels": service.classes,
        "inputs": service.schema.describe(),
        "architecture": saved["model"].get("name"),
        "created": saved["metadata"].get("created"),
        "metrics": saved["metrics"],
        "trained_with": saved["metadata"].get("versions", {}),
        "versions": {"trainwright": __version__, "torch": torch.__version__, "python": platform.python_version()},
        "backend": settings.backend,
        "batching": {"max_batch_size": settings.max_batch_size, "max_wait_ms": settings.max_wait_ms},
        "limits": {"max_inputs": settings.max_inputs, "max_body_bytes": settings.max_body_bytes},
    }


def _saved_files(directory: Path | None) -> dict:
    """metrics.json, metadata.json and model.json from the model directory; empty where unreadable."""
    found = {}
    for name in ("metrics", "metadata", "model"):
        path = Path(directory) / f"{name}.json" if directory is not None else None
        try:
            found[name] = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
        except (OSError, ValueError):
            found[name] = {}
    return found
