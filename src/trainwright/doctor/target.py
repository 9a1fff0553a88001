"""Which column is the target when the user does not say, by the same rules as `trainwright train`.

A column named like a label (label, target, class, outcome, ...) is the target; else the only column with few
distinct values. Several columns named like a label is blocking: training cannot choose. No candidate at all is
only worth knowing: the table may be unlabeled (a file to predict on), and the label checks are skipped.
"""

from __future__ import annotations

from ..data.schema import _MAX_CLASSES, _TARGET_NAME, _TARGET_PART, require_column
from .dataset import Dataset
from .report import Finding


def resolve_target(data: Dataset, target: str | None) -> list[Finding]:
    """Set `data.target` (and its reason) from `target` or by inference; the findings when it cannot be."""
    if target:
        require_column(data.frame, target, data.source)
        data.target, data.target_reason = target, "passed with --target"
        return []
    candidates = [c for c in data.frame.columns if data.kind(c) not in ("text", "identifier")]
    named = [c for c in candidates if _TARGET_NAME.match(c)] or [c for c in candidates if _TARGET_PART.search(c)]
    if len(named) == 1:
        data.target, data.target_reason = named[0], "named like a label"
        return []
    if len(named) > 1:
        return [Finding("target", "blocking", columns=named, fix="pass --target COLUMN",
                        message=f"Cannot tell which column is the target: {len(named)} are named like one "
                                f"({', '.join(named)}). Training stops here too.")]
    few = [c for c in candidates if 2 <= data.frame[c].nunique() <= _MAX_CLASSES]
    if len(few) == 1:
        data.target = few[0]
        data.target_reason = f"the only column with few distinct values ({data.frame[few[0]].nunique()})"
        return []
    also = f" Columns with few distinct values: {', '.join(few)}." if few else ""
    return [Finding("target", "info", columns=few, fix="pass --target COLUMN",
                    message=f"No target inferred: no column is named like a label (label, target, class, outcome, "
                            f"...).{also} The label checks (class balance, conflicts, missing labels) were skipped.")]
