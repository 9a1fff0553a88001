"""`trainwright doctor`: the command-line face of `diagnose`, registered on the app in cli.py.

The report goes to stdout (tables, or one JSON object with --json); the path of an HTML report to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..cli_options import AsJson, ColumnNames, Encoding, Header, split_names

BLOCKING_EXIT_CODE = 1  # --strict: blocking problems or leakage found (DataError, an unreadable file, exits 2)


def doctor(
    data: Path = typer.Argument(..., help="Table to check: .csv, .tsv, .jsonl or .parquet."),
    target: Optional[str] = typer.Option(None, help="Label column; inferred by name when not given."),
    test: Optional[Path] = typer.Option(None, help="Test table: checked for rows shared with DATA (leakage), "
                                                   "unseen labels and missing columns."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write the report as a self-contained "
                                                                 "HTML page here."),
    as_json: AsJson = False,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a blocking problem or leakage is found."),
    encoding: Encoding = None,
    outliers: str = typer.Option("iqr", help="Outlier rule: iqr, zscore or isolation-forest."),
    header: Header = None,
    column_names: ColumnNames = None,
) -> None:
    """Check DATA for what would hurt training (missing values, outliers, duplicates, label problems, leakage)
    and say which setting fixes each."""
    # Imported here, not at the top: `trainwright --help` must not wait for pandas and scikit-learn.
    from .diagnosis import diagnose
    from .html import write_html
    from .terminal import print_report

    report = diagnose(data, target=target, test=test, encoding=encoding, outliers=outliers, header=header,
                      column_names=split_names(column_names))
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        print_report(report, Console())
    if html_out is not None:
        write_html(report, html_out)
        Console(stderr=True).print(f"Wrote the HTML report to {html_out}", markup=False, highlight=False,
                                   soft_wrap=True)
    if strict and (report.blocking or report.leakage):
        raise typer.Exit(BLOCKING_EXIT_CODE)
