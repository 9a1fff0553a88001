"""Finding images: a folder per class, a zip of one read in place, a table of paths; errors that name the path."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from pictures import pattern, save, write_classes

from trainwright.errors import ConfigError, DataError
from trainwright.images import find_images, looks_like_images


def test_folder_per_class(tmp_path):
    root = write_classes(tmp_path / "train", {"dog": 2, "cat": 3})
    (root / "cat" / "README.txt").write_text("not an image")
    (root / ".cache").mkdir()
    images = find_images(root)
    assert images.layout == "folder" and "one subfolder per class (2 subfolders)" in images.description
    assert images.classes == ["cat", "dog"]  # sorted, whatever the listing order
    assert images.counts() == {"cat": 3, "dog": 2}
    assert all(images.name(i).startswith(str(root / label)) for i, label in enumerate(images.labels))
    assert [p.check for p in images.problems] == ["not_an_image_name"]


def test_a_folder_without_class_subfolders_is_an_error_naming_it(tmp_path):
    save(pattern(1), tmp_path / "flat" / "a.png")
    with pytest.raises(DataError, match=r"flat has no class subfolders \(1 image lies loose"):
        find_images(tmp_path / "flat")


def test_an_empty_class_is_named_and_left_out(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 2, "dog": 2})
    (root / "bird").mkdir()
    images = find_images(root)
    assert images.classes == ["cat", "dog"]
    [problem] = images.problems
    assert problem.check == "empty_class" and str(root / "bird") in problem.message


def test_zip_is_read_in_place(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 2, "dog": 3})
    archive = tmp_path / "zipped" / "train.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(root.rglob("*.png")):
            zipped.write(path, f"train/{path.relative_to(root)}")  # one top folder: the zipped folder itself
        zipped.writestr("__MACOSX/train/cat/._cat_0.png", b"resource fork")
    images = find_images(archive)
    assert images.layout == "zip" and images.classes == ["cat", "dog"] and len(images) == 5
    assert images.name(0) == f"{archive}:train/cat/cat_0.png"
    assert images.read_bytes(0) == (root / "cat" / "cat_0.png").read_bytes()
    assert sorted(p.name for p in archive.parent.iterdir()) == ["train.zip"]  # nothing extracted


@pytest.mark.parametrize("member", ["../evil/cat/x.png", "/etc/cat/x.png", "cat/../../x.png"])
def test_zip_slip_and_absolute_paths_are_refused(tmp_path, member):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("cat/ok.png", b"x")
        zipped.writestr(member, b"x")
    with pytest.raises(DataError, match="absolute path or climbs out"):
        find_images(archive)


def test_a_broken_zip_is_an_error(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(DataError, match="not a readable zip file"):
        find_images(tmp_path / "broken.zip")


def test_table_of_paths_with_other_columns(tmp_path):
    write_classes(tmp_path / "pictures", {"cat": 2, "dog": 2})
    table = pd.DataFrame({"file": ["pictures/cat/cat_0.png", "pictures/dog/dog_1.png", "pictures/cat/gone.png",
                                   "pictures/dog/dog_0.png"],
                          "species": ["cat", "dog", "cat", "dog"], "weight": [4.1, 20.0, 3.0, 18.5]})
    table.to_csv(tmp_path / "pets.csv", index=False)
    assert looks_like_images(tmp_path / "pets.csv")
    images = find_images(tmp_path / "pets.csv", label="species")
    assert images.layout == "table" and "images in column 'file', labels in 'species'" in images.description
    assert images.labels == ["cat", "dog", "dog"] and images.rows == [1, 2, 4]
    assert images.extra["weight"].tolist() == [4.1, 20.0, 18.5]
    [missing] = images.problems
    assert missing.check == "missing_file" and missing.row == 3
    assert "row 3, column file: pictures/cat/gone.png names no file" in missing.message


def test_table_label_recognized_by_name_or_asked_for(tmp_path):
    write_classes(tmp_path, {"cat": 1, "dog": 1})
    pd.DataFrame({"path": ["cat/cat_0.png", "dog/dog_0.png"], "label": ["cat", "dog"], "note": ["a", "b"]}) \
        .to_parquet(tmp_path / "t.parquet")
    assert find_images(tmp_path / "t.parquet").labels == ["cat", "dog"]
    pd.DataFrame({"path": ["cat/cat_0.png"], "kind": ["cat"], "note": ["a"]}).to_csv(tmp_path / "u.csv", index=False)
    with pytest.raises(DataError, match="which column is the label.*--target"):
        find_images(tmp_path / "u.csv")


def test_a_plain_table_is_not_images(tmp_path, reviews_csv):
    assert not looks_like_images(reviews_csv)
    assert not looks_like_images(tmp_path / "absent.csv")
    pd.DataFrame({"text": ["see photo.jpg please", "fine"], "label": [1, 0]}).to_csv(tmp_path / "t.csv", index=False)
    assert not looks_like_images(tmp_path / "t.csv")  # one mention is not a column of image paths


def test_target_with_a_folder_is_an_error(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 1, "dog": 1})
    with pytest.raises(ConfigError, match="whose names are the labels"):
        find_images(root, label="species")


def test_a_zip_bomb_member_is_not_inflated(tmp_path, monkeypatch):
    from trainwright.images import sources
    from trainwright.images.arrays import load_images

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("cat/bomb.png", b"\0" * 3_000_000)  # ~3 KB compressed
        zipped.writestr("cat/ok.png", _png_bytes())
        zipped.writestr("dog/ok.png", _png_bytes())
    monkeypatch.setattr(sources, "BYTE_LIMIT", 1_000_000)
    images = find_images(archive)
    loaded = load_images(images, size=(8, 8))
    assert len(loaded.kept) == 2
    [problem] = loaded.problems
    assert problem.check == "too_large" and problem.path == f"{archive}:cat/bomb.png"
    assert "3,000,000 bytes" in problem.message
    images.close()


def _png_bytes() -> bytes:
    import io

    buffer = io.BytesIO()
    pattern(0).save(buffer, "PNG")
    return buffer.getvalue()


def test_importing_images_loads_neither_pillow_nor_pandas():
    import subprocess
    import sys

    code = ("import sys, trainwright.images as images; images.__all__; "
            "print(sorted(m for m in ('PIL', 'pandas', 'imagehash') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
