"""Rows of varying length stored flat on disk, and the cache entries built atomically around them."""

import numpy as np
import pytest

from trainwright.data.disk_cache import building, cache_key, cache_root
from trainwright.data.ragged import Ragged, RaggedWriter


def test_rows_written_in_chunks_read_back_by_index_subset_and_slice(tmp_path):
    rows = [np.arange(n, dtype=np.int64) + 10 * n for n in (3, 0, 5, 1, 0, 2)]
    writer = RaggedWriter(tmp_path / "ids", np.int32)
    writer.append(rows[:2])
    writer.append([])
    writer.append(rows[2:])
    writer.close()
    ragged = Ragged.open(tmp_path / "ids", np.int32)
    assert len(ragged) == 6
    assert ragged.lengths.tolist() == [3, 0, 5, 1, 0, 2]
    assert all(np.array_equal(ragged[i], row) for i, row in enumerate(rows))
    assert ragged[2].dtype == np.int32
    picked = ragged.subset(np.array([5, 0, 2]))
    assert [r.tolist() for r in picked] == [rows[5].tolist(), rows[0].tolist(), rows[2].tolist()]
    assert [r.tolist() for r in ragged[1:4]] == [rows[1].tolist(), rows[2].tolist(), rows[3].tolist()]


def test_texts_come_back_in_sequential_chunks_whatever_the_chunk_size(tmp_path):
    texts = ["héllo", "", "外卖很快", "a b c", "emoji 🙂", "last"]
    writer = RaggedWriter(tmp_path / "texts", np.uint8)
    writer.append_texts(texts[:4])
    writer.append_texts(texts[4:])
    writer.close()
    ragged = Ragged.open(tmp_path / "texts", np.uint8)
    for size in (1, 4, 100):
        chunks = list(ragged.text_chunks(size))
        assert [len(c) for c in chunks] == [min(size, len(texts) - i) for i in range(0, len(texts), size)]
        assert sum(chunks, []) == texts


def test_an_empty_store_opens(tmp_path):
    writer = RaggedWriter(tmp_path / "none", np.int32)
    writer.append([np.zeros(0, np.int64)])
    writer.close()
    ragged = Ragged.open(tmp_path / "none", np.int32)
    assert len(ragged) == 1 and ragged[0].tolist() == []


def test_a_failed_build_leaves_no_entry_and_a_second_build_keeps_the_first(tmp_path):
    entry = tmp_path / "cache" / "tokens-abc"
    with pytest.raises(RuntimeError):
        with building(entry) as directory:
            (directory / "half.bin").write_bytes(b"x")
            raise RuntimeError("killed")
    assert not entry.exists() and list((tmp_path / "cache").iterdir()) == []

    with building(entry) as directory:
        (directory / "which").write_text("first")
    with building(entry) as directory:
        (directory / "which").write_text("second")
    assert (entry / "which").read_text() == "first"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["tokens-abc"]


def test_keys_change_with_any_part_and_the_root_follows_settings(tmp_path, monkeypatch):
    assert cache_key("scan", 1, {"a": 1}) == cache_key("scan", 1, {"a": 1})
    assert cache_key("scan", 1, {"a": 1}) != cache_key("scan", 1, {"a": 2})
    monkeypatch.setenv("TRAINWRIGHT_CACHE", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    assert cache_root(str(tmp_path / "set")) == tmp_path / "set"
    monkeypatch.delenv("TRAINWRIGHT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "trainwright"


def test_a_cache_that_cannot_be_written_is_a_clear_error_naming_it(tmp_path):
    from trainwright.errors import ConfigError

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache should go")
    with pytest.raises(ConfigError, match=f"Cannot write the cache in {blocker}.*--cache-dir DIR"):
        with building(blocker / "scan-abc"):
            pass
    with pytest.raises(ConfigError, match="No space left on device.*--cache-dir"):
        with building(tmp_path / "cache" / "tokens-abc"):
            raise OSError(28, "No space left on device")
    assert list((tmp_path / "cache").iterdir()) == []
    with pytest.raises(FileNotFoundError):  # not the cache's fault: passed on as it is
        with building(tmp_path / "cache" / "tokens-abc"):
            open(tmp_path / "elsewhere" / "data.csv")
