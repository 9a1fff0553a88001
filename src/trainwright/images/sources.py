"""Finding a labeled image dataset: a folder per class, a zip of one, or a table of image paths and labels.

`find_images(path)` returns an `ImageSet`: where each image is (a file, or a member of a zip read in place), its
label, the class names in a stable (sorted) order, the table's other columns, and the layout said in words.
Problems that leave an image out (a path naming no file, an empty class folder) are `Problem`s the caller shows;
problems that leave nothing to use raise DataError.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from ..errors import ConfigError, DataError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
LABEL_NAMES = ("label", "labels", "class", "category", "target", "y")  # a table's label column, when not given
IMAGE_SHARE = 0.9  # a table column is an image column when this share of its values end in an image extension
_IMAGE_NAME = re.compile(r"\.(png|jpe?g|bmp|gif|webp|tiff?)$", re.IGNORECASE)
_SNIFF_ROWS = 50
# Bytes an image file (or a zip member, once inflated) may have: a 20-megapixel photo is ~10 MB as JPEG and
# ~60 MB as an uncompressed TIFF. Checked before reading, so that a zip bomb's member is never inflated.
BYTE_LIMIT = 256 * 2**20
SCANNED = 10_000  # entries of a folder or zip looked at to tell whether it holds images


class TooLarge(ValueError):
    """A file or zip member larger than BYTE_LIMIT: not read."""


@dataclass
class Problem:
    """One image left out, or one fact about the dataset's files: where, which check, what is wrong."""

    path: str  # the file, "archive.zip:member", or the folder
    check: str  # "missing_file", "empty_class", "not_an_image_name", and decode.py's checks
    message: str
    row: int | None = None  # the table's data row, counting from 1, for a table


@dataclass
class ImageSet:
    """Labeled images, as found: `items[i]` (a path, or a zip member) has label `labels[i]`."""

    source: str
    layout: str  # "folder", "zip" or "table"
    description: str  # the layout in words, told to the user once
    items: list[str]
    labels: list[str]
    classes: list[str]  # sorted, so class ids do not depend on the order files were listed
    extra: pd.DataFrame | None = None  # a table's other columns, one row per item
    rows: list[int] | None = None  # a table's data row of each item, from 1
    archive: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.items)

    def name(self, index: int) -> str:
        """The item as a user finds it: its path, or `archive.zip:member`."""
        return f"{self.archive}:{self.items[index]}" if self.archive else self.items[index]

    def read_bytes(self, index: int) -> bytes:
        """The file's bytes; safe from several threads (one open zip, read under a lock). OSError when it cannot be
        read, TooLarge when it has more than BYTE_LIMIT bytes."""
        if self.archive is None:
            path = Path(self.items[index])
            _check_size(path.stat().st_size)
            return path.read_bytes()
        with self._lock:
            if self._zip is None:
                self._zip = zipfile.ZipFile(self.archive)
            # zipfile inflates a member to its declared size and no further, so checking that size suffices
            _check_size(self._zip.getinfo(self.items[index]).file_size)
            return self._zip.read(self.items[index])

    def close(self) -> None:
        """Close the zip file, if one is open; reading again reopens it."""
        with self._lock:
            if self._zip is not None:
                self._zip.close()
                self._zip = None

    def counts(self) -> dict[str, int]:
        """Images per class, in class order."""
        counts = dict.fromkeys(self.classes, 0)
        for label in self.labels:
            counts[label] += 1
        return counts


def _check_size(size: int) -> None:
    if size > BYTE_LIMIT:
        raise TooLarge(f"{size:,} bytes, more than the {BYTE_LIMIT:,} an image file may have; not read")


def is_image_name(name: str) -> bool:
    return bool(_IMAGE_NAME.search(name.strip()))


def looks_like_images(path: str | Path) -> bool:
    """Whether `path` is an image dataset rather than a plain table: a folder, a zip, or a table with a column of
    image file names. Cheap: a table's first rows are read, not the whole file."""
    path = Path(path)
    if path.is_dir():
        return _holds_images(path)
    if path.suffix.lower() == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                return any(is_image_name(name) for name in archive.namelist()[:SCANNED])
        except (OSError, zipfile.BadZipFile):
            return True  # a broken zip given for images: the image reader names what is wrong with it
    if not path.is_file():
        return False
    try:
        head = _head(path)
    except Exception:  # whatever is wrong with the file, the table reader will say it better
        return False
    return head is not None and _image_column(head) is not None


def _holds_images(folder: Path) -> bool:
    """Whether an image file is among the first SCANNED entries under `folder` (a folder of tables is not an image
    dataset: the table reader tells which file to give)."""
    seen = 0
    for _, _, names in os.walk(folder):
        for name in names:
            if is_image_name(name):
                return True
            seen += 1
            if seen >= SCANNED:
                return False
    return False


def _head(path: Path) -> pd.DataFrame | None:
    """The first rows of a table file, read leniently; None for a file that is not a table."""
    from ..data.readers import FORMATS

    fmt = FORMATS.get(path.suffix.lower())
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).read_row_group(0).slice(0, _SNIFF_ROWS).to_pandas()
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, nrows=_SNIFF_ROWS, encoding_errors="replace")
    if fmt in ("csv", "tsv"):
        return pd.read_csv(path, sep="\t" if fmt == "tsv" else ",", nrows=_SNIFF_ROWS, dtype=str,
                           encoding_errors="replace", on_bad_lines="skip")
    return None


def find_images(path: str | Path, label: str | None = None, image_column: str | None = None) -> ImageSet:
    """The labeled images at `path`: a folder with one subfolder per class, a .zip of one, or a table (.csv,
    .tsv, .jsonl, .parquet) with a column of image paths (relative to the table's folder) and a label column.

    label, image_column: a table's columns (recognized when not given: the column whose values are image file
    names, and a column named label, class, ...). Raises DataError when nothing usable is found.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder. Check the path (relative paths start from {Path.cwd()}).")
    if (path.is_dir() or path.suffix.lower() == ".zip") and (label or image_column):
        raise ConfigError(f"--target {label or image_column}: {path} is a {'folder' if path.is_dir() else 'zip'} "
                          "of class folders, whose names are the labels; leave --target out, or give a table "
                          "of image paths and labels.")
    if path.is_dir():
        return _from_folder(path)
    if path.suffix.lower() == ".zip":
        return _from_zip(path)
    return _from_table(path, label, image_column)


def _from_folder(root: Path) -> ImageSet:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        loose = sum(1 for p in root.iterdir() if is_image_name(p.name))
        lie = f" ({loose} image{' lies' if loose == 1 else 's lie'} loose in it)" if loose else ""
        raise DataError(f"{root} has no class subfolders{lie}: "
                        "put each class's images in a subfolder named after the class (train/cat/1.png, "
                        "train/dog/2.png), or give a table of image paths and labels.")
    members = {f.name: sorted(str(p) for p in f.rglob("*") if p.is_file() and not p.name.startswith("."))
               for f in folders}
    return _labeled(str(root), "folder", members, f"a folder with one subfolder per class ({len(folders)} "
                    "subfolders)", archive=None)


def _from_zip(path: Path) -> ImageSet:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"{path}: not a readable zip file ({e}). Zip the folder again, or give the folder.") from None
    kept = []
    for name in names:
        parts = _safe_parts(path, name)
        if parts[0] != "__MACOSX" and not parts[-1].startswith("."):  # macOS's resource forks, hidden files
            kept.append((parts, name))
    # A single top folder (data.zip: train/cat/1.png) is the zipped folder itself, not a class: strip it.
    tops = {parts[0] for parts, _ in kept if len(parts) > 1}
    if len(tops) == 1 and all(len(parts) > 2 for parts, _ in kept):
        kept = [(parts[1:], name) for parts, name in kept]
    by_class: dict[str, list[str]] = {}
    for parts, name in kept:
        if len(parts) > 1:
            by_class.setdefault(parts[0], []).append(name)
    loose = sum(len(parts) == 1 for parts, _ in kept)
    if not by_class:
        raise DataError(f"{path} has no class folders inside{f' ({loose} files lie at its top)' if loose else ''}: "
                        "zip a folder with one subfolder per class (cat/1.png, dog/2.png).")
    return _labeled(str(path), "zip", {k: sorted(v) for k, v in sorted(by_class.items())},
                    f"a zip of a folder with one subfolder per class ({len(by_class)} subfolders), read in place",
                    archive=path)


def _safe_parts(archive: Path, name: str) -> tuple[str, ...]:
    """A member's path parts; an absolute path or one climbing out with '..' (a "zip slip") is refused: such an
    archive was made to write outside its folder, and we will not trust the rest of it either."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or re.match(r"^[A-Za-z]:", name):
        raise DataError(f"{archive}: the member '{name}' has an absolute path or climbs out with '..'; such an "
                        "archive is refused. Zip the folder again from inside it.")
    return posix.parts


def _labeled(source: str, layout: str, members: dict[str, list[str]], description: str,
             archive: Path | None) -> ImageSet:
    """The images of each class folder (label -> its files), the other files and empty classes as problems."""
    shown = (lambda member: f"{archive}:{member}") if archive else str
    items, labels, problems = [], [], []
    for label, files in members.items():
        images = [f for f in files if is_image_name(f)]
        problems += [Problem(shown(f), "not_an_image_name", f"{shown(f)}: not an image file name "
                             f"({', '.join(EXTENSIONS)}); left out") for f in files if not is_image_name(f)]
        if not images:
            where = shown(f"{label}/") if archive else str(Path(source) / label)
            problems.append(Problem(where, "empty_class", f"class folder {where} holds no images; the class "
                                    f"'{label}' is left out"))
            continue
        items += images
        labels += [label] * len(images)
    if not items:
        raise DataError(f"{source}: no images in its class folders (files ending in {', '.join(EXTENSIONS)}).")
    return ImageSet(source, layout, description, items, labels, sorted(set(labels)), archive=archive,
                    problems=problems)


def _from_table(path: Path, label: str | None, image_column: str | None) -> ImageSet:
    from ..data.readers import read_table

    frame = read_table(path)
    column = image_column or _image_column(frame)
    if column is None or column not in frame.columns:
        raise DataError(f"{path}: no column of image paths{f' named {image_column!r}' if image_column else ''} "
                        f"(columns: {', '.join(map(str, frame.columns))}). A table of images needs a column whose "
                        f"values end in {', '.join(EXTENSIONS)}.")
    label = label or _label_column(frame, path, column)
    if label not in frame.columns:
        raise DataError(f"{path}: no label column '{label}' (columns: {', '.join(map(str, frame.columns))}).")
    items, labels, rows, problems = [], [], [], []
    for row, (value, target) in enumerate(zip(frame[column], frame[label]), start=1):
        if pd.isna(value) or pd.isna(target) or not str(value).strip():
            problems.append(Problem(str(path), "missing_value", f"{path}, row {row}: no image path or no label; "
                                    "left out", row=row))
            continue
        file = (path.parent / str(value).strip())
        if not file.is_file():
            problems.append(Problem(str(file), "missing_file", f"{path}, row {row}, column {column}: {value} names "
                                    f"no file ({file}); left out", row=row))
            continue
        items.append(str(file))
        labels.append(str(target))
        rows.append(row)
    if not items:
        raise DataError(f"{path}: none of the paths in column '{column}' names an image file (first: "
                        f"{frame[column].iloc[0]!r}). Paths are relative to the table's folder {path.parent}.")
    extra = frame.iloc[[r - 1 for r in rows]].drop(columns=[column, label]).reset_index(drop=True)
    description = (f"a table of image paths: images in column '{column}', labels in '{label}'"
                   + (f", {len(extra.columns)} other columns" if len(extra.columns) else ""))
    return ImageSet(str(path), "table", description, items, labels, sorted(set(labels)),
                    extra=extra if len(extra.columns) else None, rows=rows, problems=problems)


def _image_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and (values.dtype == object or pd.api.types.is_string_dtype(values)):
            if values.astype(str).map(is_image_name).mean() >= IMAGE_SHARE:
                return column
    return None


def _label_column(frame: pd.DataFrame, path: Path, image_column: str) -> str:
    others = [c for c in frame.columns if c != image_column]
    named = [c for c in others if str(c).strip().lower() in LABEL_NAMES]
    if named:
        return named[0]
    if len(others) == 1:
        return others[0]
    raise DataError(f"{path}: which column is the label? None is named {', '.join(LABEL_NAMES)} (columns: "
                    f"{', '.join(map(str, others))}). Pass --target COLUMN.")
