"""Imputation from the other numeric columns: k nearest neighbours, and iterative regression.

Both are scikit-learn's imputers; what they learn is kept as plain numbers so that a saved model holds no
pickle and replays them exactly:

- KNNImputer learns nothing but the training matrix (`_fit_X`); it is saved and the imputer re-fitted on it
  at load, which restores the same state.
- IterativeImputer learns a sequence of BayesianRidge regressions, one column from the others per step. Each
  is saved as its coefficients and replayed as `X @ coef + intercept`, the arithmetic of
  `BayesianRidge.predict`, clipped to the column's training range as the imputer does.

Input and output are float matrices of shape (rows, columns), NaN where missing.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (makes IterativeImputer importable)
from sklearn.impute import IterativeImputer, KNNImputer

from ..stage import check_is_fitted
from ._values import from_number

KNN_MAX_ROWS = 10_000  # neighbours are searched among at most this many training rows (a sample, seed 0)
SEED = 0


class KNNFill:
    """Fill each gap with the mean of the k training rows nearest on the columns both rows have.

    Columns are standardized first, so that a column in thousands (insulin) does not decide every distance.
    """

    def __init__(self, n_neighbors: int = 5):
        self.n_neighbors = n_neighbors

    def fit(self, matrix: np.ndarray) -> "KNNFill":
        self.mean_ = np.nanmean(matrix, axis=0)
        std = np.nanstd(matrix, axis=0)
        self.std_ = np.where(std > 0, std, 1.0)
        reference = (matrix - self.mean_) / self.std_
        if len(reference) > KNN_MAX_ROWS:
            rows = np.random.default_rng(SEED).choice(len(reference), KNN_MAX_ROWS, replace=False)
            reference = reference[np.sort(rows)]
        self._fit_imputer(reference)
        return self

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "imputer_")
        # A row with no column in common with any training row gets the training mean (KNNImputer's rule).
        scaled = np.ascontiguousarray((matrix - self.mean_) / self.std_)
        filled = self.imputer_.transform(scaled) * self.std_ + self.mean_
        return np.where(np.isnan(matrix), filled, matrix)

    def to_dict(self) -> dict:
        check_is_fitted(self, "imputer_")
        return {"n_neighbors": self.n_neighbors, "mean": _floats(self.mean_), "std": _floats(self.std_),
                "reference": [_floats(row) for row in self.imputer_._fit_X]}

    @classmethod
    def from_dict(cls, state: dict) -> "KNNFill":
        stage = cls(state["n_neighbors"])
        stage.mean_, stage.std_ = _array(state["mean"]), _array(state["std"])
        stage._fit_imputer(np.array([_array(row) for row in state["reference"]]).reshape(-1, len(stage.mean_)))
        return stage

    def _fit_imputer(self, reference: np.ndarray) -> None:
        # keep_empty_features: a column without values in the reference rows must not vanish from the output.
        # C order: distances are dot products whose last bits depend on memory layout, and a tie between two
        # neighbours would then break differently after loading.
        neighbors = min(self.n_neighbors, len(reference))
        imputer = KNNImputer(n_neighbors=neighbors, keep_empty_features=True)
        self.imputer_ = imputer.fit(np.ascontiguousarray(reference))


class IterativeFill:
    """Fill each gap by regressing its column on the others, round after round (MICE-style, no sampling)."""

    def fit(self, matrix: np.ndarray) -> "IterativeFill":
        low, high = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
        # Imputed values stay within the training range; a constant column cannot have a range, so none.
        self.low_, self.high_ = np.where(low < high, low, -np.inf), np.where(low < high, high, np.inf)
        if matrix.shape[1] < 2:  # nothing to regress on: the initial (mean) imputation is all there is
            self.initial_, self.steps_ = np.nanmean(matrix, axis=0), []
            return self
        imputer = IterativeImputer(random_state=SEED, min_value=self.low_, max_value=self.high_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # "early stopping criterion not reached"
            imputer.fit(matrix)
        self.initial_ = imputer.initial_imputer_.statistics_
        self.steps_ = [(int(step.feat_idx), step.neighbor_feat_idx.tolist(), _floats(step.estimator.coef_),
                        float(step.estimator.intercept_)) for step in imputer.imputation_sequence_]
        return self

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        """IterativeImputer.transform, step for step."""
        check_is_fitted(self, "steps_")
        missing = np.isnan(matrix)
        filled = np.where(missing, self.initial_, matrix)
        if missing.all():  # scikit-learn returns the initial imputation then
            return filled
        for feature, predictors, coef, intercept in self.steps_:
            rows = missing[:, feature]
            if rows.any():
                predicted = filled[np.ix_(rows, predictors)] @ np.asarray(coef) + intercept
                filled[rows, feature] = np.clip(predicted, self.low_[feature], self.high_[feature])
        return filled

    def to_dict(self) -> dict:
        check_is_fitted(self, "steps_")
        return {"initial": _floats(self.initial_), "low": _floats(self.low_), "high": _floats(self.high_),
                "steps": [{"column": f, "predictors": p, "coef": c, "intercept": i} for f, p, c, i in self.steps_]}

    @classmethod
    def from_dict(cls, state: dict) -> "IterativeFill":
        stage = cls()
        stage.initial_ = _array(state["initial"])
        stage.low_ = np.nan_to_num(_array(state["low"]), nan=-np.inf)
        stage.high_ = np.nan_to_num(_array(state["high"]), nan=np.inf)
        stage.steps_ = [(s["column"], s["predictors"], s["coef"], s["intercept"]) for s in state["steps"]]
        return stage


def _floats(values) -> list:
    """Plain floats; None for NaN and for the infinite bounds of an unbounded column (JSON has neither)."""
    return [float(v) if np.isfinite(v) else None for v in values]


def _array(values: list) -> np.ndarray:
    return np.array([from_number(v) for v in values], dtype="float64")
