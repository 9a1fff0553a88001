"""Missing values in numeric and categorical feature columns: fitted on the training rows, replayed on any rows.

Numeric strategies: `mean`, `median`, `most_frequent`, `constant` (scikit-learn's SimpleImputer statistics);
`knn`, `iterative` (from the other numeric columns, see `multivariate`); `ffill`, `bfill`, `interpolate`
(from the neighbouring rows, in the order of the frame given); `drop_row`. Categorical strategies:
`constant` (a missing value becomes the category "__missing__"), `most_frequent`, `drop_row`.

Replaying never loses a row: `drop_row` drops training rows only (`fit_resample`); in `transform` such a gap
gets the training median (numeric) or most frequent category. Where an order-based strategy has no neighbour
(a single prediction row, a gap before the first value) the training median fills it. Categories never seen
in training are passed through; the feature encoder maps them to its unknown id.
"""

from __future__ import annotations

import difflib
from typing import get_args

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer

from ..errors import ConfigError, DataError
from ..stage import check_is_fitted
from ._values import as_categories, as_numbers
from ..config import MISSING_CATEGORY, CategoricalStrategy, CleaningConfig
from .multivariate import IterativeFill, KNNFill

INDICATOR_SUFFIX = "__missing"
AUTO_INDICATOR_SHARE = 0.05  # `missing_indicator: auto` adds an indicator at this share of missing values
_CATEGORICAL = get_args(CategoricalStrategy)
_CONFIG_KEYS = {"missing", "missing_categorical", "missing_columns", "fill_value", "missing_indicator",
                "knn_neighbors"}


class MissingValueImputer:
    """Fill every gap in the numeric and categorical columns; optionally add `<col>__missing` indicators."""

    def __init__(self, config: CleaningConfig | None = None, numeric: list[str] = (), categorical: list[str] = ()):
        self.config = config or CleaningConfig()
        self.numeric = list(numeric)
        self.categorical = list(categorical)

    def fit(self, frame: pd.DataFrame) -> "MissingValueImputer":
        strategies = self._strategies()
        frame = frame[~self._drop_mask(frame, strategies)]
        if frame.empty:
            dropping = [c for c, s in strategies.items() if s == "drop_row"]
            why = (f": each one misses a value in one of {', '.join(dropping)} (strategy drop_row). Choose another "
                   "strategy in clean.missing or clean.missing_columns" if dropping else "")
            raise DataError(f"No training rows left to fit the missing-value imputer on{why}.")
        numbers = self._numbers(frame)
        categories = pd.DataFrame({c: as_categories(frame[c]) for c in self.categorical}, index=frame.index)
        self.fill_ = {**self._numeric_fills(numbers, strategies), **self._categorical_fills(categories, strategies)}
        self.indicators_ = self._indicator_columns(pd.concat([numbers, categories], axis=1), strategies)
        # knn and iterative predict from every numeric column that has values, not only the ones they fill.
        self.multivariate_columns_ = [c for c in self.numeric if numbers[c].notna().any()]
        used = set(strategies.values())
        matrix = numbers[self.multivariate_columns_].to_numpy()
        self.knn_ = KNNFill(self.config.knn_neighbors).fit(matrix) if "knn" in used and matrix.size else None
        self.iterative_ = IterativeFill().fit(matrix) if "iterative" in used and matrix.size else None
        self.strategies_ = strategies
        return self

    def fit_resample(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Training: fit, drop the rows a `drop_row` column is missing in, fill the rest."""
        drop = self._drop_mask(frame, self._strategies())
        self.fit(frame)
        self.rows_dropped_ = int(drop.sum())
        return self.transform(frame[~drop])

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy without gaps in the numeric (float64) and categorical (str) columns, indicators appended."""
        check_is_fitted(self, "strategies_")
        out = frame.copy()
        numbers = self._numbers(frame)
        filled = self._multivariate(numbers)
        for column in self.numeric:
            out[column] = self._fill_numeric(column, filled.get(column, numbers[column]))
        categories = {c: as_categories(frame[c]) for c in self.categorical}
        for column in self.categorical:
            values = categories[column]
            out[column] = values.where(values.notna(), self.fill_[column])
        for column in self.indicators_:
            gaps = numbers[column] if column in numbers else categories[column]
            out[column + INDICATOR_SUFFIX] = gaps.isna().astype("float64")
        return out

    def transform_arrays(self, numbers: dict[str, np.ndarray], categories: dict[str, list]) -> dict:
        """`transform` on plain columns: numbers as float64 arrays, categories as lists of keys (None where
        missing), for a few rows, where building a table costs more than the filling. Returns the filled columns
        (arrays of numbers, lists of keys) and the indicators (float64 arrays), the values `transform` gives."""
        check_is_fitted(self, "strategies_")
        filled = {}
        if self.knn_ is not None or self.iterative_ is not None:  # then there are multivariate columns
            filled = self._multivariate_arrays(np.column_stack([numbers[c] for c in self.multivariate_columns_]))
        out = {}
        for column in self.numeric:
            values = filled.get(column, numbers[column])
            if self.strategies_[column] in ("ffill", "bfill", "interpolate"):  # along the rows: as tables do
                out[column] = self._fill_numeric(column, pd.Series(values, dtype="float64")).to_numpy()
            else:
                out[column] = np.where(np.isnan(values), self.fill_[column], values)
        for column in self.categorical:
            out[column] = [self.fill_[column] if key is None else key for key in categories[column]]
        for column in self.indicators_:
            gaps = np.isnan(numbers[column]) if column in numbers else [key is None for key in categories[column]]
            out[column + INDICATOR_SUFFIX] = np.asarray(gaps, dtype="float64")
        return out

    def to_dict(self) -> dict:
        check_is_fitted(self, "strategies_")
        return {
            "config": self.config.model_dump(include=_CONFIG_KEYS), "numeric": self.numeric,
            "categorical": self.categorical, "strategies": self.strategies_, "fill": self.fill_,
            "indicators": self.indicators_, "multivariate_columns": self.multivariate_columns_,
            "knn": self.knn_.to_dict() if self.knn_ else None,
            "iterative": self.iterative_.to_dict() if self.iterative_ else None,
        }

    @classmethod
    def from_dict(cls, state: dict) -> "MissingValueImputer":
        stage = cls(CleaningConfig(**state["config"]), state["numeric"], state["categorical"])
        stage.strategies_, stage.fill_ = dict(state["strategies"]), dict(state["fill"])
        stage.indicators_, stage.multivariate_columns_ = list(state["indicators"]), list(state["multivariate_columns"])
        stage.knn_ = KNNFill.from_dict(state["knn"]) if state["knn"] else None
        stage.iterative_ = IterativeFill.from_dict(state["iterative"]) if state["iterative"] else None
        return stage

    # -- fitting ------------------------------------------------------------------------------------------

    def _strategies(self) -> dict[str, str]:
        """Each column's strategy, checking the per-column overrides (the one place config meets columns)."""
        cfg = self.config
        unknown = [c for c in cfg.missing_columns if c not in self.numeric + self.categorical]
        if unknown:
            close = difflib.get_close_matches(unknown[0], self.numeric + self.categorical, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(f"clean.missing_columns: '{unknown[0]}' is not a numeric or categorical input "
                              f"column.{hint} Those are: {', '.join(self.numeric + self.categorical)}.")
        strategies = {c: cfg.missing_columns.get(c, cfg.missing) for c in self.numeric}
        for column in self.categorical:
            strategy = cfg.missing_columns.get(column, cfg.missing_categorical)
            if strategy not in _CATEGORICAL:
                raise ConfigError(f"clean.missing_columns: '{strategy}' is for numeric columns and "
                                  f"'{column}' is categorical. Use one of: {', '.join(_CATEGORICAL)}.")
            strategies[column] = strategy
        if isinstance(cfg.fill_value, str) and any(strategies[c] == "constant" for c in self.numeric):
            raise ConfigError(f"clean.fill_value: '{cfg.fill_value}' is not a number, and the numeric columns "
                              "with strategy 'constant' need one. Give a number, or leave it out for 0.")
        return strategies

    def _numeric_fills(self, numbers: pd.DataFrame, strategies: dict) -> dict[str, float]:
        """The value each numeric column's gaps fall back to: its statistic, else the training median."""
        fills = {}
        for column in self.numeric:
            strategy = strategies[column]
            simple = strategy if strategy in ("mean", "median", "most_frequent", "constant") else "median"
            fill_value = self.config.fill_value if self.config.fill_value is not None else 0.0
            imputer = SimpleImputer(strategy=simple, fill_value=fill_value, keep_empty_features=True)
            value = float(imputer.fit(numbers[[column]].to_numpy()).statistics_[0])
            fills[column] = value if np.isfinite(value) else 0.0  # a column without any value: 0
        return fills

    def _categorical_fills(self, categories: pd.DataFrame, strategies: dict) -> dict[str, str]:
        fills = {}
        for column in self.categorical:
            present = categories[column].dropna()
            if strategies[column] == "constant" or present.empty:
                fill = self.config.fill_value
                fills[column] = str(fill) if isinstance(fill, str) else MISSING_CATEGORY
            else:  # most_frequent, and drop_row's fallback; ties go to the smallest, as in SimpleImputer
                imputer = SimpleImputer(strategy="most_frequent", missing_values=np.nan)
                fills[column] = str(imputer.fit(present.to_numpy(dtype=object).reshape(-1, 1)).statistics_[0])
        return fills

    def _indicator_columns(self, values: pd.DataFrame, strategies: dict) -> list[str]:
        """Columns whose missingness becomes a feature: auto at >= 5% missing, True at any, False never.

        Not for drop_row columns (no training row is missing there) nor for a categorical `constant` column,
        whose "__missing__" category already says it.
        """
        setting = self.config.missing_indicator
        if setting is False or values.empty:
            return []
        threshold = AUTO_INDICATOR_SHARE if setting == "auto" else 1e-12
        share = values.isna().mean()
        return [c for c in self.numeric + self.categorical
                if share[c] >= threshold and strategies[c] != "drop_row"
                and not (c in self.categorical and strategies[c] == "constant")]

    def _drop_mask(self, frame: pd.DataFrame, strategies: dict) -> np.ndarray:
        drop = np.zeros(len(frame), dtype=bool)
        for column in (c for c, s in strategies.items() if s == "drop_row"):
            values = as_numbers(frame[column]) if column in self.numeric else as_categories(frame[column])
            drop |= values.isna().to_numpy()
        return drop

    # -- replaying ----------------------------------------------------------------------------------------

    def _numbers(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({c: as_numbers(frame[c]) for c in self.numeric}, index=frame.index, dtype="float64")

    def _multivariate(self, numbers: pd.DataFrame) -> dict[str, pd.Series]:
        """The knn and iterative columns, filled from the other numeric columns."""
        if numbers.empty:
            return {}
        filled = self._multivariate_arrays(numbers[self.multivariate_columns_].to_numpy())
        return {column: pd.Series(values, index=numbers.index) for column, values in filled.items()}

    def _multivariate_arrays(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """`_multivariate` on the matrix of the `multivariate_columns_` (rows, columns)."""
        filled = {}
        for name, model in (("knn", self.knn_), ("iterative", self.iterative_)):
            targets = [c for c in self.multivariate_columns_ if self.strategies_[c] == name]
            if model is None or not targets:
                continue
            result = model.transform(matrix)
            for column in targets:
                filled[column] = result[:, self.multivariate_columns_.index(column)]
        return filled

    def _fill_numeric(self, column: str, values: pd.Series) -> pd.Series:
        strategy = self.strategies_[column]
        if strategy == "ffill":
            values = values.ffill()
        elif strategy == "bfill":
            values = values.bfill()
        elif strategy == "interpolate":  # linear between neighbours; the nearest value beyond the first/last
            values = values.interpolate(method="linear", limit_direction="both")
        return values.fillna(self.fill_[column])
