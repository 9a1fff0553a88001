"""The image encoder: a fitted stage from image names (file paths, `archive.zip:member`) or bytes to the (n, C, H, W)
uint8 pixels a model reads.

`fit` decides one size and one mode from the training images' headers and the model: images that all have one
size keep it (up to the model's largest), mixed sizes go to the median side, capped (128 px for resnet; a
pretrained network's own square, 224 for efficientnet_lite0); grayscale stays one channel when every image is
grayscale. `transform` decodes in a thread pool. A run decodes each image once: the reader `remember`s the pixels
it decoded, and `transform` takes them from there.
"""

from __future__ import annotations

import io
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..stage import check_is_fitted
from .arrays import ImageArray, load_images, resize, to_array
from .decode import decode
from .sources import ImageSet, Problem

LARGEST = 128  # the side mixed sizes are capped at for a network trained from scratch: CPU-sized
SMALLEST = 16  # resnet halves three times: smaller images leave too little to pool
_SAMPLE = 2000  # headers read to decide the size: enough for a stable median, cheap on 60,000 images
_GRAY = {"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
_MEMBER = re.compile(r"^(.*?\.zip):(.+)$", re.IGNORECASE)


class ImageEncoder:
    """Images -> (n, channels, height, width) uint8, at the size and mode fitted on the training images.

    square: a fixed side (a pretrained network's input size); None to decide from the images, up to `largest`.
    Fitted, it holds `size_` (height, width), `mode_` ("RGB" or "L") and `summary_`, said once in the run's log."""

    def __init__(self, column: str = "image", square: int | None = None, largest: int = LARGEST, fit: str = "pad"):
        self.column = column
        self.square = square
        self.largest = largest
        self.fit_mode = fit
        self._remembered: dict[str, np.ndarray] = {}  # pixels decoded by this run's reader, by name; not saved
        self.left_out: list[Problem] = []  # the files this run's reader left out; not saved

    @property
    def channels(self) -> int:
        check_is_fitted(self, "mode_")
        return 3 if self.mode_ == "RGB" else 1

    def fit(self, images: ImageSet | list[str]) -> ImageEncoder:
        """Decide the size and the mode from the headers of (a sample of) the training images."""
        images = images if isinstance(images, ImageSet) else image_set(list(images))
        shapes, modes = _headers(images)
        if not shapes:
            raise DataError(f"{images.source}: none of the images could be opened; run `trainwright doctor "
                            f"{images.source}` to see what is wrong with them.")
        gray = all(mode in _GRAY for mode in modes)
        self.mode_ = "L" if gray else "RGB"
        self.size_ = self._size(shapes)
        heights, widths = zip(*shapes)
        low, high = min(min(heights), min(widths)), max(max(heights), max(widths))
        seen = f"{low} px" if low == high else f"sizes {low}–{high} px"
        kept = tuple(self.size_) == shapes[0] and len(set(shapes)) == 1
        colour = "grayscale kept" if gray else "colour (RGB)"
        self.summary_ = (f"images kept at {self.size_[0]}×{self.size_[1]}; {colour}" if kept else
                         f"images resized to {self.size_[0]}×{self.size_[1]} ({seen}); {colour}")
        return self

    def _size(self, shapes: list[tuple[int, int]]) -> list[int]:
        if self.square:
            return [self.square, self.square]
        if len(set(shapes)) == 1 and max(shapes[0]) <= self.largest and min(shapes[0]) >= SMALLEST:
            return list(shapes[0])
        side = statistics.median(max(shape) for shape in shapes)
        side = int(min(self.largest, max(SMALLEST, side)))
        return [side, side]

    def remember(self, names: list[str], pixels: np.ndarray) -> None:
        """Keep pixels this run decoded (at the fitted size), so that `transform` does not decode them again."""
        check_is_fitted(self, "size_")
        self._remembered.update(zip(names, pixels))

    def load(self, images: ImageSet) -> ImageArray:
        """Every image of `images` decoded at the fitted size: the pixels of those that decoded, the others as
        problems (never an exception)."""
        check_is_fitted(self, "size_")
        return load_images(images, tuple(self.size_), self.mode_, self.fit_mode)

    def transform(self, names: list[str]) -> np.ndarray:
        """(n, C, H, W) uint8 for these image names, in order; DataError naming the files that cannot be used."""
        check_is_fitted(self, "size_")
        names = [str(name) for name in names]
        known = self._remembered
        missing = sorted({name for name in names if name not in known})
        if missing:  # decoded for this call only: a long-lived predictor must not grow with what it was shown
            loaded = self.load(image_set(missing))
            if loaded.problems:
                raise DataError(_problems_said(loaded.problems))
            known = {**known, **{missing[i]: pixels for i, pixels in zip(loaded.kept, loaded.pixels)}}
        pixels = np.empty((len(names), self.channels, *self.size_), dtype=np.uint8)
        for row, name in enumerate(names):
            pixels[row] = known[name]
        return pixels

    def encode_items(self, items: list) -> tuple[np.ndarray, list[int], list[Problem]]:
        """Paths or bytes (a predictor's inputs) -> (pixels of those that decoded, their positions, problems)."""
        check_is_fitted(self, "size_")
        named = [i for i, item in enumerate(items) if not isinstance(item, (bytes, bytearray))]
        loaded = self.load(image_set([str(items[i]) for i in named])) if named else None
        results: list = [None] * len(items)
        if loaded is not None:
            for slot, index in enumerate(loaded.kept):
                results[named[index]] = loaded.pixels[slot]
            problems = {p.path: p for p in loaded.problems}
            for i in named:
                if results[i] is None:
                    results[i] = problems.get(str(items[i])) or Problem(str(items[i]), "unreadable",
                                                                        f"{items[i]}: cannot be read; left out")
        for i, item in enumerate(items):
            if isinstance(item, (bytes, bytearray)):
                results[i] = self._from_bytes(bytes(item), f"input {i + 1} (bytes)")
        kept = [i for i, result in enumerate(results) if not isinstance(result, Problem)]
        pixels = np.empty((len(kept), self.channels, *self.size_), dtype=np.uint8)
        for slot, index in enumerate(kept):
            pixels[slot] = results[index]
        return pixels, kept, [r for r in results if isinstance(r, Problem)]

    def _from_bytes(self, data: bytes, name: str):
        decoded = decode(data, name, self.mode_)
        if isinstance(decoded, Problem):
            return decoded
        return to_array(resize(decoded.image, tuple(self.size_), self.fit_mode))

    def to_dict(self) -> dict:
        check_is_fitted(self, "size_")
        return {"column": self.column, "square": self.square, "largest": self.largest, "fit": self.fit_mode,
                "size": list(self.size_), "mode": self.mode_, "summary": self.summary_}

    @classmethod
    def from_dict(cls, state: dict) -> ImageEncoder:
        encoder = cls(state["column"], state["square"], state["largest"], state["fit"])
        encoder.size_, encoder.mode_, encoder.summary_ = list(state["size"]), state["mode"], state["summary"]
        return encoder


def image_set(names: list[str]) -> ImageSet:
    """Image names as an ImageSet to decode: files, or members of one zip (`archive.zip:member`)."""
    archives = {match.group(1) for name in names if (match := _MEMBER.match(name))}
    if len(archives) > 1 or (archives and len(archives) == 1 and not all(_MEMBER.match(n) for n in names)):
        raise DataError(f"images from several archives ({', '.join(sorted(archives))}) or mixed with files: give "
                        "the images of one zip, or files, at a time.")
    if archives:
        archive = archives.pop()
        members = [_MEMBER.match(name).group(2) for name in names]
        return ImageSet(archive, "zip", "zip members", members, [""] * len(names), [], archive=Path(archive))
    return ImageSet("images", "files", "image files", list(names), [""] * len(names), [])


def _headers(images: ImageSet) -> tuple[list[tuple[int, int]], list[str]]:
    """(height, width) and mode of an evenly spaced sample of the images, those whose header can be read."""
    from PIL import Image

    step = max(1, len(images) // _SAMPLE)

    def one(index: int):
        try:
            # a file is opened in place: Pillow reads its header, not the whole of a large photo
            source = images.items[index] if images.archive is None else io.BytesIO(images.read_bytes(index))
            with Image.open(source) as image:
                width, height = image.size
                if image.getexif().get(0x0112) in (5, 6, 7, 8):
                    width, height = height, width  # shown upright: rotated a quarter turn
                return (height, width), image.mode
        except Exception:  # the reader lists the files that cannot be used; here they only have no say
            return None

    with ThreadPoolExecutor() as pool:
        found = [r for r in pool.map(one, range(0, len(images), step)) if r is not None]
    return [shape for shape, _ in found], [mode for _, mode in found]


def _problems_said(problems: list[Problem], shown: int = 5) -> str:
    head = "; ".join(p.message for p in problems[:shown])
    more = f"; and {len(problems) - shown} more" if len(problems) > shown else ""
    return f"{len(problems)} image{'s' if len(problems) > 1 else ''} cannot be used: {head}{more}."
