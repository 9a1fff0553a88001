"""The page at `/`, rendered by a real browser (headless Chromium) against a real server: `/?text=...` fills the
form and submits it; the predicted label and one bar per class end up in the DOM. A screenshot is taken too.
Skipped when Chromium is not installed (apt-get install -y chromium)."""

from __future__ import annotations

import re
import struct
from urllib.parse import quote

import pytest

from live_server import CHROMIUM, chromium, live_server
import trainwright

NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install -y chromium)")
TEXT = "Honestly the kettle was superb, love it."


@pytest.fixture(scope="module")
def server(tiny_text_model, tmp_path_factory):
    with live_server(tiny_text_model, tmp_path_factory.mktemp("browser-server")) as running:
        yield running


@NEEDS_CHROMIUM
def test_query_text_is_predicted_and_shown_as_bars(server, tiny_text_model, tmp_path):
    result = chromium(f"{server.url}?text={quote(TEXT)}", tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert 'data-state="done"' in dom, dom[-3000:]
    expected = trainwright.load(tiny_text_model).predict([TEXT])
    label = re.search(r'<strong id="label">([^<]*)</strong>', dom)
    assert label and label.group(1) == expected.labels[0]
    rows = re.findall(r'<li class="bar-row( top)?" data-class="([^"]+)">', dom)
    assert sorted(name for _, name in rows) == ["neg", "pos"]
    assert [name for top, name in rows if top] == [expected.labels[0]]  # the predicted class is highlighted
    widths = [float(w) for w in re.findall(r'class="fill" style="width:([\d.]+)%"', dom)]
    assert len(widths) == 2 and sum(widths) == pytest.approx(100, abs=0.2)


@NEEDS_CHROMIUM
def test_screenshot(server, tmp_path):
    png = tmp_path / "page.png"
    result = chromium(f"{server.url}?text={quote(TEXT)}", tmp_path / "profile", f"--screenshot={png}",
                      "--window-size=1000,700")
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1000, 700)
    assert len(data) > 15_000  # a rendered page, not a blank one
