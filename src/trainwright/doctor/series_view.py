"""The time-series report in a terminal (rich) and as one self-contained HTML page (the doctor's CSS, no scripts).

Three sections, in both: the columns chosen and why, one row per series (span, size, frequency, season length,
its findings), and the findings worst first, each with the setting that fixes or changes it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import rows_preview
from ..version import __version__
from .html import CSS, findings_section, write_page
from .report import plural
from .series import SeriesFinding, SeriesReport
from .terminal import STYLES



def print_series_report(report: SeriesReport, console: Console) -> None:
    console.print(Text.assemble((report.file, "bold"), f": {_facts(report)}"), soft_wrap=True)
    for reason in report.reasons:
        console.print(f"  {reason}", markup=False, highlight=False, soft_wrap=True)
    console.print(_series_table(report))
    if report.findings:
        console.print(_findings_table(report.findings))
    style = {"bad": "bold red", "warn": "bold yellow", "ok": "bold green"}[_verdict(report)[0]]
    console.print(Text(_verdict(report)[1], style=style), soft_wrap=True)


def _facts(report: SeriesReport) -> str:
    columns = report.columns
    facts = [f"{report.rows:,} rows", plural(len(report.series), "series", "series"),
             f"time {columns['time']}", f"target {columns['target']}"]
    facts.insert(2, f"id {columns['id']}" if columns["id"] else "no id (one series)")
    if report.horizon:
        facts.append(f"horizon {report.horizon}: a series needs {report.min_points} periods")
    else:
        facts.append("no --horizon: series lengths not checked against it")
    return ", ".join(facts)


def _series_table(report: SeriesReport) -> Table:
    table = Table(title="Series", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (("series", "left"), ("start", "left"), ("end", "left"), ("points", "right"),
                          ("frequency", "left"), ("season", "right"), ("findings", "left")):
        table.add_column(name, justify=justify, overflow="fold", no_wrap=name != "findings")
    for s in report.series:
        points = f"{s.points:,}" + ("" if s.points == s.observations else f" ({s.observations:,} rows)")
        table.add_row(s.id, s.start or "-", s.end or "-", points, s.frequency or "-",
                      str(s.season_length or "-"), ", ".join(s.checks) or "-",
                      style=None if s.usable else "dim")
    return table


def _findings_table(findings: list[SeriesFinding]) -> Table:
    table = Table(title="Findings", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_lines=True)
    table.add_column("severity / check", no_wrap=True)
    table.add_column("series: finding → fix", overflow="fold")
    for finding in findings:
        label = Text(finding.severity, style=STYLES[finding.severity])
        label.append(f"\n{finding.check}", style="dim")
        cell = Text(f"{finding.series}: " if finding.series is not None else "", style="bold")
        cell.append(finding.message)
        cell.append(f"\n→ {finding.fix}", style="green")
        table.add_row(label, cell)
    return table


def _verdict(report: SeriesReport) -> tuple[str, str]:
    """(css class, sentence)."""
    counts = f"{len(report.blocking)} blocking, {plural(len(report.by_severity('warning')), 'warning')}, " \
             f"{len(report.by_severity('info'))} info"
    usable = sum(s.usable for s in report.series)
    rows = " Row numbers count data rows from 1." if any(f.rows for f in report.findings) else ""
    if report.blocking:
        return "bad", f"{counts}: fix the blocking problems before training.{rows}"
    said = f"{counts}; {usable} of {plural(len(report.series), 'series', 'series')} can train"
    if report.by_severity("warning"):
        return "warn", f"{said}, but the warnings may hurt the forecasts.{rows}"
    return "ok", f"{said} as they are.{rows}"


def write_series_html(report: SeriesReport, path: str | Path) -> Path:
    return write_page(render_series_html(report), path)


def render_series_html(report: SeriesReport) -> str:
    name = escape(Path(report.file).name)
    verdict = _verdict(report)
    body = (f"<div class=eyebrow>trainwright doctor · time series report</div><h1>{name}</h1>"
            f"<p class=meta><span class=mono>{escape(report.file)}</span><br>{escape(_facts(report))}</p>"
            f"<div class='verdict {verdict[0]}'>{escape(verdict[1])}</div>"
            f"<h2>Columns</h2><ul>{''.join(f'<li>{escape(r)}</li>' for r in report.reasons)}</ul>"
            f"{_series_html(report)}{_findings_html(report)}"
            f"<footer>Row numbers count data rows from 1 (the header is not counted). Made by "
            f"<code>trainwright doctor --task forecast</code> {escape(__version__)}.</footer>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Time series report: {name}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _series_html(report: SeriesReport) -> str:
    rows = []
    for s in report.series:
        cells = [s.id, s.start or "–", s.end or "–", f"{s.points:,}", s.frequency or "–",
                 str(s.season_length or "–"), ", ".join(s.checks) or "–"]
        style = "" if s.usable else " style='color:var(--muted)'"
        rows.append(f"<tr{style}>" + "".join(f"<td{' class=num' if i in (3, 5) else ''}>{escape(c)}</td>"
                                              for i, c in enumerate(cells)) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Series", "Start", "End", "Points", "Frequency", "Season", "Findings"))
    return f"<h2>Series</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _findings_html(report: SeriesReport) -> str:
    return findings_section(report, _findings_group_html)


def _findings_group_html(group: list[SeriesFinding]) -> str:
    rows = "".join(
        f"<tr><td class=mono>{escape(f.series if f.series is not None else 'whole file')}</td>"
        f"<td class=mono>{escape(f.check)}</td><td>{escape(f.message)}"
        f"{_more_rows(f)}</td><td class=fix><code>{escape(f.fix)}</code></td></tr>" for f in group)
    return ("<table class=findings><thead><tr><th>Series</th><th>Check</th><th>Finding</th><th>Fix</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _more_rows(finding: SeriesFinding) -> str:
    if not finding.rows:
        return ""
    return f"<div class=rows>{escape(rows_preview(finding.rows, 12).capitalize())}</div>"
