"""Options that several `trainwright` commands take, declared once so that a help text or default lives in one place.

Each is an `Annotated` type: a command writes `valid: Valid = None`, and Typer reads the option's help from the
type (it copies the declaration for every command, so sharing one is safe). Options whose meaning differs from
command to command (--test, --config, --model, --out, --seed) stay with their command.

Nothing here imports the rest of the package: `trainwright --help` must stay quick, and any command module may
use these without an import cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

HEADER_HELP = "CSV/TSV: whether the first row names the columns [auto: a first row of numbers is data]."
COLUMN_NAMES_HELP = "Comma-separated names of the columns of a file without a header row (or to replace its header)."
AS_TRAINED = " [as trained]"  # reading a table for a saved model: it defaults to how the training data was read

TrainingTable = Annotated[Path, typer.Argument(help="Training table: .csv (.txt, UCI's .data), .tsv, .jsonl, "
                                                         ".parquet or .xlsx; or images: a folder per class, a zip of "
                                                         "one, a table of image paths.")]
SavedModel = Annotated[Path, typer.Argument(help="A model directory saved by `trainwright train`.")]

Valid = Annotated[Optional[Path], typer.Option(help="Validation table; default: a stratified 10% of DATA.")]
Encoding = Annotated[Optional[str], typer.Option(help="File encoding; detected when not given.")]
Header = Annotated[Optional[bool], typer.Option("--header/--no-header", help=HEADER_HELP)]
ColumnNames = Annotated[Optional[str], typer.Option(help=COLUMN_NAMES_HELP)]
HeaderAsTrained = Annotated[Optional[bool], typer.Option("--header/--no-header", help=HEADER_HELP + AS_TRAINED)]
ColumnNamesAsTrained = Annotated[Optional[str], typer.Option(help=COLUMN_NAMES_HELP + AS_TRAINED)]

Threads = Annotated[Optional[int], typer.Option(help="CPU threads [all cores].")]
Backend = Annotated[str, typer.Option(help="torch, or onnx for the graph written by `trainwright export`.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")]

# Forecasting (--task forecast): how a time-series file is read, the same for the doctor and for training.
SeriesId = Annotated[Optional[str], typer.Option("--id", help="Forecast: column naming each series; inferred when "
                                                              "not given (none: the file is one series).")]
TimeColumn = Annotated[Optional[str], typer.Option("--time", help="Forecast: time column; inferred when not given.")]
Horizon = Annotated[Optional[int], typer.Option(min=1, help="Forecast: periods to forecast; a series needs more than "
                                                            "twice as many.")]
Fill = Annotated[Optional[str], typer.Option(help="Forecast: how missing periods and values are filled: "
                                                  "interpolate, ffill, zero or none [interpolate].")]
Duplicates = Annotated[Optional[str], typer.Option(help="Forecast: timestamps repeated in a series: mean, sum or "
                                                        "last combines them, error refuses them [mean].")]


def split_names(names: str | None) -> list[str] | None:
    """The value of --column-names as a list: 'a, b,c' -> ['a', 'b', 'c']."""
    return [name.strip() for name in names.split(",")] if names else None
