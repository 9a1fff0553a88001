"""Images: finding a labeled image dataset, decoding it robustly, and loading it as one uint8 array.

    images = find_images("train/")          # a folder per class, a zip of one, or a table of paths and labels
    loaded = load_images(images, size=(28, 28), mode="L")
    loaded.pixels                           # (N, 1, 28, 28) uint8
    loaded.problems                         # each file left out, with its path and what is wrong
"""

from ..lazy import lazy_exports

__all__ = ["ImageArray", "ImageSet", "Problem", "find_images", "load_images", "looks_like_images"]
_HOMES = {"ImageArray": ".arrays", "load_images": ".arrays", "ImageSet": ".sources", "Problem": ".sources",
          "find_images": ".sources", "looks_like_images": ".sources"}

# Loaded on first use: the doctor command asks whether a path holds images, and `--help` must not wait for PIL.
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
