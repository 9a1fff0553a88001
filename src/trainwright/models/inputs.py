"""A model's inputs for n rows, as every architecture's forward() reads them: token id sequences, numbers,
category ids and images. The preprocessing stages produce them, the forecast windows too, and the batching
carries them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.ragged import Ragged


@dataclass
class EncodedInputs:
    """Model inputs for n rows: token id sequences (unpadded), table features and/or images."""

    sequences: list[np.ndarray] | Ragged | None  # Ragged: ids memory-mapped from the token cache
    numeric: np.ndarray | None  # (n, n_numeric) float32
    categorical: np.ndarray | None  # (n, n_categorical) int64
    # (n, channels, height, width): uint8 as decoded (a quarter of float32's memory), or float32 in [0, 1]
    images: np.ndarray | None = None

    def __len__(self) -> int:
        for part in (self.sequences, self.numeric, self.images, self.categorical):
            if part is not None:
                return len(part)
        return 0

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
            self.images[rows] if self.images is not None else None,
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
        if self.images is not None:
            inputs["images"] = image_batch(self.images[rows])
        return inputs


def image_batch(images: np.ndarray) -> torch.Tensor:
    """(batch, channels, height, width) float32 in [0, 1], from uint8 pixels or floats already scaled."""
    tensor = torch.from_numpy(np.ascontiguousarray(images))
    return tensor.float().div_(255) if tensor.dtype == torch.uint8 else tensor.float()
