"""The HTML report rendered by a real browser (headless Chromium): the page loads from a file with no network,
its DOM holds every finding, and a screenshot is taken. Skipped when `chromium` is not installed (CI installs
it: apt-get install -y chromium)."""

from __future__ import annotations

import html
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from trainwright.doctor import diagnose
from trainwright.doctor.html import render_html, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, list[str]]:
    """A report with a blocking finding, warnings, notes, a class balance and a test file, as HTML."""
    folder = tmp_path_factory.mktemp("html")
    frame = pd.DataFrame({
        "review": [f"<b>Review</b> number {i} &amp; some words" for i in range(200)],
        "price": [10 + i % 50 for i in range(199)] + [9000],
        "origin": ["?" if i % 9 == 0 else "uk" if i % 2 else "fr" for i in range(200)],
        "label": ["good"] * 170 + ["bad"] * 30,
    })
    frame.to_csv(folder / "train.csv", index=False)
    frame.drop(columns=["origin"]).head(20).to_csv(folder / "test.csv", index=False)
    report = diagnose(folder / "train.csv", test=folder / "test.csv")
    return write_html(report, folder / "report.html"), [f.message for f in report.findings]


def test_page_escapes_values_from_the_data():
    report = diagnose(pd.DataFrame({"<script>x</script>": ["<img src=x>"] * 30, "label": [0, 1] * 15}))
    page = render_html(report)
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_browser_renders_every_finding(page, tmp_path):
    path, messages = page
    result = chromium(path, tmp_path / "profile-dom", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "Blocking: fix before training" in dom and "Class balance" in dom and "Columns by kind" in dom
    for message in messages:
        assert html.escape(message, quote=False) in dom, message


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
def test_browser_screenshot(page, tmp_path):
    path, _ = page
    png = tmp_path / "report.png"
    result = chromium(path, tmp_path / "profile-shot", f"--screenshot={png}", "--window-size=1280,2000")
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 20_000  # a rendered page, not a blank one
