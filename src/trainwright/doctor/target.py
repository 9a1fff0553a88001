"""Which column is the target when the user does not say, by the same rules as `trainwright train`.

A column named like a label (label, target, class, outcome, ...) is the target; else the only column with few
distinct values. Several columns named like a label is blocking: training cannot choose. No candidate at all is
only worth knowing: the table may be unlabeled (a file to predict on), and the label checks are skipped.
"""

from __future__ import annotations

from ..data.schema import require_column, target_candidates
from .dataset import Dataset
from .report import Finding


def resolve_target(data: Dataset, target: str | None) -> list[Finding]:
    """Set `data.target` (and its reason) from `target` or by inference; the findings when it cannot be."""
    if target:
        require_column(data.frame, target, data.source)
        data.target, data.target_reason = target, "passed with --target"
        return []
    unlikely = {c for c in data.frame.columns if data.kind(c) in ("text", "identifier")}
    named, few = target_candidates(data.frame, unlikely)
    if len(named) == 1:
        data.target, data.target_reason = named[0], "named like a label"
        return []
    if len(named) > 1:
        return [Finding("target", "blocking", columns=named, fix="pass --target COLUMN",
                        message=f"Cannot tell which column is the target: {len(named)} are named like one "
                                f"({', '.join(named)}). Training stops here too.")]
    if len(few) == 1:
        data.target = few[0]
        data.target_reason = f"the only column with few distinct values ({data.frame[few[0]].nunique()})"
        return []
    also = f" Columns with few distinct values: {', '.join(few)}." if few else ""
    return [Finding("target", "info", columns=few, fix="pass --target COLUMN",
                    message=f"No target inferred: no column is named like a label (label, target, class, outcome, "
                            f"...).{also} The label checks (class balance, conflicts, missing labels) were skipped.")]
