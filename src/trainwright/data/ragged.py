"""Rows of varying length (token ids, UTF-8 texts) stored flat on disk: a values file and an offsets file.

Written chunk by chunk and read back without a Python object per row, so millions of texts cost a few bytes of
offsets each in memory. Training reads token ids memory-mapped (random batches); the texts are read in
sequential chunks with plain reads, so a pass over them does not keep the whole file resident.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

VALUES, OFFSETS = "values.bin", "offsets.npy"


class RaggedWriter:
    """Append rows to `directory`; `close` writes the offsets, after which `Ragged.open` reads them."""

    def __init__(self, directory: Path, dtype):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.dtype = np.dtype(dtype)
        self._values = open(directory / VALUES, "wb")
        self._ends = [np.zeros(1, dtype=np.int64)]
        self._count = 0

    def append(self, rows: Sequence[np.ndarray]) -> None:
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        if lengths.sum():
            np.concatenate(rows).astype(self.dtype, copy=False).tofile(self._values)
        self._add(lengths)

    def append_texts(self, texts: Sequence[str]) -> None:
        encoded = [text.encode("utf-8") for text in texts]
        self._values.write(b"".join(encoded))
        self._add(np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded)))

    def _add(self, lengths: np.ndarray) -> None:
        ends = self._count + np.cumsum(lengths)
        self._ends.append(ends)
        self._count = int(ends[-1]) if len(ends) else self._count

    def close(self) -> None:
        self._values.close()
        np.save(self.directory / OFFSETS, np.concatenate(self._ends))


class Ragged:
    """Rows `values[starts[i]:ends[i]]`. `subset` picks rows without copying values; rows come back as views."""

    def __init__(self, path: Path, dtype, starts: np.ndarray, ends: np.ndarray, values: np.ndarray | None = None):
        self.path = path
        self.dtype = np.dtype(dtype)
        self.starts = starts
        self.ends = ends
        self._values = values

    @classmethod
    def open(cls, directory: Path, dtype) -> Ragged:
        offsets = np.load(directory / OFFSETS)
        return cls(directory / VALUES, dtype, offsets[:-1], offsets[1:])

    @property
    def values(self) -> np.ndarray:
        """All values, memory-mapped (opened on first use)."""
        if self._values is None:
            empty = self.path.stat().st_size == 0
            self._values = (np.zeros(0, self.dtype) if empty else np.memmap(self.path, self.dtype, mode="r"))
        return self._values

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index):
        """Row `index` as an array view; a slice of rows as a Ragged."""
        if isinstance(index, slice):
            return self.subset(index)
        return self.values[self.starts[index]:self.ends[index]]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def subset(self, rows) -> Ragged:
        return Ragged(self.path, self.dtype, self.starts[rows], self.ends[rows], self._values)

    def text_chunks(self, rows: int = 50_000) -> Iterator[list[str]]:
        """The rows as UTF-8 texts, `rows` at a time, in order; for rows stored contiguously (not a subset)."""
        with open(self.path, "rb") as handle:
            for first in range(0, len(self), rows):
                starts, ends = self.starts[first:first + rows], self.ends[first:first + rows]
                handle.seek(int(starts[0]) * self.dtype.itemsize)
                data = handle.read(int(ends[-1] - starts[0]) * self.dtype.itemsize)
                base = int(starts[0])
                yield [data[s - base:e - base].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]
