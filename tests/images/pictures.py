"""Image folders written with Pillow for the image tests: clean classes, and every broken file the readers must
survive. (A helper module, not a conftest.py: a second conftest would shadow `from conftest import ...`.)"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def pattern(seed: int, size: tuple[int, int] = (24, 24), mode: str = "RGB") -> Image.Image:
    """A random smooth picture, distinct per seed: perceptual hashes of two seeds are ~32 bits apart, and a resized
    or recompressed copy stays within a bit or two (hard-edged blocks would not: JPEG rings around their edges)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    image = Image.fromarray(blocks).resize(size, Image.Resampling.BILINEAR)
    return image.convert(mode)


def save(image: Image.Image, path: Path, **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def write_broken(folder: Path) -> dict[str, Path]:
    """One file of each kind of broken or odd picture, in `folder`; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    noise = np.random.default_rng(7).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    whole = jpeg_bytes(Image.fromarray(noise), quality=95)
    files["truncated"] = folder / "truncated.jpg"
    files["truncated"].write_bytes(whole[: len(whole) * 2 // 3])  # the header whole, the pixels cut short
    files["zero"] = folder / "zero.png"
    files["zero"].write_bytes(b"")
    files["text"] = folder / "notes.jpg"
    files["text"].write_text("this is a text file, not a picture\n")
    files["cmyk"] = save(pattern(101).convert("CMYK"), folder / "cmyk.jpg")
    deep = (np.arange(24 * 24, dtype=np.uint16).reshape(24, 24) * 113).astype(np.uint16)
    files["16bit"] = save(Image.fromarray(deep), folder / "deep.png")
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    files["gif"] = folder / "animated.gif"
    frames[0].save(files["gif"], save_all=True, append_images=frames[1:], duration=100, loop=0)
    files["big"] = save(pattern(102, (300, 200)), folder / "big.png")  # over a limit the tests set low
    files["rotated"] = _exif_rotated(folder / "rotated.jpg")
    palette = Image.new("P", (16, 16), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.paste(0, (0, 0, 8, 16))  # left half: index 0, transparent
    files["palette"] = save(palette, folder / "palette.png", transparency=0)
    return files


def _exif_rotated(path: Path) -> Path:
    """A 40 wide x 20 tall JPEG whose EXIF says: rotate 90 degrees clockwise to show it (orientation 6)."""
    image = Image.new("RGB", (40, 20), "white")
    image.paste((255, 0, 0), (0, 0, 20, 20))  # red on the left as stored: on top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    return save(image, path, exif=exif, quality=95)


def write_classes(root: Path, counts: dict[str, int], seed: int = 0, ext: str = "png") -> Path:
    """A folder per class holding `counts[label]` distinct pictures."""
    for k, (label, n) in enumerate(counts.items()):
        for i in range(n):
            save(pattern(seed + 1000 * k + i), root / label / f"{label}_{i}.{ext}")
    return root


def huge_png(path: Path, width: int = 20_000, height: int = 20_000) -> Path:
    """A one-colour PNG of width x height pixels, small on disk (~50 KB), written without holding its pixels: a
    1-bit grayscale image whose rows of zeros are compressed as a stream."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then 1 bit a pixel
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


FASHION_CLASSES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle_boot"]


def write_fashion_mnist(source: Path, split: str, root: Path, count: int) -> Path:
    """The first `count` images of a Fashion-MNIST split ("train" or "t10k", IDX files) as PNG folders per class,
    the way a user keeps them."""
    import gzip

    pixels = np.frombuffer(gzip.open(source / f"{split}-images-idx3-ubyte.gz").read(), np.uint8, offset=16)
    labels = np.frombuffer(gzip.open(source / f"{split}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    for i, (image, label) in enumerate(zip(pixels.reshape(-1, 28, 28)[:count], labels[:count])):
        save(Image.fromarray(image), root / FASHION_CLASSES[label] / f"{i:05d}.png")
    return root
