"""`trainwright doctor` on images: counts, sizes, unusable files, duplicates, leakage, conflicts; --json, --strict."""

from __future__ import annotations

import json
import shutil
import zipfile

import pandas as pd
import pytest
from PIL import Image
from conftest import shared_data
from pictures import FASHION_CLASSES, pattern, save, write_broken, write_classes, write_fashion_mnist

from trainwright.doctor.images import diagnose_images
from trainwright.doctor.images_view import render_image_html


@pytest.fixture
def pets(tmp_path):
    """cat 8, dog 6 (one an exact copy of a cat), and a test set with a recompressed copy of a training dog."""
    root = write_classes(tmp_path / "train", {"cat": 8, "dog": 5})
    shutil.copy(root / "cat" / "cat_0.png", root / "dog" / "looks_like_a_cat.png")  # exact, other label
    test = write_classes(tmp_path / "test", {"cat": 2, "dog": 2}, seed=50_000)
    big = Image.open(root / "dog" / "dog_3.png").resize((48, 48), Image.Resampling.BICUBIC)
    save(big, test / "dog" / "seen_before.jpg", quality=92)  # resized and recompressed: a near copy
    return root, test


def _checks(report) -> dict[str, object]:
    return {f.check: f for f in report.findings}


def test_duplicates_conflicts_and_leakage_are_found(pets):
    root, test = pets
    report = diagnose_images(root, test=test)
    found = _checks(report)
    assert report.images == 14 and report.classes == {"cat": 8, "dog": 6}
    duplicate = found["duplicate_images"]
    assert duplicate.severity == "warning" and duplicate.count == 2
    assert duplicate.details["groups"] == [[str(root / "cat" / "cat_0.png"),
                                            str(root / "dog" / "looks_like_a_cat.png")]]
    conflict = found["conflicting_labels"]
    assert "(cat)" in conflict.message and "(dog)" in conflict.message
    leak = found["leakage"]
    assert leak.count == 1 and leak.details["paths"] == [str(test / "dog" / "seen_before.jpg")]
    assert str(root / "dog" / "dog_3.png") in leak.message
    assert report.leakage == [leak] and report.test["images"] == 5
    assert "class_imbalance" not in found


def test_a_clean_folder_has_nothing_to_warn_about(tmp_path):
    report = diagnose_images(write_classes(tmp_path / "train", {"a": 5, "b": 5, "c": 5}))
    assert report.blocking == [] and report.by_severity("warning") == []
    assert report.sizes["common"] == {"24x24": 15} and report.modes == {"RGB": 15}


def test_broken_files_are_findings_with_their_paths(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 4, "dog": 4})
    broken = write_broken(root / "cat")
    report = diagnose_images(root, pixel_limit=50_000)
    found = _checks(report)
    for check, case in [("truncated", "truncated"), ("empty_file", "zero"), ("not_an_image", "text"),
                        ("too_large", "big")]:
        assert found[check].details["paths"] == [str(broken[case])], check
        assert str(broken[case]) in found[check].message
    assert found["animated"].details["paths"] == [str(broken["gif"])]
    assert set(found["modes_normalized"].details["modes"]) == {"CMYK", "I;16", "P"}
    assert report.decoded == report.images - 4


def test_imbalance_tiny_and_oblong_images(tmp_path):
    root = write_classes(tmp_path / "train", {"many": 30, "few": 2})
    save(pattern(9, (12, 12)), root / "many" / "tiny.png")
    save(pattern(8, (100, 20)), root / "many" / "strip.png")
    found = _checks(diagnose_images(root))
    assert found["class_imbalance"].details["minority"] == "few"
    assert found["tiny_images"].details["paths"] == [str(root / "many" / "tiny.png")]
    assert found["extreme_aspect"].details["paths"] == [str(root / "many" / "strip.png")]


def test_ten_balanced_classes_are_not_imbalanced(tmp_path):
    report = diagnose_images(write_classes(tmp_path / "train", {str(k): 4 for k in range(10)}))
    assert "class_imbalance" not in _checks(report)


def test_one_usable_class_blocks(tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 3})
    (root / "dog").mkdir()
    (root / "dog" / "x.png").write_bytes(b"")
    found = _checks(diagnose_images(root))
    assert found["single_class"].severity == "blocking" and found["empty_file"].severity == "warning"


def test_a_table_of_images_reports_rows(tmp_path):
    write_classes(tmp_path, {"cat": 3, "dog": 3})
    shutil.copy(tmp_path / "cat" / "cat_1.png", tmp_path / "cat" / "again.png")
    rows = [("cat/cat_0.png", "cat"), ("cat/cat_1.png", "cat"), ("cat/again.png", "cat"), ("dog/dog_0.png", "dog"),
            ("dog/missing.png", "dog"), ("dog/dog_1.png", "dog")]
    pd.DataFrame(rows, columns=["image", "label"]).to_csv(tmp_path / "pets.csv", index=False)
    found = _checks(diagnose_images(tmp_path / "pets.csv"))
    assert found["duplicate_images"].rows == [2, 3]
    assert found["missing_file"].rows == [5]


def test_cli_routes_images_and_exits_1_on_leakage_with_strict(cli, pets, tmp_path):
    root, test = pets
    result = cli("doctor", root, "--test", test)
    assert result.code == 0, result.stderr
    assert "14 images" in result.stdout and "Classes" in result.stdout and "leakage" in result.stdout
    assert cli("doctor", root, "--test", test, "--strict").code == 1
    (test / "dog" / "seen_before.jpg").unlink()
    (test / "dog").rename(test / "bird")
    strict = cli("doctor", root, "--test", test, "--strict", "--json")
    assert strict.code == 0
    data = json.loads(strict.stdout)
    assert data["task"] == "images" and data["summary"]["leakage_images"] == 0
    assert {f["check"] for f in data["findings"]} >= {"duplicate_images", "conflicting_labels", "unseen_labels"}


def test_cli_on_a_zip_and_an_html_page(cli, tmp_path):
    root = write_classes(tmp_path / "train", {"cat": 3, "dog": 3})
    with zipfile.ZipFile(tmp_path / "train.zip", "w") as zipped:
        for path in root.rglob("*.png"):
            zipped.write(path, path.relative_to(root))
    page = tmp_path / "report.html"
    result = cli("doctor", tmp_path / "train.zip", "--html", page)
    assert result.code == 0, result.stderr
    assert "a zip of a folder" in result.stdout and "6 images" in result.stdout
    html = page.read_text()
    assert "Image report" in html and "<script" not in html


def test_cli_on_a_table_of_image_paths(cli, tmp_path):
    write_classes(tmp_path, {"cat": 2, "dog": 2})
    rows = [("cat/cat_0.png", "cat"), ("cat/cat_1.png", "cat"), ("dog/dog_0.png", "dog"), ("dog/gone.png", "dog")]
    pd.DataFrame(rows, columns=["picture", "kind"]).to_csv(tmp_path / "pets.csv", index=False)
    result = cli("doctor", tmp_path / "pets.csv", "--target", "kind", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["classes"] == {"cat": 2, "dog": 1} and "images in column 'picture', labels in 'kind'" in data["layout"]
    [missing] = [f for f in data["findings"] if f["check"] == "missing_file"]
    assert missing["rows"] == [4] and "dog/gone.png" in missing["message"]
    refused = cli("doctor", tmp_path / "pets.csv", "--outliers", "zscore")
    assert refused.code == 3 and "--outliers" in refused.stderr and "holds images" in refused.stderr


def test_cli_still_reads_a_plain_table_as_a_table(cli, reviews_csv):
    result = cli("doctor", reviews_csv, "--json")
    assert result.code == 0 and "task" not in json.loads(result.stdout)


def test_cli_names_a_folder_without_classes(cli, tmp_path):
    save(pattern(1), tmp_path / "flat" / "a.png")
    result = cli("doctor", tmp_path / "flat")
    assert result.code == 2 and "no class subfolders" in result.stderr and "Traceback" not in result.stderr


def test_html_names_every_finding(pets):
    root, test = pets
    report = diagnose_images(root, test=test)
    html = render_image_html(report)
    assert all(f.check in html for f in report.findings)


def test_fashion_mnist_folders_as_a_user_has_them(tmp_path):
    source = shared_data("images", "fashion-mnist")
    train = write_fashion_mnist(source, "train", tmp_path / "train", 3000)
    test = write_fashion_mnist(source, "t10k", tmp_path / "test", 500)
    shutil.copy(train / "Bag" / sorted(p.name for p in (train / "Bag").iterdir())[0], test / "Bag" / "leaked.png")
    report = diagnose_images(train, test=test)
    assert set(report.classes) == set(FASHION_CLASSES) and report.decoded == 3000 and report.blocking == []
    assert report.sizes["common"] == {"28x28": 3000} and report.modes == {"L": 3000}
    assert "class_imbalance" not in _checks(report)
    assert str(test / "Bag" / "leaked.png") in _checks(report)["leakage"].details["paths"]


def test_nothing_decodable_blocks_and_strict_exits_1(cli, tmp_path):
    for label in ("cat", "dog"):
        (tmp_path / "train" / label).mkdir(parents=True)
        (tmp_path / "train" / label / "a.jpg").write_text("not a picture")
    report = diagnose_images(tmp_path / "train")
    assert [f.check for f in report.blocking] == ["no_images"] and report.decoded == 0
    assert cli("doctor", tmp_path / "train", "--strict").code == 1
