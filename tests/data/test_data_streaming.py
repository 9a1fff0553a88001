"""read_chunks and TableWriter: a file read and written in chunks gives what a whole read gives."""

from __future__ import annotations

import pandas as pd
import pytest

import trainwright
from trainwright.data import read_table
from trainwright.data.streaming import read_chunks, table_size
from trainwright.data.writers import TableWriter
from trainwright.errors import DataError

from conftest import make_reviews

FRAME = pd.DataFrame({
    "review": [f"review number {i}, with a comma" for i in range(23)] + ["很好吃"],
    "stars": list(range(24)),
    "score": [i / 4 for i in range(24)],
    "code": ["00012"] * 24,  # a zero-padded code stays text, as read_table keeps it
})


def _write(frame: pd.DataFrame, path) -> None:
    {".csv": lambda: frame.to_csv(path, index=False), ".tsv": lambda: frame.to_csv(path, sep="\t", index=False),
     ".jsonl": lambda: frame.to_json(path, orient="records", lines=True, force_ascii=False),
     ".parquet": lambda: frame.to_parquet(path, index=False)}[path.suffix]()


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_chunks_concatenate_to_the_whole_table_with_file_row_numbers(tmp_path, suffix):
    path = tmp_path / f"reviews{suffix}"
    _write(FRAME, path)
    chunks = list(read_chunks(path, rows=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 4]
    assert list(chunks[1].index) == [5, 6, 7, 8, 9]  # errors name the file's row, not the chunk's
    pd.testing.assert_frame_equal(pd.concat(chunks), read_table(path))


def test_progress_reaches_the_file_size(tmp_path):
    path = tmp_path / "reviews.csv"
    _write(pd.concat([FRAME] * 200), path)
    seen = []
    for _ in read_chunks(path, rows=500, progress=lambda done, total: seen.append((done, total))):
        pass
    assert [total for _, total in seen] == [path.stat().st_size] * len(seen)
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == path.stat().st_size and len(done) >= 2


def test_parquet_progress_counts_rows(tmp_path):
    path = tmp_path / "reviews.parquet"
    _write(FRAME, path)
    seen = []
    list(read_chunks(path, rows=10, progress=lambda done, total: seen.append((done, total))))
    assert seen == [(10, 24), (20, 24), (24, 24)] and table_size(path) == 24


def test_legacy_chinese_encoding_is_detected_from_the_start_of_the_file(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("review,label\n很好吃，送得也快,1\n太难吃了,0\n".encode("gb18030"))
    (chunk,) = read_chunks(path)
    assert chunk["review"].tolist() == ["很好吃，送得也快", "太难吃了"]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"review,label\n", "no data rows"),
    (b"review,label\nfine,1\ntoo,many,fields\n", r"line 3\b"),
])
def test_unusable_files_are_named_with_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        list(read_chunks(path, rows=1))
    assert str(path) in str(error.value)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_chunks_written_one_by_one_read_back_as_the_whole_table(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    with TableWriter(path) as writer:
        for start in range(0, len(FRAME), 7):
            writer.write(FRAME.iloc[start:start + 7])
    pd.testing.assert_frame_equal(read_table(path), read_table(_whole(FRAME, tmp_path / f"whole{suffix}")))


def _whole(frame, path):
    _write(frame, path)
    return path


def test_an_interrupted_write_leaves_no_file(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with TableWriter(path) as writer:
            writer.write(FRAME)
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_unknown_output_format_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(DataError, match=r"cannot write '\.xlsx'"):
        TableWriter(tmp_path / "out.xlsx")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_predicting_in_chunks_gives_the_predictions_of_one_pass(tiny_model, tmp_path, suffix):
    data = tmp_path / f"new{suffix}"
    _write(make_reviews(53, seed=7).drop(columns="label"), data)
    whole = trainwright.predict_file(tiny_model, data, tmp_path / "whole.csv", chunk_rows=10_000)
    chunked = trainwright.predict_file(tiny_model, data, tmp_path / "chunked.csv", chunk_rows=8)
    expected = trainwright.load(tiny_model).predict(read_table(data)).labels
    whole, chunked = read_table(whole), read_table(chunked)
    pd.testing.assert_frame_equal(chunked, whole)
    assert whole["predicted_label"].tolist() == expected and len(whole) == 53
