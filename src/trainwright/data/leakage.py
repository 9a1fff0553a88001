"""Columns that give the answer away: one column that alone predicts the target (nearly) perfectly, or far better
than any other column can, is probably made from the label (a row index of a file sorted by class, a field filled
in after the outcome was known).

Each table column gets its own one-column model, a decision tree cross-validated on a sample of the rows: cheap
(milliseconds a column) and blind to how the column is scaled or coded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier

from .missing import MISSING_TOKENS

LEAK_AUC = 0.95  # a column alone reaching this validation AUC ...
MARGIN = 0.10  # ... this far above the best other column is a probable leak
NEAR_PERFECT = 0.99  # balanced accuracy of one column alone that is a probable leak whatever the others reach
SAMPLE_ROWS = 5_000
MAX_CLASSES = 50  # more distinct targets than this: a regression, not checked
FOLDS = 3


@dataclass
class Leak:
    column: str
    auc: float  # cross-validated, of the one-column model
    balanced_accuracy: float
    best_other: float  # the best AUC of any other column alone (0.5: no other column)

    def describe(self, target: str) -> str:
        return (f"column '{self.column}' alone predicts '{target}' with validation AUC {self.auc:.2f} (balanced "
                f"accuracy {self.balanced_accuracy:.2f}); the best other column alone reaches {self.best_other:.2f}")

    def to_dict(self) -> dict:
        return {"column": self.column, "auc": round(self.auc, 4), "balanced_accuracy": round(self.balanced_accuracy, 4),
                "best_other": round(self.best_other, 4)}


def find_leaks(frame: pd.DataFrame, target: str, columns: list[str], seed: int = 0) -> list[Leak]:
    """The columns among `columns` that alone give `target` away (see the module's rules); [] for a regression
    target or too few labeled rows to tell."""
    labels = frame[target]
    labeled = labels.notna() & ~labels.astype(str).str.strip().str.lower().isin(MISSING_TOKENS)
    frame = frame[labeled]
    if len(frame) > SAMPLE_ROWS:
        frame = frame.sample(SAMPLE_ROWS, random_state=seed)
    y = frame[target].astype(str).to_numpy()
    classes, counts = np.unique(y, return_counts=True)
    common = np.isin(y, classes[counts >= FOLDS])  # every class in every fold
    y, frame = y[common], frame[common]
    if not columns or not 2 <= len(set(y)) <= MAX_CLASSES or len(y) < 10 * FOLDS:
        return []
    scores = {c: _score(_as_numbers(frame[c]), y, seed) for c in columns}
    leaks = []
    for column, (auc, balanced) in scores.items():
        best_other = max((s[0] for c, s in scores.items() if c != column), default=0.5)
        if balanced >= NEAR_PERFECT or (auc >= LEAK_AUC and auc - best_other >= MARGIN):
            leaks.append(Leak(column, auc, balanced, best_other))
    return leaks


def _as_numbers(values: pd.Series) -> np.ndarray:
    """Numbers as they are, anything else as codes; missing cells as a value of their own, below the others."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() < 0.9 * values.notna().sum():
        numbers = pd.Series(pd.factorize(values.astype(str))[0], index=values.index, dtype="float64")
    low = numbers.min() if numbers.notna().any() else 0.0
    return numbers.fillna(low - 1).to_numpy(dtype="float64").reshape(-1, 1)


def _score(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    """Cross-validated AUC (one-vs-rest for several classes) and balanced accuracy of a tree on `x` alone."""
    tree = DecisionTreeClassifier(min_samples_leaf=max(5, len(y) // 100), random_state=seed)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    proba = cross_val_predict(tree, x, y, cv=folds, method="predict_proba")
    classes = np.unique(y)
    auc = roc_auc_score(y, proba[:, 1]) if len(classes) == 2 else roc_auc_score(y, proba, multi_class="ovr",
                                                                                labels=classes)
    return float(auc), float(balanced_accuracy_score(y, classes[proba.argmax(axis=1)]))
