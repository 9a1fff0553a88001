"""`trainwright doctor`: the command-line face of `diagnose`, registered on the app in cli.py.

The report goes to stdout (tables, or one JSON object with --json); the path of an HTML report to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..cli_options import (AsJson, ColumnNames, Duplicates, Encoding, Fill, Header, Horizon, SeriesId, TimeColumn,
                           split_names)
from ..errors import ConfigError

BLOCKING_EXIT_CODE = 1  # --strict: blocking problems or leakage found (DataError, an unreadable file, exits 2)


def doctor(
    data: Path = typer.Argument(..., help="Data to check: a table (.csv, .tsv, .jsonl or .parquet), or images: a "
                                          "folder with one subfolder per class, a .zip of one, or a table of "
                                          "image paths and labels."),
    task: Optional[str] = typer.Option(None, help="forecast: check DATA as time series (one row per observation) "
                                                  "[a labeled table]."),
    target: Optional[str] = typer.Option(None, help="Label column (forecast: the values); inferred when not given."),
    test: Optional[Path] = typer.Option(None, help="Test table (or images, in DATA's forms): checked for rows or "
                                                   "images shared with DATA (leakage), unseen labels and missing "
                                                   "columns."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write the report as a self-contained "
                                                                 "HTML page here."),
    as_json: AsJson = False,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a blocking problem or leakage is found."),
    encoding: Encoding = None,
    outliers: str = typer.Option("iqr", help="Outlier rule: iqr, zscore or isolation-forest."),
    header: Header = None,
    column_names: ColumnNames = None,
    series_id: SeriesId = None,
    time: TimeColumn = None,
    horizon: Horizon = None,
    fill: Fill = None,
    duplicates: Duplicates = None,
) -> None:
    """Check DATA for what would hurt training (missing values, outliers, duplicates, label problems, leakage)
    and say which setting fixes each. With --task forecast: the columns chosen, each series' span and
    frequency, and its gaps, repeated timestamps, bad values, short or late series, outliers and level shifts.
    On images: counts per class, sizes and modes, unusable files, exact and near duplicates, duplicates shared
    with --test (leakage) or carrying different labels, tiny and oblong images."""
    # Imported here, not at the top: `trainwright --help` must not wait for pandas and scikit-learn.
    if _is_forecast(task, series_id=series_id, time=time, horizon=horizon, fill=fill, duplicates=duplicates,
                    test=test):
        from .series import diagnose_series
        from .series_view import print_series_report as print_report
        from .series_view import write_series_html as write_html

        report = diagnose_series(data, id=series_id, time=time, target=target, horizon=horizon,
                                 fill=fill or "interpolate", duplicates=duplicates or "mean", encoding=encoding,
                                 header=header, column_names=split_names(column_names))
        blocked = bool(report.blocking)
    elif _is_images(data, task, encoding=encoding, header=header, column_names=column_names,
                    outliers=None if outliers == "iqr" else outliers):
        from .images import diagnose_images
        from .images_view import print_image_report as print_report
        from .images_view import write_image_html as write_html

        report = diagnose_images(data, test=test, target=target)
        blocked = bool(report.blocking or report.leakage)
    else:
        from .diagnosis import diagnose
        from .html import write_html
        from .terminal import print_report

        report = diagnose(data, target=target, test=test, encoding=encoding, outliers=outliers, header=header,
                          column_names=split_names(column_names))
        blocked = bool(report.blocking or report.leakage)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        print_report(report, Console())
    if html_out is not None:
        write_html(report, html_out)
        Console(stderr=True).print(f"Wrote the HTML report to {html_out}", markup=False, highlight=False,
                                   soft_wrap=True)
    if strict and blocked:
        raise typer.Exit(BLOCKING_EXIT_CODE)


def _is_forecast(task: str | None, test: Path | None, **forecast_options) -> bool:
    """Whether DATA is checked as time series; options of one kind of data given with the other are an error."""
    if task not in (None, "forecast"):
        raise ConfigError(f"--task {task}: the doctor takes --task forecast for a time-series file; leave --task out "
                          "for a labeled table (the doctor infers the label's kind).")
    given = [f"--{name.replace('series_', '')}" for name, value in forecast_options.items() if value is not None]
    if task is None and given:
        raise ConfigError(f"{', '.join(given)} describe{'s' if len(given) == 1 else ''} a time-series file: add "
                          "--task forecast.")
    if task == "forecast" and test is not None:
        raise ConfigError("--test checks a labeled table's test file; a forecast is checked on the last periods "
                          "of each series, so leave --test out with --task forecast.")
    return task == "forecast"


def _is_images(data: Path, task: str | None, **table_options) -> bool:
    """Whether DATA holds images: a folder, a zip, or a table with a column of image file names. Options that
    only a table of values reads are an error with images, not ignored."""
    from ..images.sources import looks_like_images

    if task is not None or not looks_like_images(data):
        return False
    given = [f"--{name.replace('_', '-')}" for name, value in table_options.items() if value is not None]
    if given:
        raise ConfigError(f"{', '.join(given)}: {data} holds images, which the doctor checks without "
                          f"{'this option' if len(given) == 1 else 'these options'}; leave "
                          f"{'it' if len(given) == 1 else 'them'} out.")
    return True
