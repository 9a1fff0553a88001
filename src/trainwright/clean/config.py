"""The cleaning section of the run configuration: how missing values, outliers, duplicate rows and text are
cleaned before training, and replayed at prediction time."""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import Field

from ..section import Section

NumericStrategy = Literal["drop_row", "constant", "mean", "median", "most_frequent", "ffill", "bfill",
                          "interpolate", "knn", "iterative"]
CategoricalStrategy = Literal["drop_row", "constant", "most_frequent"]
MISSING_CATEGORY = "__missing__"  # the category a missing value becomes under the `constant` strategy


class TextCleaningConfig(Section):
    nfkc: bool = True  # Unicode NFKC: full-width letters and digits, ligatures -> their plain forms
    html: bool = True  # strip tags, unescape entities (&amp; -> &)
    urls: bool = True  # replace each URL by " [URL] "
    emails: bool = True  # replace each e-mail address by " [EMAIL] "
    numbers: bool = False  # replace each number by " [NUM] "
    whitespace: bool = True  # collapse runs of whitespace into one space, strip both ends


class CleaningConfig(Section):
    # Missing values (after disguised ones such as `?` or an impossible 0 are recognized, see `sentinels`).
    missing: NumericStrategy = "median"  # numeric columns; ffill/bfill/interpolate follow the file's row order
    missing_categorical: CategoricalStrategy = "constant"  # constant: a missing value is its own category
    missing_columns: dict[str, NumericStrategy] = {}  # per-column overrides, e.g. {insulin: knn}
    fill_value: Optional[Union[float, str]] = None  # for `constant`; None: 0 for numbers, "__missing__" else
    # A <col>__missing feature per column with missing values; auto: only columns >= 5% missing. Off by default:
    # on Pima and horse colic the indicators cost accuracy (benchmarks/README.md).
    missing_indicator: Union[Literal["auto"], bool] = False
    knn_neighbors: int = Field(5, ge=1)  # neighbours averaged by the knn strategy
    sentinels: bool = True  # placeholders (`?`, `NA`, `-`) and implausible numbers (0, -1, 999) are missing

    # Outliers in numeric columns, by fences fitted on the training data. keep: part-time and long hours are
    # real, and 3 x IQR fences flatten them (the doctor reports outliers; the networks scale robustly).
    outliers: Literal["keep", "clip", "drop", "as_missing"] = "keep"  # drop: training rows only; clip when predicting
    outlier_method: Literal["iqr", "zscore"] = "iqr"  # iqr: quartile fences; zscore: robust (median, MAD)
    outlier_factor: Optional[float] = Field(None, gt=0)  # None: 3.0 x IQR (conservative), or 3.5 robust z

    # Duplicate and contradictory training rows (compared over the input columns and the label).
    duplicates: Literal["keep", "drop"] = "drop"  # drop exact duplicates
    # Same inputs, different labels (classification only): majority keeps the most common label, drops ties.
    conflicts: Literal["keep", "drop", "majority"] = "majority"

    text: TextCleaningConfig = TextCleaningConfig()
