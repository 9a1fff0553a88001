"""The cleaning pipeline: each column routed to the stages for its kind, fitted on the training table and
replayed on any table with the same columns.

    standardize missing  placeholders (`?`, `NA`, ...) everywhere, fitted sentinels (glucose 0) per numeric column
    row cleaning         duplicate rows, inputs with conflicting labels          (training only)
    outliers             fitted fences per numeric column: clip / drop (training only) / as_missing
    imputation           numeric and categorical gaps filled, `<col>__missing` indicators
    text normalization   HTML, Unicode, URLs, e-mails, numbers, whitespace in the text columns

Replaying (`transform`) never drops a row. Columns that are neither inputs nor the target pass through as they
are; numeric columns come out as float64, categorical ones as category strings ("2" for 2, 2.0 or "2"), text
ones as strings ("" for a missing text).
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..data.missing import standardize_missing
from ..data.target import TargetEncoder
from ..errors import ArtifactError, DataError
from ..stage import check_is_fitted
from . import summary
from ._values import as_categories, as_numbers, categories_of, numbers_of
from ..config import CleaningConfig
from .disguised import MissingMarker
from .missing import INDICATOR_SUFFIX, MissingValueImputer
from .outliers import OutlierHandler
from .rows import RowCleaner
from .text import TextNormalizer

FORMAT = 1  # of `to_dict`'s layout


class Cleaner:
    """Fit on the training table with `fit` (or `fit_resample`, which also returns the cleaned training rows),
    replay on validation and prediction tables with `transform`. `summary_` says what fitting did.

    numeric, categorical (binary included), text: the input columns by kind; target: the label column, if the
    table has one; task: as in `DataConfig.task` (conflicting labels are resolved for classification only).
    """

    def __init__(self, config: CleaningConfig | None = None, numeric: list[str] = (), categorical: list[str] = (),
                 text: list[str] = (), target: str | None = None, task: str = "auto"):
        self.config = config or CleaningConfig()
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.text = list(text)
        self.target = target
        self.task = task

    def fit_resample(self, frame: pd.DataFrame, source: str = "data") -> pd.DataFrame:
        """Fit, and return the cleaned training rows (original index, so dropped rows can be traced); what was
        done is in `summary_`."""
        self._check(frame, source, training=True)
        cfg = self.config
        self.marker_ = MissingMarker(self.numeric, cfg.sentinels).fit(frame[self._routed(frame)], self._labels(frame))
        work, non_numbers = self._standardize(frame)
        conflicts = "keep" if self._regression(work) else cfg.conflicts
        rows = RowCleaner(self.numeric + self.categorical + self.text, self.target, cfg.duplicates, conflicts)
        work = rows.fit_resample(work)
        self.outliers_ = OutlierHandler(cfg, self.numeric)
        work = self.outliers_.fit_resample(work)
        if work.empty:
            raise DataError(f"{source}: no rows left after dropping duplicates, conflicting labels and outliers. "
                            "Relax clean.duplicates, clean.conflicts or clean.outliers.")
        gaps = {c: int(n) for c, n in work[self.numeric + self.categorical].isna().sum().items()}
        self.imputer_ = MissingValueImputer(cfg, self.numeric, self.categorical)
        work = self.imputer_.fit_resample(work)
        self.text_normalizer_ = TextNormalizer(cfg.text).fit()
        cleaned = self._normalize_text(work)
        self.summary_ = [*summary.placeholder_lines(self.marker_, non_numbers), *summary.kept_lines(self.marker_),
                         *summary.row_lines(rows),
                         *summary.outlier_lines(self.outliers_),
                         *summary.missing_lines(self.marker_, self.imputer_, gaps),
                         *summary.text_lines(self._changed_texts(work, cleaned), self.text_steps())]
        return cleaned

    def fit(self, frame: pd.DataFrame, source: str = "data") -> "Cleaner":
        self.fit_resample(frame, source)
        return self

    def transform(self, frame: pd.DataFrame, source: str = "data") -> pd.DataFrame:
        """Replay the fitted cleaning on any rows: every row kept, in order, with its index."""
        check_is_fitted(self, "imputer_")
        self._check(frame, source, training=False)
        work, _ = self._standardize(frame)
        work = self.outliers_.transform(work)
        work = self.imputer_.transform(work)
        return self._normalize_text(work)

    def transform_texts(self, texts: dict[str, list[str | None]]) -> dict[str, list[str]]:
        """`transform` for a cleaner of text columns only, on plain lists: {text column: values (str or None)} ->
        {text column: cleaned strings}, the strings `transform` gives, without building a table (prediction of a
        few texts would spend most of its time on one). Outliers and imputation touch no text column."""
        check_is_fitted(self, "imputer_")
        if self.numeric or self.categorical:
            raise TypeError("transform_texts cleans text columns only; this cleaner has table columns: use transform.")
        return self._clean_texts(texts)

    def transform_columns(self, columns: dict[str, list]) -> dict[str, np.ndarray | list] | None:
        """`transform` on plain lists, {input column: values (None where missing)}, for the few rows of a request,
        where a table costs far more than the cleaning. Returns numeric columns and indicators as float64 arrays,
        categorical ones as lists of category keys, text ones as lists of strings: the values `transform` gives.
        None where a value is one that only a table reads the same way (see `numbers_of`): use `transform`."""
        check_is_fitted(self, "imputer_")
        marked = {column: self.marker_.transform_texts(columns[column]) for column in self.numeric + self.categorical}
        numbers, categories = {}, {}
        for column in self.numeric:
            values = numbers_of(marked[column])
            if values is None:
                return None
            numbers[column] = self.marker_.mark_sentinels(column, values)
        for column in self.categorical:
            categories[column] = categories_of(marked[column])
            if categories[column] is None:
                return None
        if not all(value is None or isinstance(value, str) for column in self.text for value in columns[column]):
            return None
        cleaned = self.imputer_.transform_arrays(self.outliers_.transform_arrays(numbers), categories)
        cleaned.update(self._clean_texts(columns))
        return cleaned

    @property
    def feature_columns_(self) -> list[str]:
        """The numeric inputs of the model, in order: the numeric columns, then the missing-value indicators."""
        check_is_fitted(self, "imputer_")
        return self.numeric + [c + INDICATOR_SUFFIX for c in self.imputer_.indicators_]

    @property
    def categorical_columns_(self) -> list[str]:
        check_is_fitted(self, "imputer_")
        return list(self.categorical)

    def to_dict(self) -> dict:
        check_is_fitted(self, "imputer_")
        return {
            "format": FORMAT, "config": self.config.model_dump(), "task": self.task, "target": self.target,
            "columns": {"numeric": self.numeric, "categorical": self.categorical, "text": self.text},
            "missing_marker": self.marker_.to_dict(), "outliers": self.outliers_.to_dict(),
            "imputer": self.imputer_.to_dict(), "text_normalizer": self.text_normalizer_.to_dict(),
            "feature_columns": self.feature_columns_, "categorical_columns": self.categorical_columns_,
            "summary": self.summary_,
        }

    @classmethod
    def from_dict(cls, state: dict) -> "Cleaner":
        if state.get("format") != FORMAT:
            raise ArtifactError(f"The saved cleaning steps are in format {state.get('format')!r}; this trainwright "
                                f"reads format {FORMAT}. Use the trainwright version that saved the model, or retrain.")
        columns = state["columns"]
        cleaner = cls(CleaningConfig.model_validate(state["config"]), columns["numeric"], columns["categorical"],
                      columns["text"], state["target"], state["task"])
        cleaner.marker_ = MissingMarker.from_dict(state["missing_marker"])
        cleaner.outliers_ = OutlierHandler.from_dict(state["outliers"])
        cleaner.imputer_ = MissingValueImputer.from_dict(state["imputer"])
        cleaner.text_normalizer_ = TextNormalizer.from_dict(state["text_normalizer"])
        cleaner.summary_ = list(state["summary"])
        return cleaner

    # -- helpers ------------------------------------------------------------------------------------------

    def _routed(self, frame: pd.DataFrame) -> list[str]:
        """The columns cleaning touches: the inputs, and the target where the table has it."""
        target = [self.target] if self.target and self.target in frame.columns else []
        return self.numeric + self.categorical + self.text + target

    def _labels(self, frame: pd.DataFrame) -> pd.Series | None:
        """The training labels as the sentinel test reads them: floats for regression, class strings else."""
        if not self.target or self.target not in frame.columns:
            return None
        labels = standardize_missing(frame[[self.target]])[self.target]
        regression = self._regression(frame.assign(**{self.target: labels}))
        return as_numbers(labels) if regression else as_categories(labels)

    def _standardize(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        """Disguised missing values as NaN; numeric columns as float64, categorical ones as category strings.

        Also returns, per numeric column, how many values were not numbers (and are now missing).
        """
        out = frame.copy()
        marked = self.marker_.transform(frame[self._routed(frame)])
        non_numbers = {}
        for column in marked.columns:
            out[column] = marked[column]
        for column in self.numeric:
            out[column] = as_numbers(marked[column])
            non_numbers[column] = int((marked[column].notna() & out[column].isna()).sum())
        for column in self.categorical:
            out[column] = as_categories(marked[column])
        return out, non_numbers

    def _clean_texts(self, texts: dict[str, list]) -> dict[str, list[str]]:
        return {column: self.text_normalizer_.transform(self.marker_.transform_texts(texts[column]))
                for column in self.text}

    def _normalize_text(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()  # fit_resample compares before and after
        for column in self.text:
            frame[column] = self.text_normalizer_.transform(frame[column])
        return frame

    def _changed_texts(self, before: pd.DataFrame, after: pd.DataFrame) -> dict[str, tuple[int, int]]:
        changed = {}
        for column in self.text:
            old = before[column].where(before[column].notna(), "").astype(str)
            changed[column] = (int((old != after[column]).sum()), len(after))
        return changed

    def text_steps(self) -> list[str]:
        cfg = self.config.text
        names = {"html": "HTML", "nfkc": "Unicode NFKC", "urls": "URLs", "emails": "e-mails", "numbers": "numbers",
                 "whitespace": "whitespace"}
        return [name for key, name in names.items() if getattr(cfg, key)]

    def _regression(self, frame: pd.DataFrame) -> bool:
        if self.task != "auto" or not self.target:
            return self.task == "regression"
        try:
            return TargetEncoder().fit(frame[self.target].dropna()).task_ == "regression"
        except DataError:  # a single class: no conflicts to resolve anyway; training reports it
            return False

    def _check(self, frame: pd.DataFrame, source: str, training: bool) -> None:
        """Every input column present (and the target, for training); no column in two roles."""
        roles = self.numeric + self.categorical + self.text + ([self.target] if self.target else [])
        twice = sorted({c for c in roles if roles.count(c) > 1})
        if twice:
            raise DataError(f"Column '{twice[0]}' is given two roles (numeric, categorical, text or target); "
                            "give each column one.")
        needed = roles if training else self.numeric + self.categorical + self.text
        absent = [c for c in needed if c not in frame.columns]
        if absent:
            close = difflib.get_close_matches(absent[0], [str(c) for c in frame.columns], n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise DataError(f"{source}: no column named {', '.join(repr(c) for c in absent)}.{hint} "
                            f"Columns are: {', '.join(map(str, frame.columns))}.")
