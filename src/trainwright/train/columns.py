"""A run's columns: chosen from the training data, fixed in its settings (resolve.py), checked against the model,
and used to read its other labeled files (--valid, --test) the same way."""

from __future__ import annotations

from pathlib import Path

from ..config import TABLE_MODELS, TEXT_MODELS, RunConfig
from ..data import read_table
from ..data.examples import Examples, labeled_examples
from ..data.layout import Layout
from ..errors import ConfigError
from ..log import logger


def named_columns(frame) -> list[str] | None:
    """The column names of a file read without a header row (or with names given), for the run's settings
    (data.column_names, see resolve.py): the saved model reads files of the same layout the same way."""
    return [str(c) for c in frame.columns] if frame.attrs.get("named_by_reader") else None


def report_roles(roles):
    """Say how the columns were chosen; resolve.py fixes them in the run's settings, so the saved config names
    them."""
    for reason in roles.reasons:
        logger.info(reason)
    for warning in roles.warnings:
        logger.warning(warning)
    return roles


def check_inputs(name: str, roles, source: str) -> None:
    """A model that reads text needs a text column, and one that reads table columns needs some."""
    table = roles.numeric + roles.categorical
    if name in (*TEXT_MODELS, "lstm+mlp") and not roles.text:
        raise ConfigError(f"model {name} reads text, but {source} has no column taken as text (columns used: "
                          f"{', '.join(table) or 'none'}). Name the text column with --text COL, or use --model mlp "
                          "for table columns.")
    if name in TEXT_MODELS and roles.text and table:
        logger.warning(f"model {name} reads text only: the table columns {', '.join(table)} are not used. "
                       "--model lstm+mlp reads both.")
    if name in TABLE_MODELS and roles.text:
        logger.warning(f"model {name} reads table columns only: the text column(s) {', '.join(roles.text)} are not "
                       "used. --model lstm+mlp reads both.")
    if name in (*TABLE_MODELS, "lstm+mlp") and not table:
        raise ConfigError(f"model {name} reads table columns, but {source} has none besides the text: use a text "
                          "model (--model auto, lstm, cnn, ...).")


def read_labeled(path: str | Path, roles, config: RunConfig) -> Examples:
    """Another labeled file of the run (--valid, --test), read with the columns fixed from the training data."""
    frame = read_table(path, config.data.encoding, Layout.of(config.data))
    return labeled_examples(frame, roles.text, roles.target, str(path), config.data.features)
