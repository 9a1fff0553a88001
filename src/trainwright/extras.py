"""Optional dependencies: each comes with an extra of the package, and a missing one is a message that names it."""

from __future__ import annotations

import importlib

from .errors import ConfigError

# module -> the extra that installs it (pyproject.toml's [project.optional-dependencies])
EXTRAS = {"optuna": "tune", "sqlalchemy": "tune", "filelock": "tune", "mlflow": "mlflow", "onnx": "onnx",
          "onnxruntime": "onnx", "onnxscript": "onnx", "onnxmltools": "onnx", "transformers": "pretrained",
          "PIL": "images", "imagehash": "images"}


def require(module: str, purpose: str):
    """Import `module`, or raise ConfigError saying that `purpose` needs it and which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS[module.split(".")[0]]
        raise ConfigError(f"{purpose} needs {module}, which is not installed: "
                          f'pip install "trainwright[{extra}]".') from None
