"""The run report's page: the doctor page's look (its stylesheet, tiles, verdict banner and tables) with figures
embedded as base64 data: URIs, so the one file opens offline and can be mailed. No scripts; every value that
comes from the data or the run files is escaped. write_report draws the figures and writes the page, computed
from the run by report.py.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import numpy as np

from ..destination import write_atomically
from ..doctor.html import CSS as DOCTOR_CSS  # one stylesheet for every trainwright page
from ..version import __version__
from .diagnosis import diagnose
from .image_grids import MAX_CLASSES, class_grid, wrong_grid
from .image_pictures import validation_pictures
from .report import (FIGURES, REPORT_DIR, ReportContent, Run, draw_figures, model_summary, per_class, read_run,
                     wrong_examples)

CSS = DOCTOR_CSS + """
.tile .sub { color:var(--muted); font-size:12.5px; margin-top:2px; }
.figure { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px; margin:0; }
.figure img { display:block; max-width:100%; height:auto; margin:0 auto; }
.figure figcaption { color:var(--muted); font-size:13px; margin-top:8px; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; align-items:start; }
.grid3 { display:grid; grid-template-columns:repeat(3, 1fr); gap:16px; align-items:start; }
.stack > * + * { margin-top:16px; }
.note { background:var(--amber-bg); border:1px solid #fbd38d; color:#744210; border-radius:10px;
        padding:10px 16px; font-size:14px; margin:0 0 12px; }
.diagnosis ul { margin:0; padding-left:20px; } .diagnosis li { margin:4px 0; }
.diagnosis h3 { margin-top:18px; } .diagnosis h3:first-child { margin-top:0; }
.steps li code { background:var(--green-bg); color:#22543d; border-radius:4px; padding:1px 5px; font-size:12.5px; }
.verdict .sub { display:block; font-weight:400; font-size:14px; margin-top:2px; }
table.compact td, table.compact th { padding:6px 12px; }
td.input { overflow-wrap:anywhere; font-size:13.5px; }
.label { display:inline-block; border-radius:4px; padding:0 6px; font-size:12.5px; background:#edf2f7;
         white-space:nowrap; } .label.true { background:#c6f6d5; } .label.pred { background:#fed7d7; }
.conf { white-space:nowrap; } .conf .mini span { background:#e07a5f; }
.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; font-size:14px; margin:0; }
.facts dt { color:var(--muted); } .facts dd { margin:0; overflow-wrap:anywhere; }
.config { display:grid; grid-template-columns:repeat(auto-fill, minmax(320px, 1fr)); gap:16px; align-items:start; }
.config table { font-size:13px; } .config td.value { font-family:"SFMono-Regular", Menlo, Consolas, monospace;
  font-size:12.5px; overflow-wrap:anywhere; } .config tr.changed td { background:#fffbea; }
.config tr.changed td.key::after { content:"set"; margin-left:6px; font-size:10.5px; color:var(--amber);
  font-weight:600; text-transform:uppercase; letter-spacing:.04em; }
@media (max-width:900px) { .grid2, .grid3 { grid-template-columns:1fr; } }
"""
_VERDICT_CLASS = {"overfitting": "warn", "underfitting": "warn", "good_fit": "ok", "diverged": "bad",
                  "no_history": "warn"}
_NO_PREDICTIONS = ("This run has no saved validation predictions (validation.json: {why}); runs saved by "
                   "trainwright 0.1 before the report existed lack them. ROC, precision-recall and calibration "
                   "curves and the most confidently wrong examples need them: train the run again to see them.")


def write_report(run_dir: str | Path, images: str = "") -> Path:
    """Write RUN_DIR/report/report.html and its figures; returns the page's path. images: an image run's
    pictures section (image_section), placed after the wrongly classified examples."""
    run = read_run(run_dir)
    folder = run.path / REPORT_DIR
    folder.mkdir(exist_ok=True)
    for name in FIGURES:  # figures of an earlier report that this one may not draw
        (folder / name).unlink(missing_ok=True)
    diagnosis = diagnose(run.history, run.metrics, run.config)
    content = ReportContent(run, diagnosis, draw_figures(run, diagnosis, folder), per_class(run), wrong_examples(run))
    pictures = None if images else validation_pictures(run.path, run.validation)
    if pictures is not None:
        images = image_section(pictures.images, pictures.labels, pictures.probabilities, pictures.classes,
                               pictures.augment)
        if pictures.missing:
            images += (f"<p class=empty-note>{pictures.missing} validation pictures are no longer where the run read "
                       "them and are not drawn.</p>")
    page = folder / "report.html"
    write_atomically(page, render_report(content, images))
    return page


def render_report(content: ReportContent, images: str = "") -> str:
    run = content.run
    body = "".join([_header(content), _tiles(run), _diagnosis(content), _curves(content), _results(content),
                    _wrong(content), images, _data(run), _config(run), _footer(run)])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Run report: {escape(run.name)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _header(content: ReportContent) -> str:
    run, d = content.run, content.diagnosis
    train = (run.metadata.get("data") or {}).get("train") or {}
    training = run.metrics.get("training") or {}
    facts = []
    if run.metadata.get("created"):
        facts.append(f"trained <b>{escape(_date(run.metadata['created']))}</b>")
    if train.get("file"):
        facts.append(f"on <b>{escape(Path(str(train['file'])).name)}</b>"
                     + (f" ({train['rows_used']:,} rows)" if isinstance(train.get("rows_used"), int) else ""))
    if run.task:
        classes = run.classes if run.task != "regression" else None
        facts.append(f"task <b>{escape(run.task)}</b>"
                     + (f" ({escape(', '.join(map(str, classes[:8])))}{' …' if len(classes) > 8 else ''})"
                        if classes else ""))
    facts.append(f"model <b>{escape(model_summary(run))}</b>")
    if training.get("fit_s") is not None:
        facts.append(f"{training.get('epochs_run', '?')} epochs in {training['fit_s']:.1f} s")
    cls = _VERDICT_CLASS[d.verdict]
    if d.verdict == "overfitting" and "nothing stopped it" in d.headline:
        cls = "bad"
    return (f"<div class=eyebrow>trainwright report · training run</div><h1>{escape(run.name)}</h1>"
            f"<p class=meta><span class=mono>{escape(str(run.path))}</span><br>{' · '.join(facts)}</p>"
            f"<div class='verdict {cls}'>{escape(d.headline)}</div>")


def _date(value) -> str:
    """'2026-11-30 16:44 UTC' from the ISO timestamp in metadata.json."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = " UTC" if moment.utcoffset() == timedelta(0) else moment.strftime(" %z") if moment.tzinfo else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _tiles(run: Run) -> str:
    valid, test = run.metrics.get("valid") or {}, run.metrics.get("test") or {}
    training = run.metrics.get("training") or {}
    if not valid:
        return "<p class=note>No validation metrics in this run (metrics.json is missing or empty).</p>"
    if run.task == "regression":
        keys = [("r2", "R²", "{:.3f}"), ("mae", "MAE", "{:.4g}"), ("mse", "MSE", "{:.4g}")]
    elif run.task == "multilabel":
        keys = [("accuracy", "subset accuracy", "{:.1%}"), ("f1", "F1 (micro)", "{:.3f}"),
                ("f1_macro", "F1 (macro)", "{:.3f}"), ("hamming_loss", "Hamming loss", "{:.3f}"),
                ("roc_auc", "ROC AUC (macro)", "{:.3f}")]
    else:
        keys = [("accuracy", "accuracy", "{:.1%}"), ("f1", "F1" + (" (macro)" if run.task == "multiclass" else ""),
                                                     "{:.3f}"),
                ("roc_auc", "ROC AUC", "{:.3f}"), ("loss", "loss", "{:.3f}")]
    tiles = []
    for key, label, fmt in keys:
        if valid.get(key) is None:
            continue
        sub = f"<div class=sub>test {fmt.format(test[key])}</div>" if test.get(key) is not None else ""
        tiles.append(f"<div class=tile><div class=n>{fmt.format(valid[key])}</div><div class=l>validation "
                     f"{escape(label)}</div>{sub}</div>")
    if training.get("epochs_run") is not None:
        models = training.get("models", 1)
        sub = f"<div class=sub>{models} models</div>" if models and models > 1 else ""
        tiles.append(f"<div class=tile><div class=n>{training['epochs_run']}</div><div class=l>epochs run</div>"
                     f"{sub}</div>")
    return "<div class=tiles>" + "".join(tiles) + "</div>"


def _diagnosis(content: ReportContent) -> str:
    d = content.diagnosis
    lines = "".join(f"<li>{_inline_code(line)}</li>" for line in d.lines)
    steps = "".join(f"<li>{_inline_code(step)}</li>" for step in d.next_steps)
    steps_html = f"<h3>Next steps</h3><ul class=steps>{steps}</ul>" if steps else ""
    return (f"<h2>Diagnosis</h2><div class='card diagnosis'><h3>What the curves say</h3><ul>{lines}</ul>"
            f"{steps_html}</div>")


def _inline_code(text: str) -> str:
    """Escape `text`, turning `backquoted` settings into <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _figure(content: ReportContent, name: str, caption: str = "") -> str:
    path = content.figures.get(name)
    if path is None:
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f"<figure class=figure><img src='data:image/png;base64,{data}' alt='{escape(FIGURES[name])}'>"
            f"{caption_html}</figure>")


def _curves(content: ReportContent) -> str:
    if "learning_curves.png" not in content.figures:
        return "<h2>Learning curves</h2><p class=note>No per-epoch history in this run (history.json).</p>"
    ensemble = len(content.diagnosis.facts.get("members") or []) > 1
    caption = ("One colour per model; validation solid, training dashed; a dot marks each model's lowest "
               "validation loss."
               if ensemble else "The green line marks the epoch with the lowest validation loss; the shaded epochs "
                                "after it are where validation loss rose.")
    member = (content.run.metrics.get("training") or {}).get("history_of")
    if member:  # a blend has no epochs of its own
        caption = f"The curves of {escape(member)}, the blend's strongest model. " + caption
    return f"<h2>Learning curves</h2>{_figure(content, 'learning_curves.png', caption)}"


def _results(content: ReportContent) -> str:
    run = content.run
    parts = ["<h2>Validation results</h2>"]
    if not content.has_predictions:
        why = next((p.split(" ", 1)[1] for p in run.problems if p.startswith("validation.json")), "empty")
        parts.append(f"<p class=note>{escape(_NO_PREDICTIONS.format(why=why))}</p>")
    if run.task == "multilabel":  # no confusion matrix: a row has a set of labels, not one class
        parts.append(f"<div class=grid2>{_metrics_table(run)}{_per_class_table(content)}</div>")
    else:
        parts.append(f"<div class=grid2><div class=stack>{_metrics_table(run)}{_per_class_table(content)}</div>"
                     f"{_figure(content, 'confusion_matrix.png', 'Rows: true label; columns: predicted label.')}"
                     "</div>")
    if run.task == "binary":
        row = [_figure(content, name) for name in ("roc_curve.png", "precision_recall.png", "calibration.png")]
        if any(row):
            parts.append(f"<h3 class=spaced>Ranking and calibration</h3><div class=grid3>{''.join(row)}</div>")
    elif run.task == "multiclass":
        row = [_figure(content, "per_class.png"), _figure(content, "calibration.png",
                                                          "Top-label calibration: confidence against accuracy.")]
        if any(row):
            parts.append(f"<div class=grid2 style='margin-top:16px'>{''.join(row)}</div>")
    elif run.task == "multilabel":
        row = [_figure(content, "per_class.png"), _figure(
            content, "calibration.png", "Each label of each row is one prediction: its probability against how "
                                        "often the label was there.")]
        if any(row):
            parts.append(f"<div class=grid2 style='margin-top:16px'>{''.join(row)}</div>")
    elif run.task == "regression":
        parts[-1] = (f"<div class=grid2><div class=stack>{_metrics_table(run)}</div>"
                     f"{_figure(content, 'predicted_vs_true.png')}</div>")
    return "".join(parts)


def image_section(images: np.ndarray, labels, probabilities: np.ndarray, classes, augment=None) -> str:
    """The report's pictures for an image run, from plain arrays (image_grids.py has their shapes): the most
    confidently wrong validation pictures, and samples of each class as the model saw them in training.
    images/labels/probabilities: the validation pictures; `augment`: the training augmentation, or None."""
    wrong = wrong_grid(images, labels, probabilities, classes)
    parts = ["<h2>Most confidently wrong validation pictures</h2>"]
    if wrong is None:
        parts.append("<p class=empty-note>Every validation picture was classified correctly.</p>")
    else:
        parts.append(_png_figure(wrong, "The most confidently wrong validation pictures", (
            "Surest mistakes first: the true label in green, the predicted one in red with its probability. "
            "Look for wrong labels, pictures of two classes, and what the mistakes have in common.")))
    samples = class_grid(images, labels, classes, augment)
    shown = f"; the first {MAX_CLASSES} of {len(classes)} classes" if len(classes) > MAX_CLASSES else ""
    how = ("resized and augmented as in training" if augment is not None else "resized, without augmentation")
    parts.append("<h2>Pictures per class, as the model saw them</h2>" + _png_figure(
        samples, "Sample pictures of each class", f"Random pictures of each class, {how}{shown}. "
                                                   "A class that looks unlike its name, or like another class, "
                                                   "shows here."))
    return "".join(parts)


def _png_figure(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure class=figure><img src='data:image/png;base64,{data}' alt='{escape(alt)}'>"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _metrics_table(run: Run) -> str:
    splits = {name: run.metrics[name] for name in ("valid", "test") if isinstance(run.metrics.get(name), dict)}
    if not splits:
        return ""
    keys = [k for k, v in next(iter(splits.values())).items() if not isinstance(v, (dict, list))]
    head = "".join(f"<th style='text-align:right'>{'validation' if n == 'valid' else n}</th>" for n in splits)
    rows = "".join(f"<tr><td>{escape(key)}</td>" + "".join(
        f"<td class=num>{_number(splits[n].get(key))}</td>" for n in splits) + "</tr>" for key in keys)
    return f"<table class=compact><thead><tr><th>Metric</th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def _per_class_table(content: ReportContent) -> str:
    if not content.per_class:
        return ""
    rows = "".join(f"<tr><td>{escape(str(r['label']))}</td><td class=num>{r['precision']:.3f}</td>"
                   f"<td class=num>{r['recall']:.3f}</td><td class=num>{r['f1']:.3f}</td>"
                   f"<td class=num>{r['support']:,}</td></tr>" for r in content.per_class)
    unit = "Label" if content.run.task == "multilabel" else "Class"  # multilabel rows: those with the label
    return (f"<table class=compact><thead><tr><th>{unit}</th><th style='text-align:right'>Precision</th>"
            "<th style='text-align:right'>Recall</th><th style='text-align:right'>F1</th>"
            f"<th style='text-align:right'>Rows</th></tr></thead><tbody>{rows}</tbody></table>")


def _wrong(content: ReportContent) -> str:
    if not content.wrong:
        return ("<h2>Most confidently wrong validation examples</h2><p class=empty-note>Every validation example "
                "was classified correctly.</p>" if content.has_predictions and content.run.task != "regression"
                else "")
    regression = content.run.task == "regression"
    title = "Largest validation errors" if regression else "Most confidently wrong validation examples"
    rows = []
    for w in content.wrong:
        if regression:
            cells = (f"<td class=num>{w['true']:.4g}</td><td class=num>{w['predicted']:.4g}</td>"
                     f"<td class=num>{w['error']:.4g}</td>")
        else:
            bar = f"<span class=mini><span style='width:{100 * w['confidence']:.0f}%'></span></span>"
            cells = (f"<td><span class='label true'>{escape(str(w['true']))}</span></td>"
                     f"<td><span class='label pred'>{escape(str(w['predicted']))}</span></td>"
                     f"<td class='num conf'>{_confidence(w['confidence'])}{bar}</td>")
        rows.append(f"<tr><td class=num>{w['row']}</td><td class=input>{escape(_preview(w['input']))}</td>{cells}"
                    "</tr>")
    head = ("<th style='text-align:right'>True</th><th style='text-align:right'>Predicted</th>"
            "<th style='text-align:right'>Error</th>" if regression else
            "<th>True</th><th>Predicted</th><th style='text-align:right'>Confidence</th>")
    widths = "<col style='width:7%'><col><col style='width:12%'><col style='width:12%'><col style='width:15%'>"
    return (f"<h2>{title}</h2><table class=compact style='table-layout:fixed'><colgroup>{widths}</colgroup>"
            f"<thead><tr><th style='text-align:right'>Row</th><th>Input</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _preview(text) -> str:
    """A table row's 'x1=0.37094683509441023, ...' preview with its numbers cut to 6 significant digits."""
    return re.sub(r"(?<==)(-?\d+\.\d{6,})(?=,|$)", lambda m: f"{float(m.group(1)):.6g}", str(text))


def _confidence(p: float) -> str:
    """'87.3%', and '99.97%' rather than a rounded '100.0%' for a model that is almost sure."""
    return f"{p:.1%}" if p < 0.995 else f"{p:.2%}" if p < 0.99995 else ">99.99%"


def _data(run: Run) -> str:
    train = (run.metadata.get("data") or {}).get("train") or {}
    training = run.metrics.get("training") or {}
    data = run.config.get("data") or {}
    facts = []
    if train.get("file"):
        facts.append(("training file", f"<span class=mono>{escape(str(train['file']))}</span>"))
    if train.get("sha256"):
        facts.append(("SHA-256", f"<span class=mono>{escape(str(train['sha256'])[:16])}…</span>"))
    for key, label in (("n_train", "training rows"), ("validation", "validation")):
        if training.get(key) is not None:
            value = training[key]
            facts.append((label, f"{value:,}" if isinstance(value, int) else escape(str(value))))
    for split, label in (("valid", "validation rows"), ("test", "test rows")):
        n = (run.metrics.get(split) or {}).get("n")
        if isinstance(n, int):
            facts.append((label, f"{n:,}"))
    if data.get("target"):
        facts.append(("target column", f"<span class=mono>{escape(str(data['target']))}</span>"))
    for key, label in (("text", "text columns"), ("features", "table columns")):
        if data.get(key):
            facts.append((label, f"<span class=mono>{escape(', '.join(map(str, data[key])))}</span>"))
    if training.get("threads"):
        threads = training["threads"]
        speed = f"{training.get('train_samples_per_s', 0):,.0f} samples/s on {threads} thread"
        facts.append(("speed", speed + ("s" if threads > 1 else "")))
    cleaning = run.metrics.get("cleaning")
    if cleaning:
        clean_html = "<ul>" + "".join(f"<li>{escape(str(line))}</li>" for line in cleaning) + "</ul>"
    elif cleaning == []:
        clean_html = "<p class=empty-note>Nothing needed cleaning.</p>"
    else:
        clean_html = "<p class=empty-note>Not recorded in this run.</p>"
    facts_html = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts)
    problems = "".join(f"<li>{escape(p)}</li>" for p in run.problems)
    problems_html = f"<h3 class=spaced>Files</h3><ul>{problems}</ul>" if problems else ""
    return (f"<h2>Data</h2><div class=grid2><div class=card><h3>Rows and columns</h3><dl class=facts>{facts_html}"
            f"</dl></div><div class=card><h3>Cleaning</h3>{clean_html}{problems_html}</div></div>")


def _config(run: Run) -> str:
    if not run.config:
        return "<h2>Configuration</h2><p class=note>No config.json in this run.</p>"
    defaults = _defaults()
    cards = []
    for section, values in run.config.items():
        if not isinstance(values, dict):
            continue
        rows = []
        for key, value in values.items():
            default = (defaults.get(section) or {}).get(key, value)
            changed = " class=changed" if value != default else ""
            rows.append(f"<tr{changed}><td class=key>{escape(key)}</td>"
                        f"<td class=value>{escape(json.dumps(value, ensure_ascii=False))}</td></tr>")
        cards.append(f"<div><h3>{escape(section)}</h3><table>{''.join(rows)}</table></div>")
    return ("<h2>Configuration</h2><p class=meta>The resolved configuration the run was trained with; "
            "<b>set</b> marks values that differ from this trainwright version's defaults (chosen by a "
            f"flag or a config file, or inferred from the data).</p><div class=config>{''.join(cards)}</div>")


def _defaults() -> dict:
    from ..config import RunConfig

    return RunConfig().model_dump()


def _footer(run: Run) -> str:
    versions = run.metadata.get("versions") or {}
    trained = ", ".join(f"{k} {v}" for k, v in versions.items())
    return (f"<footer>Validation rows are numbered from 1 in their file (the header is not counted). The figures are "
            f"also saved as PNG files beside this page. Trained with {escape(trained or 'unknown versions')}; "
            f"report made by <code>trainwright report</code> {escape(__version__)}.</footer>")
