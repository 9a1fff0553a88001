"""The report in a terminal: a one-line summary, a columns table and a findings table (rich)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .report import DoctorReport, Finding, plural

STYLES = {"blocking": "bold red", "warning": "yellow", "info": "cyan"}


def print_report(report: DoctorReport, console: Console) -> None:
    console.print(_headline(report), soft_wrap=True)
    console.print(_columns_table(report))
    if report.findings:
        console.print(findings_table(report.findings))
    console.print(_verdict(report), soft_wrap=True)


def _headline(report: DoctorReport) -> Text:
    text = Text.assemble((report.file, "bold"), f": {report.rows:,} rows, {len(report.columns)} columns")
    if report.target:
        text.append(f"; target {report.target} ({report.target_reason})")
    if report.classes:
        total = sum(report.classes.values())
        text.append("; classes " + ", ".join(f"{k} {v / total:.0%}" for k, v in report.classes.items()))
    if report.test:
        text.append(f"; test file {report.test['file']} ({report.test['rows']:,} rows)")
    return text


def _columns_table(report: DoctorReport) -> Table:
    table = Table(title="Columns", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("column", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("missing", justify="right", no_wrap=True)
    table.add_column("distinct", justify="right", no_wrap=True)
    table.add_column("why", overflow="fold")
    for column in report.columns:
        missing = f"{column.missing:,} ({percent(column.missing, report.rows)})" if column.missing else "-"
        style = "bold" if column.name == report.target else None
        table.add_row(column.name, column.kind, missing, f"{column.distinct:,}", column.reason, style=style)
    return table


def percent(part: int, whole: int) -> str:
    """'35%', and '<1%' rather than a misleading '0%' for a few cells."""
    share = part / whole if whole else 0.0
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def findings_table(findings: list[Finding]) -> Table:
    table = Table(title="Findings", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_lines=True)
    table.add_column("severity / check", no_wrap=True)
    table.add_column("finding → fix", overflow="fold")
    for finding in findings:
        label = Text(finding.severity, style=STYLES[finding.severity])
        label.append(f"\n{finding.check}", style="dim")
        cell = Text(finding.message)
        cell.append(f"\n→ {finding.fix}", style="green")
        table.add_row(label, cell)
    return table


def _verdict(report: DoctorReport) -> Text:
    counts = {s: len(report.by_severity(s)) for s in ("blocking", "warning", "info")}
    said = f"{counts['blocking']} blocking, {plural(counts['warning'], 'warning')}, {counts['info']} info"
    rows = " Row numbers count data rows from 1." if any(f.rows for f in report.findings) else ""
    if counts["blocking"]:
        return Text(f"{said}: fix the blocking problems before training.{rows}", style="bold red")
    if counts["warning"]:
        return Text(f"{said}: the table can train, but the warnings may hurt the model.{rows}", style="bold yellow")
    return Text(f"{said}: the table can train as it is.{rows}", style="bold green")
