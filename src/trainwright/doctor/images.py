"""diagnose_images(): an image dataset checked before training, each finding with what to do about it.

The images are found and decoded as training will (`images.find_images`, `images.decode`), so every file the
doctor names as unusable is one training leaves out. One decoding pass, in a thread pool, gives each image's
size and mode as stored, a hash of its pixels (exact duplicates) and a perceptual hash (near duplicates).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..extras import require
from ..images.decode import PIXEL_LIMIT
from ..images.duplicates import NEAR_DISTANCE, confirmed, exact_groups, groups_of, hash_pairs, near_pairs
from ..images.fingerprint import Fingerprint, fingerprint_images, perceptual_hashes
from ..images.sources import ImageSet, Problem, find_images
from .checks.labels import IMBALANCED, SEVERELY_IMBALANCED
from .report import SEVERITIES, Finding, plural

TINY_SIDE = 16  # pixels: below this on a side, a picture holds little a network can use
EXTREME_ASPECT = 4.0  # longer side / shorter side: resizing to a square squeezes or pads it heavily
PATHS_SHOWN = 3  # paths named in a message; details["paths"] has them all (up to the JSON limit)
_PATH_LIMIT = 1000
# Severity of each file problem: a left-out file is a warning (training goes on without it).
_FILE_CHECKS = {"missing_file": "warning", "missing_value": "warning", "empty_file": "warning",
                "not_an_image": "warning", "truncated": "warning", "corrupt": "warning", "unreadable": "warning",
                "too_large": "warning", "empty_class": "warning", "not_an_image_name": "info"}
_FILE_FIXES = {
    "missing_file": "correct the paths (they are relative to the table's folder), or remove these rows",
    "missing_value": "fill in the image path and label, or remove these rows",
    "empty_file": "export these images again, or delete them",
    "not_an_image": "delete these files, or convert them to PNG or JPEG",
    "truncated": "copy or export these images again: their ends are missing",
    "corrupt": "export these images again, or delete them",
    "unreadable": "check the files' permissions, or copy them again",
    "too_large": "resize these images (a classifier is trained at a few hundred pixels a side), or delete them",
    "empty_class": "add images to the folder, or delete it",
    "not_an_image_name": "nothing to do, unless these are images with an unusual extension: rename them",
}


@dataclass
class ImageReport:
    file: str
    layout: str  # the layout in words
    images: int  # found: files, zip members or table rows naming an image
    decoded: int  # of those, the ones training can use
    classes: dict[str, int]  # label -> usable images, in class order
    sizes: dict[str, Any]  # width and height ranges, the most common sizes
    modes: dict[str, int]  # mode as stored -> images
    formats: dict[str, int]
    findings: list[Finding]
    test: dict[str, Any] | None = None  # {"file", "images", "decoded"} when a test set was checked
    seconds: float = 0.0  # reading, decoding and hashing
    near_distance: int = NEAR_DISTANCE

    @property
    def blocking(self) -> list[Finding]:
        return self.by_severity("blocking")

    @property
    def leakage(self) -> list[Finding]:
        return [f for f in self.findings if f.check == "leakage"]

    def by_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def summary(self) -> dict[str, Any]:
        return {"images": self.images, "decoded": self.decoded, "classes": self.classes,
                "blocking": len(self.blocking), "warnings": len(self.by_severity("warning")),
                "info": len(self.by_severity("info")), "test": self.test,
                "leakage_images": sum(f.count for f in self.leakage), "seconds": round(self.seconds, 2),
                "near_distance": self.near_distance}

    def to_dict(self) -> dict[str, Any]:
        data = {key: value for key, value in asdict(self).items() if key != "findings"}
        return {"task": "images", **data, "findings": [f.to_dict() for f in self.findings],
                "summary": self.summary()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass
class _Checked:
    """One image set, decoded: its usable images' fingerprints and labels, and the files left out."""

    images: ImageSet
    prints: list[Fingerprint]
    problems: list[Problem]
    thumbnails: np.ndarray  # (N, 32, 32) uint8, one per usable image
    hashes: np.ndarray  # (N,) uint64 perceptual hashes

    @property
    def labels(self) -> list[str]:
        return [self.images.labels[p.index] for p in self.prints]

    def name(self, position: int) -> str:
        return self.images.name(self.prints[position].index)


def diagnose_images(data: str | Path, test: str | Path | None = None, target: str | None = None,
                    near_distance: int = NEAR_DISTANCE, threads: int | None = None,
                    pixel_limit: int = PIXEL_LIMIT) -> ImageReport:
    """Check a labeled image dataset (a folder per class, a zip of one, or a table of image paths and labels)
    for what would hurt training, and say what to do about each problem.

    test: a test set in any of the same forms, checked for images shared with `data` (leakage). target: a
    table's label column. near_distance: perceptual-hash bits (of 64) within which two images are near
    duplicates. pixel_limit: larger images are refused as possible decompression bombs. Raises DataError when
    no images are found.
    """
    require("PIL", "Checking images")
    require("imagehash", "Finding near-duplicate images")
    started = time.perf_counter()
    train = _check(find_images(data, label=target), threads, pixel_limit)
    findings = _file_findings(train, "")
    findings += _class_findings(train)
    findings += _shape_findings(train)
    findings += _duplicate_findings(train, near_distance)
    test_info = None
    if test is not None:
        tested = _check(find_images(test, label=target), threads, pixel_limit)
        test_info = {"file": tested.images.source, "images": len(tested.images), "decoded": len(tested.prints)}
        findings += _file_findings(tested, "test set: ")
        findings += _test_findings(train, tested, near_distance)
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))  # stable: check order kept within a severity
    prints = train.prints
    return ImageReport(file=train.images.source, layout=train.images.description, images=len(train.images),
                       decoded=len(prints), classes=_counts(train), sizes=_sizes(prints),
                       modes=dict(Counter(p.mode for p in prints).most_common()),
                       formats=dict(Counter(p.format for p in prints).most_common()), findings=findings,
                       test=test_info, seconds=time.perf_counter() - started, near_distance=near_distance)


def _check(images: ImageSet, threads: int | None, pixel_limit: int) -> _Checked:
    results = fingerprint_images(images, threads, pixel_limit)
    images.close()
    prints = [r for r in results if isinstance(r, Fingerprint)]
    thumbnails = np.stack([p.thumbnail for p in prints]) if prints else np.empty((0, 32, 32), np.uint8)
    return _Checked(images, prints, list(images.problems) + [r for r in results if isinstance(r, Problem)],
                    thumbnails, perceptual_hashes(thumbnails))


def _counts(checked: _Checked) -> dict[str, int]:
    counts = dict.fromkeys(checked.images.classes, 0)
    counts.update(Counter(checked.labels))
    return counts


def _file_findings(checked: _Checked, prefix: str) -> list[Finding]:
    findings = []
    for check, problems in _by_check(checked.problems).items():
        paths = [p.path for p in problems]
        message = (f"{prefix}{plural(len(paths), 'file')} left out ({check.replace('_', ' ')}): {problems[0].message}"
                   + (f"; also {_preview(paths[1:])}" if len(paths) > 1 else ""))
        if check == "not_an_image_name":
            message = f"{prefix}{plural(len(paths), 'file')} without an image extension ignored: {_preview(paths)}"
        rows = sorted(p.row for p in problems if p.row is not None)
        findings.append(Finding(check, _FILE_CHECKS.get(check, "warning"), message, _FILE_FIXES.get(check, ""),
                                count=len(paths), rows=rows,
                                details={"paths": paths[:_PATH_LIMIT], "messages": [p.message for p in problems][:20]}))
    return findings


def _by_check(problems: list[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.check, []).append(problem)
    return grouped


def _class_findings(train: _Checked) -> list[Finding]:
    counts = {label: n for label, n in _counts(train).items() if n}
    if not counts:
        return [Finding("no_images", "blocking", f"{train.images.source}: none of its {len(train.images):,} images "
                        "can be decoded: there is nothing to train on.", "see the files left out below")]
    if len(counts) == 1:
        only = next(iter(counts))
        return [Finding("single_class", "blocking", f"Every usable image has the label '{only}': there is nothing "
                        "to learn.", "add a folder (or rows) for each other class", count=counts[only])]
    total = sum(counts.values())
    minority, n = min(counts.items(), key=lambda item: item[1])
    share = n / total
    # The table doctor's thresholds are shares of two classes; here they are measured against an even share, so
    # that ten balanced classes (10% each) are not called imbalanced: 'imbalanced' is under 40% of an even share.
    even = share * len(counts)
    if even >= 2 * IMBALANCED:
        return []
    severe = even < 2 * SEVERELY_IMBALANCED
    shares = ", ".join(f"'{label}' {count:,}" for label, count in counts.items())
    fix = ("collect more images of the rare classes; judge the model by per-class recall and F1 (trainwright "
           "evaluate), not accuracy" + ("; with so few images, consider merging rare classes" if severe else ""))
    return [Finding("class_imbalance", "warning", f"The classes are {'severely ' if severe else ''}imbalanced: the "
                    f"smallest, '{minority}', has {plural(n, 'image')} ({share:.1%}); images per class: {shares}.",
                    fix, count=n, details={"minority": minority, "share": round(share, 4), "classes": counts})]


def _shape_findings(train: _Checked) -> list[Finding]:
    findings = []
    tiny = [i for i, p in enumerate(train.prints) if min(p.width, p.height) < TINY_SIDE]
    if tiny:
        findings.append(_images_finding("tiny_images", "warning", train, tiny,
                                        f"under {TINY_SIDE} pixels on a side: little for a network to see",
                                        "replace them with larger images, or delete them if they are thumbnails"))
    oblong = [i for i, p in enumerate(train.prints)
              if max(p.width, p.height) / max(1, min(p.width, p.height)) > EXTREME_ASPECT]
    if oblong:
        findings.append(_images_finding("extreme_aspect", "warning", train, oblong,
                                        f"more than {EXTREME_ASPECT:g} times longer than wide (or wider than long): "
                                        "resizing to the training size pads them heavily",
                                        "crop them around what they show, or check they belong in the dataset"))
    frames = [i for i, p in enumerate(train.prints) if p.frames > 1]
    if frames:
        findings.append(_images_finding("animated", "info", train, frames, "animated or with several pages: "
                                        "only the first frame is used", "nothing to do, if the first frame "
                                        "shows the label"))
    sizes = {(p.width, p.height) for p in train.prints}
    modes = Counter(p.mode for p in train.prints)
    if len(sizes) > 1:
        findings.append(Finding("mixed_sizes", "info", f"{len(sizes):,} different sizes (see Sizes): every image is "
                                "resized to one size for training, its aspect kept by padding.",
                                "nothing to do; the model's image size sets the size", count=len(train.prints)))
    converted = {mode: n for mode, n in modes.items() if mode not in ("RGB", "L")}
    if converted:
        said = ", ".join(f"{mode} {n:,}" for mode, n in converted.items())
        findings.append(Finding("modes_normalized", "info", f"Images stored in other modes ({said}) are normalized: "
                                "transparency on white, palettes, CMYK and 16-bit depth to 8-bit RGB or grayscale.",
                                "nothing to do", count=sum(converted.values()), details={"modes": converted}))
    return findings


def _duplicate_findings(train: _Checked, near_distance: int) -> list[Finding]:
    findings = []
    exact = exact_groups([p.pixels for p in train.prints])
    if exact:
        extra = sum(len(g) - 1 for g in exact)
        findings.append(_groups_finding("duplicate_images", "warning", train, exact, (
            f"{plural(extra, 'image')} {'repeats' if extra == 1 else 'repeat'} another's pixels exactly "
            f"({plural(len(exact), 'group')})"),
            "delete the copies: a copy in validation and one in training flatter the model's score"))
    pairs = near_pairs(train.hashes, train.thumbnails, near_distance)
    near = [g for g in groups_of(pairs, len(train.prints)) if set(g) not in [set(e) for e in exact]]
    if near:
        findings.append(_groups_finding("near_duplicates", "info", train, near, (
            f"{plural(sum(map(len, near)), 'image')} in {plural(len(near), 'group')} are near copies (perceptual "
            f"hashes at most {near_distance} bits of 64 apart and nearly the same pixels: resized or recompressed)"),
            "look at them: delete copies of one photo; keep different photos that only look alike"))
    labels = train.labels
    exact_pairs = [(g[0], other) for g in exact for other in g[1:]]
    conflicts = groups_of([(i, j) for i, j in [*exact_pairs, *pairs.tolist()] if labels[i] != labels[j]],
                          len(train.prints))
    if conflicts:
        said = "; ".join(" / ".join(f"{train.name(i)} ({labels[i]})" for i in g[:3]) for g in conflicts[:3])
        findings.append(Finding("conflicting_labels", "warning", (
            f"{plural(len(conflicts), 'group')} of the same picture carry different labels: {said}"
            + (f"; and {len(conflicts) - 3} more" if len(conflicts) > 3 else "")),
            "give each picture its right label, or delete the copies in the wrong class",
            count=sum(map(len, conflicts)),
            details={"groups": [[train.name(i) for i in g] for g in conflicts[:_PATH_LIMIT]]}))
    return findings


def _test_findings(train: _Checked, tested: _Checked, near_distance: int) -> list[Finding]:
    findings = []
    unseen = sorted(set(tested.labels) - set(train.labels))
    if unseen:
        findings.append(Finding("unseen_labels", "warning", f"The test set has classes training has no image of: "
                                f"{', '.join(unseen)}; the model cannot predict them.",
                                "add training images of these classes, or remove them from the test set",
                                count=sum(label in unseen for label in tested.labels), details={"labels": unseen}))
    twins = _twins(train, tested, near_distance)
    if twins:
        shared = sorted(twins)
        said = "; ".join(f"{tested.name(i)} = {train.name(twins[i])}" for i in shared[:PATHS_SHOWN])
        more = f"; and {len(shared) - PATHS_SHOWN:,} more" if len(shared) > PATHS_SHOWN else ""
        findings.append(Finding("leakage", "warning", (
            f"{plural(len(shared), 'test image')} ({len(shared) / max(1, len(tested.prints)):.1%}) also appear in "
            f"training, exactly or as near copies: {said}{more}. The test score overstates how the model does on "
            "new images."), "remove these images from the test set (or from training)", count=len(shared),
            details={"paths": [tested.name(i) for i in shared][:_PATH_LIMIT],
                     "training": [train.name(twins[i]) for i in shared][:_PATH_LIMIT]}))
    return findings


def _twins(train: _Checked, tested: _Checked, near_distance: int) -> dict[int, int]:
    """Test position -> a training position holding the same picture (exact first, else the first near copy)."""
    seen = {}
    for position, p in enumerate(train.prints):
        seen.setdefault(p.pixels, position)
    twins = {i: seen[p.pixels] for i, p in enumerate(tested.prints) if p.pixels in seen}
    # Candidates among both sets at once, kept only when they cross (pairs are ordered: train first), then confirmed
    n = len(train.prints)
    candidates = hash_pairs(np.concatenate([train.hashes, tested.hashes]), near_distance)
    crossing = candidates[(candidates[:, 0] < n) & (candidates[:, 1] >= n)]
    for i, j in confirmed(crossing, np.concatenate([train.thumbnails, tested.thumbnails])).tolist():
        twins.setdefault(j - n, i)
    return twins


def _images_finding(check: str, severity: str, checked: _Checked, positions: list[int], what: str,
                    fix: str) -> Finding:
    paths = [checked.name(i) for i in positions]
    verb = "is" if len(paths) == 1 else "are"
    return Finding(check, severity, f"{plural(len(paths), 'image')} {verb} {what}: {_preview(paths)}.", fix,
                   count=len(paths), rows=_rows(checked, positions), details={"paths": paths[:_PATH_LIMIT]})


def _groups_finding(check: str, severity: str, checked: _Checked, groups: list[list[int]], what: str,
                    fix: str) -> Finding:
    shown = "; ".join(" = ".join(checked.name(i) for i in g[:3]) + (" ..." if len(g) > 3 else "")
                      for g in groups[:PATHS_SHOWN])
    more = f"; and {len(groups) - PATHS_SHOWN:,} more groups" if len(groups) > PATHS_SHOWN else ""
    positions = [i for g in groups for i in g]
    return Finding(check, severity, f"{what}: {shown}{more}.", fix, count=len(positions),
                   rows=sorted(_rows(checked, positions)),
                   details={"groups": [[checked.name(i) for i in g] for g in groups[:_PATH_LIMIT]]})


def _rows(checked: _Checked, positions: list[int]) -> list[int]:
    rows = checked.images.rows
    return [rows[checked.prints[i].index] for i in positions] if rows else []


def _preview(paths: list[str]) -> str:
    more = f" and {len(paths) - PATHS_SHOWN:,} more" if len(paths) > PATHS_SHOWN else ""
    return ", ".join(paths[:PATHS_SHOWN]) + more


def _sizes(prints: list[Fingerprint]) -> dict[str, Any]:
    if not prints:
        return {}
    widths = np.array([p.width for p in prints])
    heights = np.array([p.height for p in prints])
    common = Counter(f"{p.width}x{p.height}" for p in prints).most_common(5)
    return {"width": {"min": int(widths.min()), "median": float(np.median(widths)), "max": int(widths.max())},
            "height": {"min": int(heights.min()), "median": float(np.median(heights)), "max": int(heights.max())},
            "common": dict(common), "distinct": len({(p.width, p.height) for p in prints})}
