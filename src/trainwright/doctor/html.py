"""The report as one self-contained HTML page: inline CSS, no scripts, no external resources.

Summary tiles, CSS bar charts of missing values per column and of the class balance, the findings grouped by
severity, and the columns table. Every value from the data is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape
from pathlib import Path

from ..errors import rows_preview
from ..version import __version__
from .report import DoctorReport, Finding, plural
from .terminal import percent

_ROWS_SHOWN = 12
_TITLES = {"blocking": "Blocking: fix before training", "warning": "Warnings", "info": "Good to know"}
_CHECK_TITLES = {
    "target": "Target column", "missing_labels": "Missing labels", "single_class": "Single class",
    "class_imbalance": "Class imbalance", "label_spellings": "Labels spelled two ways",
    "missing_values": "Missing values", "disguised_missing": "Disguised missing values", "outliers": "Outliers",
    "duplicate_rows": "Duplicate rows",
    "near_duplicate_rows": "Near-duplicate rows", "conflicting_labels": "Conflicting labels",
    "identifier": "Identifier columns", "constant": "Constant columns", "near_constant": "Near-constant columns",
    "text_length": "Text length", "long_texts": "Very long texts", "empty_texts": "Empty texts",
    "leakage": "Train/test leakage", "unseen_test_labels": "Labels only in the test file",
    "test_columns_missing": "Columns missing from the test file", "test_columns_differ": "Test file columns",
    "empty_file": "Empty file", "suspected_sentinel": "Suspected sentinels kept as values",
}
# Shared by every trainwright page (the run report extends it).
CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --card:#fff; --red:#c53030;
        --red-bg:#fff5f5; --amber:#b7791f; --amber-bg:#fffaf0; --blue:#2b6cb0; --blue-bg:#ebf8ff;
        --green:#2f855a; --green-bg:#f0fff4; --bar:#4c7bd9; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 -apple-system, "Segoe UI", Roboto,
       "Helvetica Neue", Arial, sans-serif; }
main { max-width:1120px; margin:0 auto; padding:32px 28px 48px; }
h1 { font-size:26px; margin:2px 0 4px; } h2 { font-size:18px; margin:32px 0 12px; }
h3 { font-size:14px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 12px; }
.eyebrow { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.08em; }
.meta { color:var(--muted); margin:0 0 20px; } .meta b { color:var(--ink); font-weight:600; }
h3.spaced { margin-top:24px; }
code, .mono { font-family:"SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size:13px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:18px 20px; }
.verdict { border-radius:10px; padding:14px 20px; font-weight:600; margin-bottom:20px; border:1px solid; }
.verdict.bad { background:var(--red-bg); color:var(--red); border-color:#feb2b2; }
.verdict.ok { background:var(--green-bg); color:var(--green); border-color:#9ae6b4; }
.verdict.warn { background:var(--amber-bg); color:var(--amber); border-color:#fbd38d; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:12px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
.tile .n { font-size:26px; font-weight:700; line-height:1.2; } .tile .l { color:var(--muted); font-size:13px; }
.tile.zero .n { color:#9aa5b1; } .tile.blocking .n { color:var(--red); }
.tile.warning .n { color:var(--amber); } .tile.info .n { color:var(--blue); }
.charts { display:grid; grid-template-columns:1fr 1fr; gap:16px; margin-top:16px; align-items:start; }
.bars { display:grid; grid-template-columns:minmax(90px, max-content) 1fr 92px; gap:6px 10px; align-items:center;
        font-size:13px; }
.bars .name { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; max-width:220px; }
.bars .value { color:var(--muted); text-align:right; font-variant-numeric:tabular-nums; }
.track { background:#edf0f4; border-radius:4px; height:12px; overflow:hidden; }
.fill { background:var(--bar); height:100%; border-radius:4px; min-width:2px; }
.fill.high { background:#e07a5f; } .empty-note { color:var(--muted); font-size:14px; margin:0; }
.group h3 { display:flex; align-items:center; gap:8px; margin-top:22px; }
.group h3 .n { border-radius:999px; padding:0 9px; font-size:12px; letter-spacing:0; }
h3.blocking { color:var(--red); } h3.blocking .n { background:var(--red-bg); }
h3.warning { color:var(--amber); } h3.warning .n { background:var(--amber-bg); }
h3.info { color:var(--blue); } h3.info .n { background:var(--blue-bg); }
.check-block { margin-bottom:14px; border-left:4px solid var(--line); padding-left:12px; }
.blocking .check-block { border-left-color:#fc8181; } .warning .check-block { border-left-color:#f6e05e; }
.info .check-block { border-left-color:#90cdf4; }
.check-title { font-weight:600; margin:0 0 6px; } .check-title code { color:var(--muted); font-weight:400;
  font-size:12px; margin-left:6px; }
table.findings { font-size:13.5px; table-layout:fixed; } table.findings td { overflow-wrap:anywhere; }
td.fix code { background:var(--green-bg); color:#22543d; border-radius:4px; padding:1px 5px; line-height:1.7;
  -webkit-box-decoration-break:clone; box-decoration-break:clone; font-size:12.5px; }
.rows { color:var(--muted); font-size:12.5px; margin-top:3px; }
table { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line);
        border-radius:10px; overflow:hidden; font-size:14px; }
th { text-align:left; background:#f0f3f7; color:var(--muted); font-weight:600; font-size:12px;
     text-transform:uppercase; letter-spacing:.04em; }
th, td { padding:8px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
tr:last-child td { border-bottom:0; } td.num { text-align:right; font-variant-numeric:tabular-nums; }
tr.target td { background:#f7fafc; font-weight:600; }
.tag { font-family:-apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size:11px; font-weight:600;
       color:#fff; background:var(--ink); border-radius:4px; padding:1px 6px; margin-left:6px; }
.kind { display:inline-block; border-radius:4px; padding:0 6px; font-size:12px; background:#edf2f7; }
.kind.text { background:#e9d8fd; } .kind.numeric { background:#c3dafe; } .kind.categorical { background:#c6f6d5; }
.kind.binary { background:#b2f5ea; } .kind.identifier, .kind.constant { background:#fed7d7; }
.kind.datetime { background:#feebc8; } .why { color:var(--muted); }
.mini { display:inline-block; width:60px; height:8px; background:#edf0f4; border-radius:4px; margin-left:8px;
        vertical-align:middle; overflow:hidden; } .mini span { display:block; height:100%; background:#e07a5f; }
footer { color:var(--muted); font-size:13px; margin-top:32px; }
@media (max-width:760px) { .charts { grid-template-columns:1fr; } }
"""


def write_html(report: DoctorReport, path: str | Path) -> Path:
    return write_page(render_html(report), path)


def write_page(page: str, path: str | Path) -> Path:
    """A doctor page written to `path`, its folder made where missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def render_html(report: DoctorReport) -> str:
    body = "".join([_header(report), _tiles(report), _charts(report), _findings(report), _columns(report),
                    _footer()])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Data report: {escape(Path(report.file).name)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _header(report: DoctorReport) -> str:
    facts = [f"<b>{report.rows:,}</b> rows", f"<b>{len(report.columns)}</b> columns"]
    if report.target:
        facts.append(f"target <b>{escape(report.target)}</b> ({escape(report.target_reason)})")
    if report.test:
        facts.append(f"test file <b>{escape(report.test['file'])}</b> ({report.test['rows']:,} rows)")
    verdict = _verdict(len(report.blocking), len(report.by_severity("warning")))
    return (f"<div class=eyebrow>trainwright doctor · data report</div><h1>{escape(Path(report.file).name)}</h1>"
            f"<p class=meta><span class=mono>{escape(report.file)}</span><br>{' · '.join(facts)}</p>"
            f"<div class='verdict {verdict[0]}'>{escape(verdict[1])}</div>")


def _verdict(blocking: int, warnings: int) -> tuple[str, str]:
    """(css class, sentence)."""
    if blocking:
        return "bad", f"{plural(blocking, 'blocking problem')}: the table cannot train as it is."
    if warnings:
        return "warn", f"The table can train, but {plural(warnings, 'warning')} may hurt the model."
    return "ok", "No problems found: the table can train as it is."


def _tiles(report: DoctorReport) -> str:
    summary = report.summary()
    tiles = [("blocking", len(report.blocking), "blocking"), ("warning", summary["warnings"], "warnings"),
             ("info", summary["info"], "notes"), ("", f"{summary['missing_share']:.1%}", "cells missing"),
             ("", sum(f.count for f in report.findings if f.check.endswith("duplicate_rows")), "duplicate rows")]
    if report.test:
        tiles.append(("blocking" if summary["leakage_rows"] else "", summary["leakage_rows"], "test rows leaked"))
    return "<div class=tiles>" + "".join(
        f"<div class='tile {cls if n else 'zero'}'><div class=n>{escape(str(n))}</div><div class=l>{label}</div></div>"
        for cls, n, label in tiles) + "</div>"


def _charts(report: DoctorReport) -> str:
    missing = sorted(((c.missing / report.rows if report.rows else 0, c.name, c.missing) for c in report.columns
                      if c.missing), reverse=True)
    bars = [(name, share, f"{count:,} ({percent(count, report.rows)})") for share, name, count in missing]
    missing_html = _bars(bars, high=0.5) if bars else "<p class=empty-note>No missing values.</p>"
    if report.classes:
        total = sum(report.classes.values())
        balance = _bars([(label, n / total, f"{n:,} ({percent(n, total)})") for label, n in report.classes.items()],
                        scale=max(report.classes.values()) / total)
    else:
        balance = "<p class=empty-note>No classification target: pass --target to see the class balance.</p>"
    target = f" ({escape(report.target)})" if report.target and report.classes else ""
    kinds = Counter(c.kind for c in report.columns)
    kinds_html = _bars([(kind, n / len(report.columns), str(n)) for kind, n in kinds.most_common()],
                       scale=max(kinds.values()) / len(report.columns)) if kinds else ""
    return (f"<div class=charts><div class=card><h3>Missing values per column</h3>{missing_html}</div>"
            f"<div class=card><h3>Class balance{target}</h3>{balance}"
            f"<h3 class=spaced>Columns by kind</h3>{kinds_html}</div></div>")


def _bars(bars: list[tuple[str, float, str]], scale: float = 1.0, high: float = 2.0) -> str:
    """One labelled bar per (name, share, text); widths relative to `scale`; shares over `high` stand out."""
    cells = []
    for name, share, text in bars:
        width = 100 * share / scale if scale else 0
        fill = "fill high" if share >= high else "fill"
        cells.append(f"<div class=name title='{escape(name)}'>{escape(name)}</div><div class=track>"
                     f"<div class='{fill}' style='width:{width:.1f}%'></div></div><div class=value>{text}</div>")
    return f"<div class=bars>{''.join(cells)}</div>"


def findings_section(report, group_html: Callable[[list], str]) -> str:
    """The Findings section of a doctor's page: one group per severity, worst first, each drawn by `group_html`
    from its findings (a table's report and a time series' report draw their rows differently)."""
    if not report.findings:
        return "<h2>Findings</h2><p class=empty-note>Nothing to report.</p>"
    parts = ["<h2>Findings</h2>"]
    for severity in ("blocking", "warning", "info"):
        group = report.by_severity(severity)
        if group:
            parts.append(f"<section class='group {severity}'><h3 class={severity}>{_TITLES[severity]} "
                         f"<span class=n>{len(group)}</span></h3>{group_html(group)}</section>")
    return "".join(parts)


def _findings(report: DoctorReport) -> str:
    return findings_section(report, _check_tables)


def _check_tables(group: list[Finding]) -> str:
    checks = dict.fromkeys(f.check for f in group)  # in report order
    return "".join(_check_table(check, [f for f in group if f.check == check]) for check in checks)


def _check_table(check: str, findings: list[Finding]) -> str:
    title = _CHECK_TITLES.get(check, check.replace("_", " ").capitalize())
    rows = "".join(_finding_row(f) for f in findings)
    return (f"<div class=check-block><div class=check-title>{escape(title)} <code>{escape(check)}</code></div>"
            "<table class=findings><colgroup><col style='width:19%'><col style='width:7%'><col style='width:46%'>"
            "<col style='width:28%'></colgroup><thead><tr><th>Where</th><th class=num>Count</th><th>Finding</th>"
            f"<th>Fix</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _finding_row(finding: Finding) -> str:
    where = ", ".join(finding.columns[:6]) + (" …" if len(finding.columns) > 6 else "") or "whole table"
    more = ""
    if len(finding.rows) > 5:  # the message itself names the first five
        more = f"<div class=rows>{escape(rows_preview(finding.rows, _ROWS_SHOWN).capitalize())}</div>"
    count = f"{finding.count:,}" if finding.count else ""
    return (f"<tr><td class=mono>{escape(where)}</td><td class=num>{count}</td>"
            f"<td>{escape(finding.message)}{more}</td><td class=fix><code>{escape(finding.fix)}</code></td></tr>")


def _columns(report: DoctorReport) -> str:
    rows = []
    for c in report.columns:
        share = c.missing / report.rows if report.rows else 0
        bar = f"<span class=mini><span style='width:{100 * share:.0f}%'></span></span>"
        missing = f"{c.missing:,} ({percent(c.missing, report.rows)}){bar}" if c.missing else "–"
        target = c.name == report.target
        cls, tag = (" class=target", " <span class=tag>target</span>") if target else ("", "")
        rows.append(f"<tr{cls}><td class=mono>{escape(c.name)}{tag}</td><td><span class='kind {c.kind}'>{c.kind}</span>"
                    f"</td><td class=num>{missing}</td><td class=num>{c.distinct:,}</td>"
                    f"<td class=why>{escape(c.reason)}</td></tr>")
    return ("<h2>Columns</h2><table><thead><tr><th>Column</th><th>Kind</th><th style='text-align:right'>Missing"
            "</th><th style='text-align:right'>Distinct</th><th>Why this kind</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _footer() -> str:
    return (f"<footer>Row numbers count data rows from 1 (the header is not counted). Missing values include "
            f"disguised ones (<code>?</code>, <code>NA</code>, blanks, impossible zeros). "
            f"Made by <code>trainwright doctor</code> {escape(__version__)}.</footer>")
