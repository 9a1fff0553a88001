"""One pass over a labeled text table too large for memory, in chunks.

Each chunk's rows are checked (a label, some text), cleaned as the model will see them, and stored on disk
(data/ragged.py) with a hash of each cleaned text and the label's code. Duplicates, conflicting labels, the
validation split and the tokenizer then work from these arrays, a few bytes per row, without reading the file
again. The result is cached (data/disk_cache.py) under the file's SHA-256 and the settings it depends on.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..clean import Cleaner
from ..data.disk_cache import building, cache_key
from ..data.examples import LeftOutRows, join_text, labeled_examples
from ..data.layout import Layout
from ..data.ragged import Ragged, RaggedWriter
from ..data.schema import ColumnRoles
from ..data.streaming import Progress, read_chunks
from ..data.target import canonical
from ..log import logger

FORMAT = 2  # of a cache entry's layout
CHUNK_ROWS = 50_000


@dataclass
class TableScan:
    """The usable rows of a file: `positions` (0-based file rows), `text_hash` (uint64 of the cleaned text),
    `label_codes` (int32 into `labels`, canonical values); the cleaned texts on disk; what was left out."""

    directory: Path
    positions: np.ndarray
    text_hash: np.ndarray
    label_codes: np.ndarray
    labels: list
    left_out: LeftOutRows
    changed_texts: int  # texts that cleaning changed
    cleaner: Cleaner
    rows_read: int
    reused: bool = False

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def texts(self) -> Ragged:
        return Ragged.open(self.directory / "texts", np.uint8)

    def label_series(self, rows, name: str) -> pd.Series:
        """The labels of these rows (indices into the scan) as a categorical Series indexed by file row."""
        categories = pd.Index(self.labels, dtype=object)
        values = pd.Categorical.from_codes(self.label_codes[rows], categories=categories)
        return pd.Series(values, index=self.positions[rows], name=name)


def scan_table(path: Path, roles: ColumnRoles, config, sha256: str, root: Path,
               progress: Progress | None = None) -> TableScan:
    """The scan of `path` (text columns and target as in `roles`), from the cache or made and cached now;
    `progress` as for streaming.read_chunks."""
    key = cache_key("scan", FORMAT, sha256, config.data.encoding, config.data.header, config.data.column_names,
                    roles.target, roles.text, config.data.task,
                    config.clean.model_dump())
    entry = root / f"scan-{key}"
    reused = entry.is_dir()
    if not reused:
        started = time.perf_counter()
        with building(entry) as directory:
            _scan(path, roles, config, directory, progress)
        logger.info(f"{path}: read, checked and cleaned in {time.perf_counter() - started:.1f} s; kept in {entry}")
    scan = _load(entry)
    scan.reused = reused
    if reused:
        logger.info(f"{path}: cleaned texts of {len(scan):,} rows reused from {entry}")
    return scan


def _scan(path: Path, roles: ColumnRoles, config, directory: Path, progress: Progress | None) -> None:
    source = str(path)
    cleaner = None
    texts = RaggedWriter(directory / "texts", np.uint8)
    positions, hashes, codes = [], [], []
    labels: dict = {}  # canonical label -> code
    left_out = LeftOutRows(roles.text, roles.target)
    changed = rows_read = 0
    for chunk in read_chunks(path, CHUNK_ROWS, config.data.encoding, progress, Layout.of(config.data)):
        rows_read += len(chunk)
        usable = labeled_examples(chunk, roles.text, roles.target, source, left_out=left_out)
        if not len(usable):
            continue
        frame = usable.inputs[roles.text]
        if cleaner is None:  # text cleaning learns nothing from the data: the first chunk fits it
            cleaner = Cleaner(config.clean, text=roles.text, target=roles.target, task=config.data.task)
            cleaner.fit(frame.assign(**{roles.target: usable.target}), source)
        cleaned = join_text(cleaner.transform(frame, source), roles.text, source)
        changed += int((np.asarray(usable.texts, dtype=object) != np.asarray(cleaned, dtype=object)).sum())
        texts.append_texts(cleaned)
        positions.append(frame.index.to_numpy(dtype=np.int64))
        hashes.append(pd.util.hash_array(np.asarray(cleaned, dtype=object)))
        codes.append(_label_codes(usable.target, labels))
    texts.close()
    if cleaner is None:
        raise LeftOutRows.nothing_usable(source)
    np.savez(directory / "rows.npz", positions=np.concatenate(positions), text_hash=np.concatenate(hashes),
             label_codes=np.concatenate(codes))
    meta = {"format": FORMAT, "labels": list(labels), "rows_read": rows_read, "changed_texts": changed,
            "left_out": left_out.to_dict(), "cleaner": cleaner.to_dict()}
    (directory / "scan.json").write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")


def _label_codes(values: pd.Series, labels: dict) -> np.ndarray:
    """Each value's code in `labels` (canonical label -> code), adding labels not seen before."""
    categories = values.astype("category")
    local = np.array([labels.setdefault(canonical(v), len(labels)) for v in categories.cat.categories],
                     dtype=np.int32)
    return local[categories.cat.codes.to_numpy()]


def _load(entry: Path) -> TableScan:
    meta = json.loads((entry / "scan.json").read_text(encoding="utf-8"))
    with np.load(entry / "rows.npz", allow_pickle=False) as arrays:
        positions, text_hash, codes = arrays["positions"], arrays["text_hash"], arrays["label_codes"]
    return TableScan(directory=entry, positions=positions, text_hash=text_hash, label_codes=codes,
                     labels=meta["labels"], left_out=LeftOutRows.from_dict(meta["left_out"]),
                     changed_texts=meta["changed_texts"], cleaner=Cleaner.from_dict(meta["cleaner"]),
                     rows_read=meta["rows_read"])
