"""The TF-IDF linear model fitted as the field fits it: a convex solver on sparse rows, not gradient steps.

Logistic regression over a few hundred thousand hashed n-gram features is a convex problem that scikit-learn's
lbfgs solves on a CSR matrix in seconds, where Adam's dense updates of the (features, outputs) matrix take
minutes. The rows are the model's own tf-idf features (TfidfLinearClassifier.features), the inverse
regularization strength C is chosen on the validation rows from a small grid, and the solution is copied into
the model's weight and bias, so the saved, served and exported model is the same module as a gradient-fitted one.

binary: one logistic regression (1 output, sigmoid); multiclass: multinomial (softmax over K outputs);
multilabel: one logistic regression per label; regression: ridge on the standardized target. Soft targets
(a teacher's probabilities when distilling) are exact too: each row enters once per class, weighted by that
class's probability, which is the cross-entropy against the soft target. Class weights scale the same weights.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import torch
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from threadpoolctl import threadpool_limits

from .. import tasks
from ..log import logger

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # logistic regression's inverse regularization strength
MAX_ITER = 1000  # scikit-learn's default of 100 stops short at the grid's larger C on 5-10k texts
ABSENT = -30.0  # the logit of a class no training row has: a probability of ~1e-13, finite for the loss


def fits(model) -> bool:
    """Whether `model` is fitted here rather than by gradient steps."""
    return hasattr(model, "features")


def fit(model, task: str, train_inputs, train_targets, valid_inputs, valid_targets, class_weights,
        label: str = "") -> list[dict]:
    """Fit `model` in place; returns a one-row history shaped as the gradient path's epochs are."""
    started = time.perf_counter()
    model.fit_statistics(train_inputs)
    x, valid_x = _rows(model, train_inputs), _rows(model, valid_inputs)
    y, valid_y = np.asarray(train_targets), np.asarray(valid_targets)
    weights = None if class_weights is None else class_weights.numpy().astype(float)
    # Only the features some training text has: the others' weights are 0 at the optimum (no gradient but the
    # penalty's), and the solver's vectors shrink from every hash bucket to the features seen.
    seen = np.unique(x.indices)
    # Chosen by validation loss, not accuracy: a smooth figure, where accuracy on a few hundred rows moves in steps
    # of a row (measured: as good or better on SST-2, TREC and waimai). The smaller C wins a tie.
    best = None  # (loss, C, weight, bias)
    solvers = {}  # each logistic regression starts from its solution at the previous C: far fewer iterations
    for c in sorted(C_GRID):
        weight = np.zeros((model.weight.shape[1], x.shape[1]), dtype=np.float32)
        # One BLAS thread: lbfgs's vector operations are too small to share, and threads that wait for each
        # other made the fit 5x slower on a busy 2-core machine (sparse products are single-threaded anyway).
        with threadpool_limits(1):
            weight[:, seen], bias = _solve(task, x[:, seen], y, c, weights, model.weight.shape[1], solvers)
        figures = _figures(task, valid_x, valid_y, weight, bias)
        if best is None or figures["loss"] < best[0]:
            best = (figures["loss"], c, weight, bias)
    _, c, weight, bias = best
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(weight.T))
        model.bias.copy_(torch.from_numpy(bias))
    row = {"epoch": 1, "seconds": round(time.perf_counter() - started, 3), "samples": len(y)}
    for side, (features, truth) in (("train", (x, y)), ("val", (valid_x, valid_y))):
        row.update({f"{side}_{k}": round(v, 5) for k, v in _figures(task, features, truth, weight, bias).items()})
    shown = "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k not in ("epoch", "seconds", "samples"))
    logger.info(f"{label}convex fit, C={c:g} chosen on validation from {', '.join(map(str, C_GRID))}  {shown}  "
                f"({row['seconds']:.1f}s)")
    return [row]


def _rows(model, inputs):
    """The rows the model's forward pass multiplies by its weight: tf-idf of the texts, or the table's columns."""
    return model.features(inputs if getattr(model, "reads_table", False) else inputs.sequences)


def _solve(task: str, x: sparse.csr_matrix, y: np.ndarray, c: float, class_weights, outputs: int, solvers: dict):
    """weight (outputs, features) and bias (outputs,) of the regularized fit at inverse strength `c`."""
    if task == "regression":
        ridge = Ridge(alpha=1 / (2 * c)).fit(x, y.astype(float))  # LR's penalty, 1/2C |w|^2, on squared error
        return ridge.coef_.reshape(1, -1).astype(np.float32), np.atleast_1d(ridge.intercept_).astype(np.float32)
    if task == "multilabel":
        per_label = [_logistic(x, y[:, k].astype(float), c, None if class_weights is None else
                          np.array([1.0, class_weights[k]]), 2, solvers.setdefault(k, _solver()))
                for k in range(y.shape[1])]
        return (np.vstack([w for w, _ in per_label]).astype(np.float32),
                np.concatenate([b for _, b in per_label]).astype(np.float32))
    weight, bias = _logistic(x, y, c, class_weights, 2 if task == "binary" else outputs,
                             solvers.setdefault(0, _solver()))
    return weight.astype(np.float32), bias.astype(np.float32)


def _solver() -> LogisticRegression:
    return LogisticRegression(max_iter=MAX_ITER, warm_start=True)


def _logistic(x, y, c, class_weights, classes: int, solver: LogisticRegression):
    """Logistic regression on hard (n,) class indices or soft (n,) / (n, classes) probabilities. Returns one
    logit row for two classes (the second's), else one per class."""
    distribution = tasks.class_distribution("binary" if classes == 2 else "multiclass", torch.as_tensor(y),
                                            classes).numpy()
    if class_weights is not None:
        distribution = distribution * class_weights
    rows, labels = np.nonzero(distribution)  # each row once per class it has weight for
    present = np.unique(labels)
    if len(present) == 1:  # one class only: the model predicts it for every text
        if classes == 2:
            return np.zeros((1, x.shape[1])), np.array([-ABSENT if present[0] == 1 else ABSENT])
        return np.zeros((classes, x.shape[1])), np.where(np.arange(classes) == present[0], 0.0, ABSENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the grid's largest C may stop a little short
        model = solver.set_params(C=c).fit(x[rows], labels, sample_weight=distribution[rows, labels])
    if classes == 2:
        return model.coef_, model.intercept_
    # Classes absent from the training rows get no weights and a logit far below the others.
    weight, bias = np.zeros((classes, x.shape[1])), np.full(classes, ABSENT)
    if len(present) == 2:  # scikit-learn fits one logit, the second class's: softmax([0, z]) is sigmoid(z)
        weight[present[1]], bias[present[0]], bias[present[1]] = model.coef_[0], 0.0, model.intercept_[0]
    else:
        weight[present], bias[present] = model.coef_, model.intercept_
    return weight, bias


def _figures(task: str, x, y, weight: np.ndarray, bias: np.ndarray) -> dict:
    """Loss (and accuracy) of the linear model on rows `x`, as the gradient path logs them."""
    logits = torch.from_numpy(np.asarray(x @ weight.T.astype(np.float64)) + bias).float()
    target = torch.as_tensor(y)
    figures = {"loss": float(tasks.loss(task, logits, target))}
    if task != "regression":
        figures["accuracy"] = float(tasks.accuracy(task, logits, target))
    return figures
