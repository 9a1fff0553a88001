"""Training a text model on a file larger than memory: fitting.py's single-model path, with the file read in chunks
and nothing kept in memory per row but a few numbers.

    scan        one pass over the file (scan.py): usable rows, cleaned texts on disk, a hash and a label
                code per row; cached
    rows        duplicates and conflicting labels settled from the hashes, as clean.duplicates/conflicts say
    split       held-out rows (data.valid_fraction, at most MAX_VALID), unless --valid
    tokenizer   fitted on up to FIT_TEXTS training texts drawn at random
    token ids   every text tokenized chunk by chunk on all cores into an int32 file (data/ragged.py),
                memory-mapped for training; cached with the tokenizer, so a later run with the same file and
                settings tokenizes nothing
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..artifact import Artifact, file_sha256, fingerprint
from ..clean import summary
from ..clean.rows import RowCleaner
from ..config import TEXT_MODELS, RunConfig
from ..data import infer_roles
from ..data.disk_cache import building, cache_key, cache_root
from ..data.ragged import Ragged, RaggedWriter
from ..data.readers import table_format
from ..data.schema import ColumnRoles
from ..data.layout import Layout
from ..data.streaming import read_chunks
from ..data.target import TargetEncoder, warn_of_case_variants
from ..errors import ConfigError, DataError
from ..log import logger
from ..predictor import predict_encoded
from ..progress import progress_bar
from ..preprocessing import EncodedInputs, Preprocessing
from ..text import load_tokenizer
from . import distributed, tracking
from . import scan as chunked
from .building import build
from .columns import check_inputs, named_columns, read_labeled, report_roles
from .fitting import assemble_artifact
from .resolve import located_pretrained, resolve
from .scan import TableScan, scan_table
from .settings import tell_unused_settings
from .trainer import Trainer

MIN_BYTES = 100 * 2**20  # data.stream auto streams files at least this large
MAX_VALID = 50_000  # held-out rows: enough to pick the best epoch; more only slows each epoch
FIT_TEXTS = 500_000  # the vocabulary of this many random texts is that of the whole file, in practice
TOKENIZE_ROWS = 50_000  # texts tokenized at a time
FORMAT = 1  # of a token cache entry's layout
_STREAMED = ("csv", "tsv", "jsonl", "parquet")


def wanted(data: str | Path, config: RunConfig) -> bool:
    """Whether `train` reads `data` in chunks: data.stream true, or auto and the file is large. A run that
    cannot be streamed is read whole (auto) or refused (true), saying why."""
    setting = config.data.stream
    path = Path(data)
    if setting is False or not path.is_file() or setting == "auto" and path.stat().st_size < MIN_BYTES:
        return False
    problem = _why_not(path, config)
    if problem and setting is True:
        raise ConfigError(f"data.stream: {path} cannot be read in chunks: {problem}. Use --no-stream.")
    if problem:
        logger.info(f"{path} is large but is read whole: {problem}")
    return not problem


def _why_not(path: Path, config: RunConfig) -> str | None:
    if table_format(path) not in _STREAMED:
        return "only CSV, TSV, JSONL and Parquet files are read in chunks"
    name = config.model.name
    if name not in (*TEXT_MODELS, "auto"):
        return f"model {name} reads table columns; chunked reading is for text models"
    if config.train.ensemble not in ("auto", 1):
        return "train.ensemble trains several models on folds of rows held in memory"
    if distributed.processes(config) > 1:
        return "a data-parallel run reads its file whole"
    if config.data.task == "multilabel":
        return "multilabel targets are read whole"
    if name == "auto":
        roles, _ = _first_chunk_roles(path, config)
        if roles.numeric or roles.categorical:
            return (f"its table columns ({', '.join(roles.numeric + roles.categorical)}) go to model lstm+mlp, "
                    "which reads its file whole")
    return None


def _first_chunk_roles(path: Path, config: RunConfig) -> tuple[ColumnRoles, list[str] | None]:
    """The columns inferred from the first chunk, and its column names when the file has no header row."""
    dcfg = config.data
    chunks = read_chunks(path, chunked.CHUNK_ROWS, dcfg.encoding, layout=Layout.of(dcfg))
    first = next(chunks)
    chunks.close()
    return infer_roles(first, str(path), dcfg.target, dcfg.text, dcfg.features), named_columns(first)


def fit_streamed(path: Path, valid: str | Path | None, config: RunConfig,
                 checkpoints: Callable[[RunConfig], object]) -> tuple[Artifact, ColumnRoles]:
    """Train one model on `path` read in chunks; the unsaved artifact (with `data` set, and the run's resolved
    configuration) and the columns used. `checkpoints(config)` gives the Checkpoints of the resolved config."""
    roles, config = _roles(path, config)
    tracking.check(config)
    root = cache_root(config.data.cache_dir)
    started = time.perf_counter()
    sha256 = file_sha256(path)
    with progress_bar(f"Reading {path.name}") as progress:
        scan = scan_table(path, roles, config, sha256, root, progress)
    scan_seconds = time.perf_counter() - started
    scan.left_out.report(str(path))
    labels = scan.label_series(slice(None), roles.target)
    target = TargetEncoder(config.data.task, config.data.label_separator).fit(labels, str(path))
    if target.task_ == "multilabel":
        raise ConfigError(f"{path}: multilabel targets are not read in chunks; pass --no-stream.")
    if target.task_ != "regression":
        warn_of_case_variants(labels, str(path))
    config = config.derive({"data": {"task": target.task_}})  # known once the labels are read
    rows, cleaning = _settle_rows(scan, config, target.task_, str(path))
    y = _encoded_labels(scan, target, rows, roles.target)

    valid_set = read_labeled(valid, roles, config) if valid is not None else None
    train_rows, valid_rows = _split(rows, config) if valid_set is None else (rows, None)
    stages = Preprocessing(ColumnRoles(roles.target, roles.text), config)
    stages.cleaner_ = scan.cleaner
    stages.cleaner_.summary_ = stages.cleaning_summary_ = cleaning
    for line in cleaning:
        logger.info(f"cleaning: {line}")
    ids, tokens = _token_ids(scan, stages, train_rows, config, root)

    train_inputs = EncodedInputs(ids.subset(train_rows), None, None)
    if valid_set is None:  # the report shows the held-out rows' cleaned texts, joined
        valid_inputs, valid_truth = EncodedInputs(ids.subset(valid_rows), None, None), y[valid_rows]
        shown = pd.DataFrame({roles.text[0]: _texts_at(scan.texts, valid_rows)}, index=scan.positions[valid_rows])
        shown_roles = ColumnRoles(roles.target, roles.text[:1])
    else:
        valid_inputs = stages.encode(valid_set.inputs, str(valid))
        valid_truth = target.transform(valid_set.target, str(valid))
        shown, shown_roles = valid_set.inputs, roles
    model = build(stages, target, config, len(train_rows), len(valid_inputs))
    started = time.perf_counter()
    history = Trainer(config, checkpoints=checkpoints(config)).fit(
        model, target.task_, train_inputs, y[train_rows], valid_inputs, valid_truth, stages.tokenizer.pad)
    fit_seconds = time.perf_counter() - started
    outputs = predict_encoded(model, target.task_, valid_inputs, stages.tokenizer.pad)
    artifact = assemble_artifact(model, stages, target, config, shown_roles, history, (shown, valid_truth, outputs),
                                 len(train_rows), fit_seconds)
    artifact.metrics["streaming"] = {
        "rows_read": scan.rows_read, "rows_usable": len(scan), "cache_dir": str(root),
        "scan": "reused" if scan.reused else "built", "scan_s": round(scan_seconds, 2), **tokens}
    artifact.data = {"train": fingerprint(path, len(train_rows), sha256)}
    return artifact, roles


def _roles(path: Path, config: RunConfig) -> tuple[ColumnRoles, RunConfig]:
    """The columns, inferred from the first chunk, and the run's settings resolved from them as run.prepare
    does (the task is derived once the labels are read)."""
    roles, column_names = _first_chunk_roles(path, config)
    report_roles(roles)
    model = config.model.name
    if model == "auto":
        model = "lstm"
        logger.info(f"{path} is read in chunks: model auto trains the seed lstm (trying each candidate on a file "
                    "this size would take as long as training each); pass --model to choose another")
    check_inputs(model, roles, str(path))
    config = resolve(config, roles, model=model, column_names=column_names, locate_pretrained=False)
    tell_unused_settings(config)
    config = located_pretrained(config)  # fail before reading the file if it is not on disk
    logger.info(f"{path}: read in chunks of {chunked.CHUNK_ROWS:,} rows (data.stream); columns inferred from the first "
                "chunk")
    return roles, config


def _settle_rows(scan: TableScan, config: RunConfig, task: str, source: str) -> tuple[np.ndarray, list[str]]:
    """The scan rows kept after duplicates and conflicting labels, and the cleaning summary."""
    cfg = config.clean
    conflicts = "keep" if task == "regression" else cfg.conflicts
    rows = RowCleaner(["text"], "label", cfg.duplicates, conflicts)
    kept = rows.fit_resample(pd.DataFrame({"text": scan.text_hash, "label": scan.label_codes}))
    if kept.empty:
        raise DataError(f"{source}: no rows left after dropping duplicates and conflicting labels. Relax "
                        "clean.duplicates or clean.conflicts.")
    steps = scan.cleaner.text_steps()
    lines = [*summary.row_lines(rows),
             *summary.text_lines({", ".join(scan.cleaner.text): (scan.changed_texts, len(scan))}, steps)]
    return kept.index.to_numpy(), lines


def _encoded_labels(scan: TableScan, target: TargetEncoder, rows: np.ndarray, column: str) -> np.ndarray:
    """Each scan row's encoded label (class index or standardized value), through its label code; rows outside
    `rows` may hold labels the encoder never saw and get 0."""
    present = np.unique(scan.label_codes[rows])
    labels = pd.Series([scan.labels[c] for c in present], index=np.arange(len(present)), name=column)
    encoded = target.transform(labels.astype(object))
    lookup = np.zeros(len(scan.labels), dtype=encoded.dtype)
    lookup[present] = encoded
    return lookup[scan.label_codes]


def _split(rows: np.ndarray, config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    fraction = config.data.valid_fraction
    count = min(max(1, round(fraction * len(rows))), MAX_VALID)
    chosen = np.zeros(len(rows), dtype=bool)
    chosen[np.random.default_rng(config.train.seed).permutation(len(rows))[:count]] = True
    logger.info(f"validation: {count:,} random rows of the training file held out ({fraction:.0%}"
                + (f", at most {MAX_VALID:,}" if count == MAX_VALID else "") + "); pass --valid FILE to use your own")
    return rows[~chosen], rows[chosen]


def _token_ids(scan: TableScan, stages: Preprocessing, train_rows: np.ndarray, config: RunConfig,
               root: Path) -> tuple[Ragged, dict]:
    """Every scan row's token ids, memory-mapped, and how long tokenizing took; sets `stages.tokenizer`."""
    sample = train_rows
    if len(sample) > FIT_TEXTS:
        rng = np.random.default_rng(config.train.seed)
        sample = np.sort(rng.choice(train_rows, FIT_TEXTS, replace=False))
    pretrained = config.model.pretrained if config.model.name == "pretrained" else None
    key = cache_key("tokens", FORMAT, scan.directory.name, config.tokenizer.model_dump(), config.model.name,
                    pretrained, hashlib.sha256(sample.tobytes()).hexdigest())
    entry = root / f"tokens-{key}"
    reused = entry.is_dir()
    if not reused:
        with building(entry) as directory:
            _tokenize(scan, stages, sample, directory)
    meta = json.loads((entry / "tokens.json").read_text(encoding="utf-8"))
    if reused:
        stages.tokenizer_ = load_tokenizer(entry, config.tokenizer, meta["level"])
        logger.info(f"token ids of {len(scan):,} rows reused from {entry}")
    figures = {"token_cache": "reused" if reused else "built", "tokenize_s": meta["seconds"],
               "tokenize_us_per_row": round(meta["seconds"] / max(1, len(scan)) * 1e6, 2),
               "tokenize_chunks_us_per_row": meta["chunks_us_per_row"]}
    return Ragged.open(entry / "ids", np.int32), figures


def _tokenize(scan: TableScan, stages: Preprocessing, sample: np.ndarray, directory: Path) -> None:
    started = time.perf_counter()
    tokenizer = stages.fit_tokenizer(_texts_at(scan.texts, sample))
    fitted = time.perf_counter() - started
    tokenizer.save(directory)
    writer = RaggedWriter(directory / "ids", np.int32)
    per_row = []  # microseconds per row of each chunk: flat as the file grows
    started = time.perf_counter()
    with progress_bar("Tokenizing") as progress:
        for texts in scan.texts.text_chunks(TOKENIZE_ROWS):
            chunk_started = time.perf_counter()
            writer.append(tokenizer.transform(texts))
            per_row.append(round((time.perf_counter() - chunk_started) / len(texts) * 1e6, 2))
            progress(min(len(per_row) * TOKENIZE_ROWS, len(scan)), len(scan))
    writer.close()
    seconds = time.perf_counter() - started
    fitting = ("pretrained tokenizer loaded" if tokenizer.level_ == "pretrained" else
               f"tokenizer fitted on {len(sample):,} training texts")
    logger.info(f"{fitting} in {fitted:.1f} s; {len(scan):,} texts tokenized in {seconds:.1f} s "
                f"({seconds / max(1, len(scan)) * 1e6:.1f} µs per text)")
    meta = {"format": FORMAT, "level": tokenizer.level_, "fit_s": round(fitted, 2), "seconds": round(seconds, 2),
            "chunks_us_per_row": per_row}
    (directory / "tokens.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")


def _texts_at(texts: Ragged, rows: np.ndarray) -> list[str]:
    """The texts of these scan rows (sorted indices), read in one sequential pass."""
    picked, first = [], 0
    for chunk in texts.text_chunks(TOKENIZE_ROWS):
        wanted_here = rows[(rows >= first) & (rows < first + len(chunk))] - first
        picked += [chunk[i] for i in wanted_here]
        first += len(chunk)
    return picked
