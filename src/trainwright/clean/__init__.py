"""Cleaning stages fitted on the training table and replayed identically at prediction time."""

from ..config import CleaningConfig, TextCleaningConfig
from .disguised import MissingMarker
from .missing import MissingValueImputer
from .outliers import OutlierHandler
from .pipeline import Cleaner
from .rows import RowCleaner
from .text import TextNormalizer

__all__ = ["Cleaner", "CleaningConfig", "MissingMarker", "MissingValueImputer", "OutlierHandler", "RowCleaner",
           "TextCleaningConfig", "TextNormalizer"]
