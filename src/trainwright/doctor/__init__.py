"""`trainwright doctor`: a data-quality report on a labeled table, with the setting that fixes each problem.

    report = diagnose("train.csv", test="test.csv")
    report.blocking        # findings that stop training as the data is
    report.to_json()       # the same object `trainwright doctor --json` prints
"""

from ..lazy import lazy_exports

__all__ = ["ColumnProfile", "DoctorReport", "Finding", "diagnose"]
_HOMES = {"diagnose": ".diagnosis", "ColumnProfile": ".report", "DoctorReport": ".report", "Finding": ".report"}

# Loaded on first use: the CLI imports the doctor command, and `--help` must not wait for pandas.
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
