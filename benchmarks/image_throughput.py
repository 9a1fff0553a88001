"""Training throughput of the residual CNN (model resnet, default settings) on Fashion-MNIST's 28x28 images, side
by side with the same network in Keras, in one run, at each thread count.

For each thread count, one after another on the same images (the first --images of the training set, the last
10% of them held out for validation, as both train by default) and the same batch size:
  keras        keras_fashion_cnn.py --idx in the Keras venv (a child process): Keras's fit on the arrays through
               its cached, shuffled, augmented tf.data pipeline; its second epoch, validation included
  trainwright  the one Trainer, as `trainwright train` runs it (augmented batches from the loader, Lightning's
               loop, validation): its second epoch, validation included (history.json's seconds)
  bare step    forward, cross-entropy, backward and AdamW on preloaded float batches: no loader, no
               augmentation, no validation, no Lightning; the floor the Trainer's overheads are measured against,
               in float32 and, where the CPU has bf16 instructions, under bf16 autocast as the Trainer trains
               this model there (train/trainer.py's precision)
Each prints training images per second; the last column is trainwright / Keras. The machine's load average is
printed first: the machine is shared, so compare figures of the same run only.

Run from the project root (the Keras venv is the main checkout's .bench-venv unless told):
    .venv/bin/python benchmarks/image_throughput.py [--images 5120] [--threads 1 2] [--batch-size 32]
    OMP_WAIT_POLICY= .venv/bin/python benchmarks/image_throughput.py --float32      # as before: spinning, float32
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import trainwright
from trainwright.images.augment import training_inputs
from trainwright.models import build_model, model_sizes
from trainwright.models.inputs import EncodedInputs, image_batch
from trainwright.train.process import seed_everything, use_threads
from trainwright.train import trainer as trainer_module
from trainwright.train.trainer import Trainer, precision

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "images" / "fashion-mnist"
KERAS = Path(__file__).with_name("keras_fashion_cnn.py")
BF16 = torch.ops.mkldnn._is_mkldnn_bf16_supported()


def read_idx(name: str, offset: int) -> np.ndarray:
    return np.frombuffer(gzip.open(DATA / name).read(), np.uint8, offset=offset).copy()  # writable, as torch wants


def resnet(config):
    return build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 10))


def trainer_images_per_s(config, images, targets) -> float:
    """Training images per second of the Trainer's second epoch (its validation included): the first warms up."""
    held = len(images) // 10
    train = EncodedInputs(None, None, None, images[:-held])
    valid = EncodedInputs(None, None, None, images[-held:])
    history = Trainer(config).fit(resnet(config), "multiclass", training_inputs(train, config.model, config.train.seed),
                                  targets[:-held], valid, targets[-held:], None)
    return history[-1]["samples"] / history[-1]["seconds"]


def bare_images_per_s(config, images, targets, bf16: bool) -> float:
    """Training images per second of plain steps over the same training images (after 5 warm-up steps)."""
    model = resnet(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.train.learning_rate)
    size, n = config.train.batch_size, len(images) - len(images) // 10
    x, y = image_batch(images[:n]), torch.from_numpy(targets[:n])
    batches = [(x[i:i + size], y[i:i + size]) for i in range(0, n, size)]
    start = 0.0
    for step, (inputs, target) in enumerate(batches[:5] + batches):
        if step == 5:
            start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.cross_entropy(model(images=inputs), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return n / (time.perf_counter() - start)


def keras_images_per_s(python: str, images: int, threads: int, batch_size: int) -> float:
    """Keras's training images per second in its second epoch, from keras_fashion_cnn.py's JSON line."""
    command = [python, str(KERAS), "--idx", str(DATA), "--images", str(images), "--test-images", "1000",
               "--epochs", "2", "--early-stop", "--threads", str(threads), "--batch-size", str(batch_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["train_samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5120, help="the first N training images (10%% validate)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32, help="both sides'; Keras's and trainwright's default")
    parser.add_argument("--keras-python", default=str(Path("/work/main/.bench-venv/bin/python")),
                        help="the Python of the venv with TensorFlow (see fashion_mnist.py)")
    parser.add_argument("--skip-keras", action="store_true")
    parser.add_argument("--float32", action="store_true",
                        help="the Trainer in float32 even on a bf16 CPU: the figures before bf16 autocast (for the "
                             "OpenMP threads of before too, run with OMP_WAIT_POLICY= set empty)")
    args = parser.parse_args()
    if args.float32:
        trainer_module.cpu_has_bf16 = lambda: False
    images = read_idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:args.images]
    targets = read_idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)[:args.images]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.images} images, "
          f"batch {args.batch_size}; torch {torch.__version__}; trainwright trains in "
          f"{precision(resnet(trainwright.build_config(overrides={'model': {'name': 'resnet'}})), 'cpu')}; "
          f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY')}", flush=True)
    for threads in args.threads:
        config = trainwright.build_config(overrides={"model": {"name": "resnet"}, "train": {
            "threads": threads, "epochs": 2, "batch_size": args.batch_size}})
        use_threads(threads)
        seed_everything(0)
        keras = 0.0 if args.skip_keras else keras_images_per_s(args.keras_python, args.images, threads,
                                                                 args.batch_size)
        trainer = trainer_images_per_s(config, images, targets)
        bare = bare_images_per_s(config, images, targets, bf16=False)
        bf16 = f"{bare_images_per_s(config, images, targets, bf16=True):.0f}" if BF16 else "-"
        ratio = f"{trainer / keras:.2f}x" if keras else "-"
        print(f"threads {threads}: keras {keras:.0f} images/s, trainwright {trainer:.0f}, bare step {bare:.0f} "
              f"(bf16 {bf16}); trainwright / keras {ratio}  (load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
