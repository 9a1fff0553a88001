"""Duplicate and contradictory training rows. Training only: a prediction row is never dropped.

Like imbalanced-learn's samplers, the stage has `fit_resample` (rows in, fewer rows out) and no `transform`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.target import canonical


class RowCleaner:
    """Drop exact duplicates (inputs and label) and settle inputs that appear with different labels.

    duplicates: "drop" | "keep". conflicts: "majority" keeps the rows with the most common label of such an
    input and drops all of them on a tie; "drop" drops every row of such an input; "keep" leaves them.
    """

    def __init__(self, columns: list[str], target: str | None = None, duplicates: str = "drop",
                 conflicts: str = "majority"):
        self.columns = list(columns)
        self.target = target
        self.duplicates = duplicates
        self.conflicts = conflicts

    def fit_resample(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows kept, in their order and with their index. Counts in `duplicates_` and `conflicts_`."""
        keep = np.ones(len(frame), dtype=bool)
        subset = self.columns + ([self.target] if self.target else [])
        if self.duplicates == "drop" and subset:
            keep &= ~frame.duplicated(subset=subset, keep="first").to_numpy()
        self.duplicates_ = int((~keep).sum())
        self.conflicts_ = {"inputs": 0, "majority": 0, "ties": 0, "rows_dropped": 0}
        if self.target and self.columns and self.conflicts != "keep":
            # Votes are counted before duplicates go: an input seen 3 times as "a" and once as "b" is "a".
            dropped = self._conflicting_rows(frame)
            self.conflicts_["rows_dropped"] = int((dropped & keep).sum())
            keep &= ~dropped
        return frame[keep]

    def _conflicting_rows(self, frame: pd.DataFrame) -> np.ndarray:
        """A mask of the rows to drop because their input also appears with another label."""
        labeled = frame[self.target].notna().to_numpy()
        # One hash per row's inputs: rows with equal inputs (NaN included) share it. 1, 1.0 and "1" are one label.
        inputs = pd.util.hash_pandas_object(frame[self.columns], index=False).to_numpy()
        labels = np.array([str(canonical(v)) if ok else "" for v, ok in zip(frame[self.target], labeled)], dtype=object)
        votes = pd.DataFrame({"input": inputs[labeled], "label": labels[labeled]}).groupby(["input", "label"]).size()
        by_input = votes.groupby(level="input")
        conflicting = by_input.size().index[by_input.size().to_numpy() > 1]
        top = votes[votes == by_input.transform("max")]  # the most voted label(s) of each input
        single = top.groupby(level="input").size() == 1
        winner = {key: label for key, label in top.index if single[key] and key in conflicting}
        self.conflicts_["inputs"] = len(conflicting)
        if self.conflicts == "majority":
            self.conflicts_["majority"] = len(winner)
            self.conflicts_["ties"] = len(conflicting) - len(winner)
        in_conflict = labeled & np.isin(inputs, conflicting)
        if self.conflicts == "drop":
            return in_conflict
        # A tie has no winner (None): all its rows go.
        return in_conflict & np.array([winner.get(key) != label for key, label in zip(inputs, labels)])
