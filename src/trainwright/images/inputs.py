"""What a predictor of images is given, as a flat list: image files, folders of them (searched recursively), zips
of them (read in place), tables with a column of image paths, and raw bytes. Folders, zips and tables are
expanded into the image names they hold, sorted, so that one prediction row stands for one image. A model that
reads table columns beside each picture takes tables alone, read whole (`image_table`)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .sources import IMAGE_SHARE, is_image_name

TABLES = (".csv", ".tsv", ".jsonl", ".parquet")


def image_items(inputs) -> list:
    """`inputs` (a path, bytes, or a list of them) as image names (str) and bytes, folders and zips expanded."""
    if isinstance(inputs, (str, Path, bytes, bytearray)):
        inputs = [inputs]
    items: list = []
    for item in inputs:
        if isinstance(item, (bytes, bytearray)):
            items.append(bytes(item))
            continue
        path = Path(item)
        if path.is_dir():
            items += sorted(str(p) for p in path.rglob("*") if p.is_file() and is_image_name(p.name)
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.suffix.lower() == ".zip" and path.is_file():
            items += _zip_members(path)
        elif path.suffix.lower() in TABLES and path.is_file():
            items += _table_paths(path)
        else:
            items.append(str(item))  # a file, or a name that the decoder will report as missing
    return items


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"{path}: not a readable zip file ({e}). Zip the images again, or give the folder.") from None
    return [f"{path}:{name}" for name in sorted(names) if is_image_name(name) and not name.startswith("__MACOSX")]


def _table_paths(path: Path) -> list[str]:
    frame, column = _read_image_table(path)
    return frame[column].dropna().tolist()


def image_table(inputs, needed: str) -> pd.DataFrame:
    """The rows of the table file(s) `inputs` (a path, or a list of paths) as one DataFrame, its image paths made
    relative to the working folder, for a model that reads table columns beside each picture; anything else (a
    picture, bytes, a folder, a zip) is a DataError that says what is `needed`."""
    paths = [inputs] if isinstance(inputs, (str, Path, bytes, bytearray)) else list(inputs)
    tables = [Path(p) for p in paths if isinstance(p, (str, Path)) and Path(p).suffix.lower() in TABLES]
    if not paths or len(tables) != len(paths):
        shown = next((p for p in paths if not isinstance(p, (str, Path)) or Path(p).suffix.lower() not in TABLES),
                     None)
        what = "nothing" if shown is None else "bytes" if isinstance(shown, (bytes, bytearray)) else repr(str(shown))
        raise DataError(f"Got {what}: {needed}.")
    for path in tables:
        if not path.is_file():
            raise DataError(f"{path}: no such file. Check the path (relative paths start from {Path.cwd()}).")
    return pd.concat([_read_image_table(path)[0] for path in tables], ignore_index=True)


def _read_image_table(path: Path) -> tuple[pd.DataFrame, str]:
    """(the table at `path` with its image paths joined to the table's folder, the image column)."""
    from ..data.readers import read_table

    frame = read_table(path)
    column = next((c for c in frame.columns if frame[c].dropna().astype(str).map(is_image_name).mean() >= IMAGE_SHARE),
                  None)
    if column is None:
        raise DataError(f"{path}: no column of image paths (columns: {', '.join(map(str, frame.columns))}); a table "
                        "of images needs a column whose values are image file names.")
    # paths are relative to the table's folder, as when training; a missing one stays missing
    frame[column] = [value if pd.isna(value) else str(path.parent / str(value).strip()) for value in frame[column]]
    return frame, column
