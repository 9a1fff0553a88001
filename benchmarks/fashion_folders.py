#!/usr/bin/env python3
"""Fashion-MNIST as users keep images: PNG files in a folder per class, written from the dataset's IDX files.

    OUT/train/<class>/00001.png ... (60,000 images)      OUT/test/<class>/00001.png ... (10,000 images)
    OUT/train-first<N>/<class>/...                       with --images N: the first N training images only

A file's number is its row in the IDX file, counted from 1, so any PNG can be traced back to the original array.
Class names come from the data README, made safe for file systems ("T-shirt/top" -> "T-shirt_top").
A folder is written once: a `.<folder>.complete.json` beside it, written last, marks it finished, and a later call with the same
images returns at once. Nothing here needs more than the standard library (the PNG encoder is 20 lines), so
any python3 can run it:

    python3 benchmarks/fashion_folders.py [--out DIR] [--images N] [--threads 8]

The default OUT is fashion-mnist-png under the system's temporary folder, never the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import struct
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "images" / "fashion-mnist"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "fashion-mnist-png"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
         "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


def folder_name(label: str) -> str:
    """A class name as a folder name: anything but letters, digits, '-' and '_' becomes '_'."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def read_idx(data: Path, split: str) -> tuple[bytes, bytes, int, int]:
    """(pixels, labels, rows, columns) of a split: one byte per pixel, row-major, image after image."""
    images_name, labels_name = FILES[split]
    try:
        images = gzip.open(data / images_name).read()
        labels = gzip.open(data / labels_name).read()
    except FileNotFoundError as e:
        raise SystemExit(f"fashion_folders: {e.filename} not found; pass the folder of the IDX files with --data.")
    # IDX: magic (0x0803 images, 0x0801 labels), then big-endian counts and sizes
    magic, count, rows, columns = struct.unpack(">IIII", images[:16])
    label_magic, label_count = struct.unpack(">II", labels[:8])
    if magic != 0x803 or label_magic != 0x801 or count != label_count:
        raise SystemExit(f"fashion_folders: {data / images_name} and {data / labels_name} are not a matching pair "
                         f"of IDX image and label files (magic {magic:#x}/{label_magic:#x}, {count}/{label_count} "
                         f"items); download them again.")
    return images[16:], labels[8:], rows, columns


def png(pixels: bytes, rows: int, columns: int) -> bytes:
    """An 8-bit grayscale PNG of `pixels` (row-major, one byte each)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    # every scanline starts with its filter type, 0 = none
    raw = b"".join(b"\x00" + pixels[r * columns:(r + 1) * columns] for r in range(rows))
    header = struct.pack(">IIBBBBB", columns, rows, 8, 0, 0, 0, 0)  # 8 bits, grayscale, deflate, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def marker(folder: Path) -> Path:
    """The file that marks `folder` finished: beside it, so that the image folder holds nothing but classes."""
    return folder.parent / f".{folder.name}.complete.json"


def is_complete(folder: Path, expected: dict) -> bool:
    try:
        return json.loads(marker(folder).read_text()) == expected
    except (OSError, ValueError):
        return False


def write_split(data: Path, split: str, folder: Path, limit: int | None, threads: int) -> dict:
    """Writes folder/<class>/<row>.png for the split's first `limit` images (all when None); returns its summary."""
    pixels, labels, rows, columns = read_idx(data, split)
    count = len(labels) if limit is None else min(limit, len(labels))
    per_class = {folder_name(c): labels[:count].count(i) for i, c in enumerate(CLASSES)}
    expected = {"source": str(data), "split": split, "images": count, "per_class": per_class}
    if is_complete(folder, expected):
        return {**expected, "written": False}
    for name in per_class:
        (folder / name).mkdir(parents=True, exist_ok=True)
    size = rows * columns
    width = len(str(len(labels)))

    def write(index: int) -> None:
        path = folder / folder_name(CLASSES[labels[index]]) / f"{index + 1:0{width}d}.png"
        path.write_bytes(png(pixels[index * size:(index + 1) * size], rows, columns))

    # zlib and file writes release the GIL, so threads overlap them
    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(write, range(count), chunksize=256):
            pass
    marker(folder).write_text(json.dumps(expected, indent=1) + "\n")  # last: a crash leaves it unmarked
    return {**expected, "written": True}


def write_folders(out: Path = DEFAULT_OUT, images: int | None = None, data: Path = DATA,
                  threads: int = 8) -> dict[str, Path]:
    """The train and test folders under `out`, written where missing or incomplete: {"train": ..., "test": ...}.
    With `images`, the train folder holds the first `images` training images (train-first<N>); test is whole."""
    train = out / ("train" if images is None else f"train-first{images}")
    folders = {"train": train, "test": out / "test"}
    for split, folder in folders.items():
        started = time.perf_counter()
        summary = write_split(data, split, folder, images if split == "train" else None, threads)
        what = f"wrote {summary['images']:,} PNGs" if summary["written"] else f"{summary['images']:,} PNGs already there"
        print(f"{split}: {what} in {folder} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return folders


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"cache folder (default {DEFAULT_OUT})")
    parser.add_argument("--data", type=Path, default=DATA, help=f"folder of the IDX .gz files (default {DATA})")
    parser.add_argument("--images", type=int, help="write only the first N training images (train-first<N>)")
    parser.add_argument("--threads", type=int, default=8, help="writer threads (default 8)")
    a = parser.parse_args(argv)
    if a.images is not None and a.images < 1:
        parser.error("--images must be at least 1")
    write_folders(a.out, a.images, a.data, a.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
