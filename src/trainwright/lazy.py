"""Names a module exports but imports on first use (PEP 562), so that the CLI starts without loading torch,
Lightning, pandas or scikit-learn, and a model that needs no Lightning trains without it."""

from __future__ import annotations

import importlib
import sys


def lazy_exports(module_name: str, homes: dict[str, str]):
    """`__getattr__` and `__dir__` for the module `module_name`: each name in `homes` is imported from its module
    (relative to the module's package, e.g. ".train.tune") when first used, and kept."""
    module = sys.modules[module_name]

    def __getattr__(name: str):
        if name in homes:
            value = getattr(importlib.import_module(homes[name], module.__package__), name)
            setattr(module, name, value)
            return value
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    def __dir__():
        return sorted({*vars(module), *homes})

    return __getattr__, __dir__
