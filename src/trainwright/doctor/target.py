"""Which column is the target when the user does not say, by the same rules as `trainwright train`.

A column named like a label (label, target, class, outcome, ...; whole words) is the target; else the last column
with few distinct values. Several columns named like a label is blocking: training cannot choose. No candidate at all is
only worth knowing: the table may be unlabeled (a file to predict on), and the label checks are skipped.
"""

from __future__ import annotations

from ..data.schema import last_few_reason, require_column, target_candidates
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
    if few:
        data.target, data.target_reason = few[-1], last_few_reason(data.frame, few)
        return []
    return [Finding("target", "info", fix="pass --target COLUMN",
                    message="No target inferred: no column is named like a label (label, target, class, outcome, "
                            "...) and none has few distinct values. The label checks (class balance, conflicts, "
                            "missing labels) were skipped.")]
