"""Grids of pictures for an image run's report, drawn with Pillow as PNG bytes.

    wrong_grid(images, labels, probabilities, classes)   the most confidently wrong validation pictures, each
                                                         captioned with its true label and the predicted one
                                                         with its probability
    class_grid(images, labels, classes, augment)         a row of sample pictures per class, as the model saw
                                                         them in training: resized, then augmented

Inputs are plain arrays: images (n, channels, height, width) uint8 as the image encoder produces them, labels
(n,) as class indices or class values, probabilities (n, classes) aligned with `classes`. Small pictures are
enlarged by whole pixels (nearest neighbour), so a 28 x 28 digit stays sharp instead of blurred.
"""

from __future__ import annotations

import io
from typing import Callable, Sequence

import numpy as np

TILE = 112  # the longer side of each picture in the grid, in pixels
WRONG_LIMIT = 24
PER_CLASS = 8
MAX_CLASSES = 20  # rows of the class grid; more classes: the first 20, and the caption says so
COLUMNS = 8
_PAD, _CAPTION = 8, 34  # space around each tile; two lines of caption under it
_INK, _MUTED, _TRUE, _WRONG, _PAPER = (29, 35, 48), (107, 115, 133), (34, 120, 60), (180, 35, 24), (255, 255, 255)


def wrong_grid(images: np.ndarray, labels: Sequence, probabilities: np.ndarray, classes: Sequence,
               limit: int = WRONG_LIMIT) -> bytes | None:
    """The `limit` wrongly classified pictures the model was surest of, surest first, each captioned "true X" and
    "predicted Y 97%"; None when every picture is classified correctly."""
    images, probabilities = _pictures(images), np.asarray(probabilities, dtype=np.float64)
    truth = class_indices(labels, classes)
    if probabilities.shape != (len(images), len(classes)):
        raise ValueError(f"probabilities: expected shape ({len(images)}, {len(classes)}) (pictures, classes); got "
                         f"{probabilities.shape}.")
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(images)), predicted]
    wrong = np.flatnonzero(predicted != truth)
    if not len(wrong):
        return None
    wrong = wrong[np.argsort(-confidence[wrong], kind="stable")][:limit]
    tiles = [(images[i], [(f"true {classes[truth[i]]}", _TRUE),
                          (f"predicted {classes[predicted[i]]} {confidence[i]:.0%}", _WRONG)]) for i in wrong]
    return _png(_grid(tiles, COLUMNS))


def class_grid(images: np.ndarray, labels: Sequence, classes: Sequence,
               augment: Callable | None = None, per_class: int = PER_CLASS, seed: int = 0) -> bytes:
    """Up to `per_class` random pictures of each class, one row per class (the class name at its start), each
    passed through `augment` when given: a callable on a uint8 batch (n, channels, height, width) returning the
    batch as the model reads it (uint8, or floats in [0, 1]; a numpy array or a torch tensor)."""
    images = _pictures(images)
    truth = class_indices(labels, classes)
    rng = np.random.default_rng(seed)
    rows = []
    for index, name in enumerate(classes[:MAX_CLASSES]):
        members = np.flatnonzero(truth == index)
        chosen = np.sort(rng.permutation(members)[:per_class])
        batch = images[chosen]
        if augment is not None and len(batch):
            batch = _pictures(augment(batch))
        rows.append((str(name), [(picture, []) for picture in batch]))
    return _png(_class_rows(rows, max([len(tiles) for _, tiles in rows] + [1])))


def class_indices(labels: Sequence, classes: Sequence) -> np.ndarray:
    """(n,) class indices from labels given as indices (integers) or as the classes' own values."""
    labels = np.asarray(labels)
    names = list(classes)
    if labels.dtype.kind in "iu" and not all(isinstance(c, (int, np.integer)) for c in names):
        indices = labels.astype(np.int64)
    else:
        position = {value: i for i, value in enumerate(names)}
        unknown = [value for value in labels.tolist() if value not in position]
        if unknown:
            raise ValueError(f"labels: {unknown[0]!r} is not one of the classes ({', '.join(map(str, names[:10]))}"
                             f"{' ...' if len(names) > 10 else ''}).")
        indices = np.array([position[value] for value in labels.tolist()], dtype=np.int64)
    if len(indices) and (indices.min() < 0 or indices.max() >= len(names)):
        raise ValueError(f"labels: class index {int(indices.max())} is outside 0..{len(names) - 1}.")
    return indices


def _pictures(images) -> np.ndarray:
    """(n, channels, height, width) uint8 from uint8 or [0, 1] floats, numpy or torch."""
    if hasattr(images, "detach"):  # a torch tensor, from an augmentation
        images = images.detach().cpu().numpy()
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images: expected (n, channels, height, width) with 1 or 3 channels; got shape "
                         f"{images.shape}.")
    if images.dtype != np.uint8:
        images = np.clip(np.rint(images.astype(np.float32) * 255), 0, 255).astype(np.uint8)
    return images


def _tile(picture: np.ndarray):
    """One (channels, h, w) picture as a PIL image whose longer side is TILE pixels."""
    from PIL import Image

    pixels = picture[0] if picture.shape[0] == 1 else picture.transpose(1, 2, 0)
    image = Image.fromarray(np.ascontiguousarray(pixels), "L" if picture.shape[0] == 1 else "RGB").convert("RGB")
    scale = TILE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # enlarged by repeating pixels, which keeps small pictures sharp; reductions are averaged
    return image.resize(size, Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.LANCZOS)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _grid(tiles: list, columns: int):
    """Tiles (picture, [(caption line, colour), ...]) laid out `columns` to a row."""
    from PIL import Image, ImageDraw

    columns = min(columns, len(tiles))
    rows = -(-len(tiles) // columns)
    cell_w, cell_h = TILE + 2 * _PAD + 24, TILE + 2 * _PAD + _CAPTION
    sheet = Image.new("RGB", (columns * cell_w, rows * cell_h), _PAPER)
    draw, font = ImageDraw.Draw(sheet), _font(12)
    for i, (picture, lines) in enumerate(tiles):
        x, y = (i % columns) * cell_w, (i // columns) * cell_h
        tile = _tile(picture)
        sheet.paste(tile, (x + (cell_w - tile.width) // 2, y + _PAD + (TILE - tile.height) // 2))
        for line, (text, colour) in enumerate(lines):
            draw.text((x + cell_w // 2, y + _PAD + TILE + 4 + 15 * line), _fit(draw, text, font, cell_w - 4),
                      fill=colour, font=font, anchor="ma")
    return sheet


def _class_rows(rows: list, columns: int):
    """One row per class: its name, then its pictures (`columns` at most)."""
    from PIL import Image, ImageDraw

    label_w, cell = 150, TILE + _PAD
    sheet = Image.new("RGB", (label_w + columns * cell + _PAD, len(rows) * cell + _PAD), _PAPER)
    draw, font = ImageDraw.Draw(sheet), _font(14)
    for r, (name, tiles) in enumerate(rows):
        y = _PAD + r * cell
        draw.text((_PAD, y + TILE // 2), _fit(draw, name, font, label_w - 2 * _PAD), fill=_INK, font=font,
                  anchor="lm")
        if not tiles:
            draw.text((label_w, y + TILE // 2), "no pictures", fill=_MUTED, font=font, anchor="lm")
        for c, (picture, _) in enumerate(tiles):
            tile = _tile(picture)
            sheet.paste(tile, (label_w + c * cell + (TILE - tile.width) // 2, y + (TILE - tile.height) // 2))
    return sheet


def _fit(draw, text: str, font, width: int) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
