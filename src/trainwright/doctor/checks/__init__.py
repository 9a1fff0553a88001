"""The checks the doctor runs. Each takes the Dataset and returns a list of Findings."""

from .columns import check_columns
from .duplicates import check_conflicts, check_duplicates
from .labels import check_labels
from .leakage import check_test
from .missing import check_missing
from .outliers import OUTLIER_METHODS, check_outliers, validate_method
from .target_leak import check_target_leak
from .text import check_text

__all__ = ["OUTLIER_METHODS", "check_columns", "check_conflicts", "check_duplicates", "check_labels",
           "check_missing", "check_outliers", "check_target_leak", "check_test", "check_text", "validate_method"]
