"""Columns that alone give the target away (see data/leakage.py): probable leakage, which training leaves out."""

from __future__ import annotations

from ...data.leakage import find_leaks
from ..dataset import Dataset
from ..report import Finding


def check_target_leak(data: Dataset) -> list[Finding]:
    if data.target is None:
        return []
    columns = data.columns_of("numeric", "categorical", "binary")
    return [Finding("target_leak", "warning",
                    f"Probable leakage: {leak.describe(data.target)}. A model would learn the answer from it, "
                    "and validation scores would overstate how it does on new data.",
                    f"training leaves it out; check how the column is made, and keep it with --feature "
                    f"{leak.column} only if it is known before the target is", columns=[leak.column],
                    details=leak.to_dict())
            for leak in find_leaks(data.frame, data.target, columns)]
