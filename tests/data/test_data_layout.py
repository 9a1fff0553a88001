"""Whether a CSV/TSV file's first row is a header: told from the file, or said by hand; the same for whole and
chunked reads."""

from __future__ import annotations

import pandas as pd
import pytest

from trainwright.data import read_table
from trainwright.data.layout import Layout
from trainwright.data.streaming import read_chunks
from trainwright.errors import DataError

# UCI adult: no header row, '?' for missing, the label last
ADULT = """39, State-gov, 77516, Bachelors, 13, <=50K
50, Self-emp-not-inc, 83311, Bachelors, 13, <=50K
38, Private, 215646, HS-grad, 9, <=50K
53, ?, 234721, 11th, 7, <=50K
28, Private, 338409, Bachelors, 13, >50K
37, Private, 284582, Masters, 14, >50K
"""


@pytest.fixture
def adult(tmp_path):
    path = tmp_path / "adult.data.csv"
    path.write_text(ADULT)
    return path


def test_a_first_row_of_data_is_read_as_data_with_numbered_columns(adult, tw_log):
    frame = read_table(adult)
    assert len(frame) == 6 and list(frame.columns) == [f"column_{i}" for i in range(1, 7)]
    assert frame["column_1"].tolist()[:2] == [39, 50] and frame["column_6"].iloc[0].strip() == "<=50K"
    (said,) = [r.getMessage() for r in tw_log.records if "looks like data" in r.getMessage()]
    assert "column_1..column_6" in said and "--header" in said


def test_chunked_reads_read_the_header_the_same_way(adult):
    chunks = list(read_chunks(adult, rows=4))
    assert [len(c) for c in chunks] == [4, 2]
    whole = pd.concat(chunks)
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), read_table(adult), check_dtype=False)


def test_a_header_of_names_is_still_a_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("age,workclass,income\n39,State-gov,<=50K\n50,Private,>50K\n")
    assert list(read_table(path).columns) == ["age", "workclass", "income"] and len(read_table(path)) == 2


def test_a_header_named_with_numbers_over_text_columns_is_a_header(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("2019\ttext\nsunny day\tgood\nrainy day\tbad\n")
    assert list(read_table(path).columns) == ["2019", "text"]


def test_column_names_name_a_headerless_file_and_no_header_keeps_the_first_row(adult, tmp_path):
    names = ("age", "workclass", "fnlwgt", "education", "education_num", "income")
    frame = read_table(adult, layout=Layout(names=names))
    assert list(frame.columns) == list(names) and len(frame) == 6
    path = tmp_path / "text.csv"
    path.write_text("great film,pos\nawful plot,neg\n")
    assert len(read_table(path)) == 1  # all text: taken as a header, unless told
    assert read_table(path, layout=Layout(header=False))["column_1"].tolist() == ["great film", "awful plot"]


def test_header_true_with_names_replaces_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("1,2\n3,4\n5,6\n")
    frame = read_table(path, layout=Layout(header=True, names=("a", "b")))
    assert list(frame.columns) == ["a", "b"] and frame["a"].tolist() == [3, 5]


def test_a_file_without_the_target_column_takes_the_other_names(adult, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in ADULT.splitlines()))
    frame = read_table(path, layout=Layout(names=tuple(f"column_{i}" for i in range(1, 7)), target="column_6"))
    assert list(frame.columns) == [f"column_{i}" for i in range(1, 6)] and len(frame) == 6


def test_names_of_the_wrong_count_are_an_error_naming_the_file(adult):
    with pytest.raises(DataError, match=r"adult\.data\.csv: its first row has 6 fields, but 2 column names"):
        read_table(adult, layout=Layout(names=("a", "b")))
