"""The image report in a terminal (rich) and as one self-contained HTML page (the doctor's CSS, no scripts).

Three sections, in both: images per class, sizes and modes as stored (a summary, not every file), and the
findings worst first, each with what to do.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..version import __version__
from .html import CSS, findings_section, write_page
from .images import ImageReport
from .report import Finding, plural
from .terminal import findings_table, percent


def print_image_report(report: ImageReport, console: Console) -> None:
    console.print(Text.assemble((report.file, "bold"), f": {_facts(report)}"), soft_wrap=True)
    console.print(f"  {report.layout}", markup=False, highlight=False, soft_wrap=True)
    console.print(_classes_table(report))
    console.print(_sizes_line(report), markup=False, highlight=False, soft_wrap=True)
    if report.findings:
        console.print(findings_table(report.findings))
    css, sentence = _verdict(report)
    console.print(Text(sentence, style={"bad": "bold red", "warn": "bold yellow", "ok": "bold green"}[css]),
                  soft_wrap=True)


def _facts(report: ImageReport) -> str:
    facts = [f"{report.images:,} images", f"{report.decoded:,} usable", plural(len(report.classes), "class", "classes"),
             f"checked in {report.seconds:.1f} s"]
    if report.test:
        facts.append(f"test set {report.test['file']} ({report.test['images']:,} images)")
    return ", ".join(facts)


def _classes_table(report: ImageReport) -> Table:
    table = Table(title="Classes", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("class", overflow="fold")
    table.add_column("images", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    for label, count in report.classes.items():
        table.add_row(label, f"{count:,}", percent(count, report.decoded), style=None if count else "dim")
    return table


def _sizes_line(report: ImageReport) -> str:
    sizes = report.sizes
    if not sizes:
        return "Sizes: no image could be decoded."
    width, height = sizes["width"], sizes["height"]
    common = ", ".join(f"{size} ({n:,})" for size, n in sizes["common"].items())
    modes = ", ".join(f"{mode} {n:,}" for mode, n in report.modes.items())
    formats = ", ".join(f"{name} {n:,}" for name, n in report.formats.items())
    return (f"Sizes: width {width['min']}-{width['max']} (median {width['median']:g}), height {height['min']}-"
            f"{height['max']} (median {height['median']:g}); {sizes['distinct']:,} distinct, most common {common}. "
            f"Modes: {modes}. Formats: {formats}.")


def _verdict(report: ImageReport) -> tuple[str, str]:
    """(css class, sentence)."""
    counts = (f"{len(report.blocking)} blocking, {plural(len(report.by_severity('warning')), 'warning')}, "
              f"{len(report.by_severity('info'))} info")
    if report.blocking:
        return "bad", f"{counts}: fix the blocking problems before training."
    if report.by_severity("warning"):
        return "warn", f"{counts}: the images can train, but the warnings may hurt the model."
    return "ok", f"{counts}: the images can train as they are."


def write_image_html(report: ImageReport, path: str | Path) -> Path:
    return write_page(render_image_html(report), path)


def render_image_html(report: ImageReport) -> str:
    name = escape(Path(report.file).name)
    css, sentence = _verdict(report)
    rows = "".join(f"<tr><td class=mono>{escape(label)}</td><td class=num>{count:,}</td>"
                   f"<td class=num>{percent(count, report.decoded)}</td></tr>"
                   for label, count in report.classes.items())
    body = (f"<div class=eyebrow>trainwright doctor · image report</div><h1>{name}</h1>"
            f"<p class=meta><span class=mono>{escape(report.file)}</span><br>{escape(report.layout)}<br>"
            f"{escape(_facts(report))}</p><div class='verdict {css}'>{escape(sentence)}</div>"
            "<h2>Classes</h2><table><thead><tr><th>Class</th><th class=num>Images</th><th class=num>Share</th>"
            f"</tr></thead><tbody>{rows}</tbody></table><h2>Sizes and modes</h2><p>{escape(_sizes_line(report))}</p>"
            f"{findings_section(report, _findings_group_html)}"
            f"<footer>Made by <code>trainwright doctor</code> {escape(__version__)}.</footer>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Image report: {name}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _findings_group_html(group: list[Finding]) -> str:
    rows = "".join(f"<tr><td class=mono>{escape(f.check)}</td><td class=num>{f.count or ''}</td>"
                   f"<td>{escape(f.message)}</td><td class=fix><code>{escape(f.fix)}</code></td></tr>" for f in group)
    return ("<table class=findings><thead><tr><th>Check</th><th class=num>Count</th><th>Finding</th><th>Fix</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
