"""The protocol every fitted stage follows: the cleaning stages, the feature and target encoders, the tokenizers
and the `Preprocessing` that chains them. It is scikit-learn's estimator convention, plus JSON state:

    stage = Stage(**settings)       the constructor only stores its (keyword) arguments
    stage.fit(training data)        learns from the training data and returns the stage itself
    stage.transform(data)           replays what was learned, on any rows
    stage.some_state_               learned state ends with "_"; it exists only after fit
    stage.to_dict()                 the learned state (and settings) as JSON-able values
    Stage.from_dict(state)          the same fitted stage again: identical output, bit for bit

Stages that may drop training rows also have `fit_resample` (imbalanced-learn's name): fit, then return the
rows kept (`Preprocessing.fit_resample` returns their target with them; `Cleaner` keeps what it did in `summary_`).
`RowCleaner` is such a sampler and nothing else: it works on training rows only, so it has no transform and no
state to save.

Using a stage before `fit` raises `NotFittedError` naming the stage and the call to make (`check_is_fitted`).

A stage whose state is a file another library reads (a tokenizer's tokenizer.json, which `tokenizers` loads
as it is) puts its files in `to_dict()["files"]`, {file name: text}; `save(directory)` writes exactly those
files and `load(directory, ...)` reads them back into the same state, so a model directory holds the standard
file and the stage still has one serialization. `Preprocessing` writes preprocessing.json from its `to_dict`,
its tokenizer's files beside it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .errors import NotFittedError

__all__ = ["Stage", "check_is_fitted"]


@runtime_checkable
class Stage(Protocol):
    """What every fitted stage has; the arguments of `fit` and `transform` depend on the stage's data."""

    def fit(self, *args, **kwargs) -> Stage: ...

    def transform(self, *args, **kwargs): ...

    def to_dict(self) -> dict: ...

    @classmethod
    def from_dict(cls, state: dict, *args, **kwargs) -> Stage: ...


def check_is_fitted(stage, attribute: str | None = None) -> None:
    """Raise NotFittedError naming the stage and the call to make when `attribute` is not set yet; without an
    attribute, when the stage has no learned state at all (no attribute ending with "_", as scikit-learn's)."""
    if attribute is None:
        fitted = any(name.endswith("_") and not name.startswith("__") for name in vars(stage))
    else:
        fitted = getattr(stage, attribute, None) is not None
    if not fitted:
        name = type(stage).__name__
        raise NotFittedError(f"This {name} is not fitted yet: call {name}.fit(...) before using it.")
