"""Does an ONNX graph compute what the PyTorch model computes? Both run on the same synthetic batches.

A traced graph replays one example's path through the model's Python code; a size that tracing froze, or a
padding case it never saw, shows up as different logits on a batch of another shape. The sample batches
therefore vary the number of rows and the padded length, mix short, long and empty texts (padded on the
tokenizer's side, as Predictor pads them), and hold random table values and, for an image model (a
preprocessing with `image_shape`), random pixels of the encoder's shape.
"""

from __future__ import annotations

import numpy as np
import torch

# (rows, longest text in tokens): one row alone, a single token, odd sizes, a long batch
SHAPES = [(3, 9), (1, 1), (1, 12), (2, 5), (7, 30), (16, 64)]


def sample_batches(preprocessing, seed: int = 0) -> list[dict[str, torch.Tensor]]:
    """Model inputs (forward() keywords) of the shapes in SHAPES, built as Predictor builds them."""
    rng = np.random.default_rng(seed)
    tokenizer, features = preprocessing.tokenizer, preprocessing.features
    batches = []
    for rows, longest in SHAPES:
        batch = {}
        if tokenizer is not None:
            longest = min(longest, preprocessing.config.tokenizer.maxlen)
            lengths = rng.integers(0, longest + 1, size=rows)
            lengths[0] = longest  # the batch is padded to this length; the other rows carry padding
            sequences = [_token_ids(rng, tokenizer, n) for n in lengths]
            batch["ids"] = torch.from_numpy(tokenizer.pad(sequences))
        if features is not None:
            batch["numeric"] = torch.from_numpy(rng.standard_normal((rows, len(features.numeric)), dtype=np.float32))
            batch["categorical"] = torch.from_numpy(
                np.stack([rng.integers(0, size, size=rows) for size in features.cardinalities], axis=1)
                if features.cardinalities else np.zeros((rows, 0), dtype=np.int64)).to(torch.int64)
        image_shape = getattr(preprocessing, "image_shape", None)  # (channels, height, width) for image models
        if image_shape is not None:  # no pictures are saved with a model: uniform pixels in [0, 1]
            batch["images"] = torch.from_numpy(rng.random((rows, *image_shape), dtype=np.float32))
        batches.append(batch)
    return batches


def _token_ids(rng, tokenizer, length: int) -> np.ndarray:
    ids = rng.integers(1, tokenizer.vocab_size, size=length, dtype=np.int64)
    ids[ids == tokenizer.pad_id] = (tokenizer.pad_id + 1) % tokenizer.vocab_size  # padding only at the end
    return ids


def compare_logits(model, graph, batches: list[dict[str, torch.Tensor]]) -> list[dict]:
    """Per batch: its shape, the largest absolute difference between the model's and the graph's logits, and
    the largest logit (the scale that difference is judged against)."""
    model.eval()
    results = []
    with torch.inference_mode():
        for batch in batches:
            expected = model(**batch).float().numpy()
            got = graph(**batch).numpy()
            if got.shape != expected.shape or not np.array_equal(np.isnan(got), np.isnan(expected)):
                difference = float("inf")
            else:
                difference = float(np.nanmax(np.abs(got - expected), initial=0.0))
            results.append({"shape": shape_of(batch), "max_abs_difference": difference,
                            "largest_logit": float(np.nanmax(np.abs(expected), initial=0.0))})
    return results


def shape_of(batch: dict[str, torch.Tensor]) -> list[int]:
    """[rows, padded length] of a sample batch ([rows] for a table)."""
    first = batch.get("ids", next(iter(batch.values())))
    return list(first.shape[:2]) if "ids" in batch else [first.shape[0]]
