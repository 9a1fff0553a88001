"""Training throughput of the residual CNN (model resnet, default settings) on Fashion-MNIST's 28x28 images:
images per second of one epoch through the one Trainer (augmented batches, validation included), and of the
bare training step (forward, backward, AdamW) on the same batches, at each thread count.

Measured on the shared 2-core machine under a load average of ~10 (other jobs running), 5,120 images, batch 128,
default augmentation: 1 thread, Trainer 233 images/s, bare steps 216; 2 threads collapsed to 67 and 50 under that
load (oversubscribed), so a quiet machine's 2-thread figure is still to be taken. Channels-last weights made the
bare step ~1.4x faster than NCHW at 1 thread.

Run from the project root:
    .venv/bin/python benchmarks/image_throughput.py [--images 5120] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
import torch

import trainwright
from trainwright.images.augment import training_inputs
from trainwright.models import build_model, model_sizes
from trainwright.models.inputs import EncodedInputs
from trainwright.train.process import seed_everything, use_threads
from trainwright.train.trainer import Trainer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "images" / "fashion-mnist"


def read_idx(name: str, offset: int) -> np.ndarray:
    return np.frombuffer(gzip.open(DATA / name).read(), np.uint8, offset=offset)


def trainer_epoch(config, images, targets) -> float:
    """Seconds for one epoch of Trainer.fit (its validation on 256 images included)."""
    model = build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 10))
    train = EncodedInputs(None, None, None, images[:-256])
    valid = EncodedInputs(None, None, None, images[-256:])
    start = time.perf_counter()
    Trainer(config).fit(model, "multiclass", training_inputs(train, config.model, config.train.seed),
                        targets[:-256], valid, targets[-256:], None)
    return time.perf_counter() - start


def bare_steps(config, images, targets, batch_size: int = 128) -> float:
    """Seconds for the same number of images in plain training steps, no loader, no augmentation."""
    model = build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 10)).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.from_numpy(images[:-256].copy()).float() / 255
    y = torch.from_numpy(targets[:-256])
    start = time.perf_counter()
    for first in range(0, len(x), batch_size):
        loss = torch.nn.functional.cross_entropy(model(images=x[first:first + batch_size]), y[first:first + batch_size])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5120)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    n = args.images + 256
    images = read_idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:n]
    targets = read_idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)[:n]
    for threads in args.threads:
        config = trainwright.build_config(overrides={"model": {"name": "resnet"},
                                                     "train": {"threads": threads, "epochs": 1, "batch_size": 128}})
        use_threads(threads)
        seed_everything(0)
        trainer_epoch(config, images[:1280], targets[:1280])  # warm-up: Lightning's import, first allocations
        trainer = trainer_epoch(config, images, targets)
        bare = bare_steps(config, images, targets)
        print(f"threads {threads}: Trainer {args.images / trainer:.0f} images/s ({trainer:.1f} s), "
              f"bare steps {args.images / bare:.0f} images/s ({bare:.1f} s)")


if __name__ == "__main__":
    main()
