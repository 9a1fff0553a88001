"""`trainwright doctor`: a data-quality report on a labeled table, with the setting that fixes each problem.

    report = diagnose("train.csv", test="test.csv")
    report.blocking        # findings that stop training as the data is
    report.to_json()       # the same object `trainwright doctor --json` prints
"""

from .diagnosis import diagnose
from .report import ColumnProfile, DoctorReport, Finding

__all__ = ["ColumnProfile", "DoctorReport", "Finding", "diagnose"]
