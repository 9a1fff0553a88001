"""`trainwright report` and `trainwright compare`: the command-line faces of `write_report` and `compare_runs`.
Registered on the app in cli.py as `report` and `compare`.

Results (the diagnosis, the leaderboard, one JSON object with --json) go to stdout; the paths of written pages to
stderr. A path that is not a run directory raises ArtifactError, which the CLI turns into a message.
"""

from __future__ import annotations

import json
import re
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.text import Text

from ..cli_options import AsJson

if TYPE_CHECKING:
    from .diagnosis import Diagnosis

_STYLES = {"overfitting": "bold yellow", "underfitting": "bold yellow", "good_fit": "bold green",
           "diverged": "bold red", "no_history": "bold yellow"}


def report(
    run_dir: Path = typer.Argument(..., help="A run directory saved by `trainwright train` (its --out)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the web browser."),
) -> None:
    """Write RUN_DIR/report/report.html (metrics, learning curves, confusion matrix, ROC, precision-recall and
    calibration curves, the most confidently wrong examples, data and config) and print the diagnosis; for a
    forecast run, the backtest leaderboard and each series' forecast with its interval."""
    # Imported here: `--help` must not wait for pandas and matplotlib.
    from .forecast_html import write_forecast_report
    from .forecast_report import RECORD
    from .report import diagnose_run
    from .report_html import write_report

    if (run_dir / RECORD).is_file():  # a forecast run: backtests and forecasts rather than a validation set
        page = write_forecast_report(run_dir)
    else:
        page = write_report(run_dir)
        print_diagnosis(diagnose_run(run_dir), Console())
    Console(stderr=True).print(f"Wrote the report to {page}", markup=False, highlight=False, soft_wrap=True)
    if open_browser:
        webbrowser.open(page.as_uri())


def compare(
    runs: list[Path] = typer.Argument(..., help="Run directories saved by `trainwright train`."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the leaderboard as a self-contained "
                                                             "HTML page here."),
    as_json: AsJson = False,
    sort_by: Optional[str] = typer.Option(None, help="Column to rank by, e.g. valid_f1 or test_accuracy "
                                                     "[validation accuracy; R² for regression]."),
) -> None:
    """Rank RUNS by their validation metrics, with their settings, training time and model size."""
    from .compare import compare_runs, leaderboard_table, write_leaderboard

    rows = compare_runs(runs, sort_by=sort_by)
    if as_json:
        sys.stdout.write(json.dumps({"runs": rows}, ensure_ascii=False) + "\n")
    else:
        Console().print(leaderboard_table(rows))
    if html is not None:
        write_leaderboard(rows, html)
        Console(stderr=True).print(f"Wrote the leaderboard to {html}", markup=False, highlight=False,
                                   soft_wrap=True)


def print_diagnosis(diagnosis: Diagnosis, console: Console) -> None:
    """The verdict, what the curves say, and the next steps, with `settings` highlighted."""
    console.print(Text(diagnosis.headline, style=_STYLES[diagnosis.verdict]), soft_wrap=True)
    for line in diagnosis.lines:
        console.print(Text("  • ") + _with_code(line), soft_wrap=True)
    if diagnosis.next_steps:
        console.print(Text("Next steps:", style="bold"))
        for step in diagnosis.next_steps:
            console.print(Text("  → ", style="green") + _with_code(step), soft_wrap=True)


def _with_code(sentence: str) -> Text:
    """`backquoted` parts of a sentence in green, without the backquotes."""
    text = Text()
    for i, part in enumerate(re.split(r"`([^`]+)`", sentence)):
        text.append(part, style="green" if i % 2 else None)
    return text
