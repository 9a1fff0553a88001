"""A model's inputs for n rows, as every architecture's forward() reads them: token id sequences, numbers and
category ids. The preprocessing stages produce them, the forecast windows too, and the batching carries them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.ragged import Ragged


@dataclass
class EncodedInputs:
    """Model inputs for n rows: token id sequences (unpadded) and/or table features."""

    sequences: list[np.ndarray] | Ragged | None  # Ragged: ids memory-mapped from the token cache
    numeric: np.ndarray | None  # (n, n_numeric) float32
    categorical: np.ndarray | None  # (n, n_categorical) int64

    def __len__(self) -> int:
        return len(self.sequences) if self.sequences is not None else len(self.numeric)

    def subset(self, rows) -> "EncodedInputs":
        sequences = self.sequences
        if isinstance(sequences, list):
            sequences = [sequences[i] for i in rows]
        elif sequences is not None:
            sequences = sequences.subset(rows)
        return EncodedInputs(
            sequences,
            self.numeric[rows] if self.numeric is not None else None,
            self.categorical[rows] if self.categorical is not None else None,
        )

    @property
    def lengths(self) -> list[int] | np.ndarray:
        """Sequence lengths, for length-grouped batches; zeros for tables."""
        if isinstance(self.sequences, Ragged):
            return self.sequences.lengths
        return [len(s) for s in self.sequences] if self.sequences is not None else [0] * len(self)

    def batch(self, rows: list[int], pad) -> dict[str, torch.Tensor]:
        """The keyword arguments of a model's forward() for these rows; `pad` pads token sequences."""
        inputs = {}
        if self.sequences is not None:
            inputs["ids"] = torch.from_numpy(pad([self.sequences[i] for i in rows]))
        if self.numeric is not None:
            inputs["numeric"] = torch.from_numpy(self.numeric[rows])
        if self.categorical is not None:  # forecast windows have numbers alone
            inputs["categorical"] = torch.from_numpy(self.categorical[rows])
        return inputs
