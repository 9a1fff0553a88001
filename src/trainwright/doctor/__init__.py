"""`trainwright doctor`: a data-quality report on a labeled table, with the setting that fixes each problem.

    report = diagnose("train.csv", test="test.csv")
    report.blocking        # findings that stop training as the data is
    report.to_json()       # the same object `trainwright doctor --json` prints
"""

import importlib

__all__ = ["ColumnProfile", "DoctorReport", "Finding", "diagnose"]
_HOMES = {"diagnose": ".diagnosis", "ColumnProfile": ".report", "DoctorReport": ".report", "Finding": ".report"}


def __getattr__(name: str):
    # Loaded on first use: the CLI imports the doctor command, and `--help` must not wait for pandas.
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
