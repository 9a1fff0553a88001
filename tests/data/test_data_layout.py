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


def written(path, text: str):
    path.write_text(text)
    return path


@pytest.fixture
def adult(tmp_path):
    return written(tmp_path / "adult.data.csv", ADULT)


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


# UCI horse colic as the repository ships it: fields separated by single (or several) spaces, `?` for missing,
# no header row, zero-padded lesion codes.
HORSE = """2 1 530101 38.50 66 28 3 3 ? 2 11300 00000 2
1 1 534817 39.2  88 20 ? ? 4 1 02208 00000 2
2 1 530334 38.30 40 24 1 1 3 1 00000 00000 2
1 9 5290409 39.10 164 84 4 1 6 2 02208 00000 1
 2 1 530255 37.30 104 35 ? ? 6 2 04300 00000 2
"""


@pytest.fixture
def horse(tmp_path):
    return written(tmp_path / "horse-colic.data", HORSE)


def test_a_uci_file_separated_by_spaces_is_read_field_by_field(horse, tw_log):
    frame = read_table(horse)
    assert frame.shape == (5, 13) and list(frame.columns) == [f"column_{i}" for i in range(1, 14)]
    assert frame["column_3"].tolist() == [530101, 534817, 530334, 5290409, 530255]
    assert frame["column_7"].tolist() == ["3", "?", "1", "4", "?"]  # `?` is the cleaning's to read as missing
    assert frame["column_11"].tolist() == ["11300", "02208", "00000", "02208", "04300"]  # codes keep their zeros
    assert any("separated by spaces" in r.getMessage() for r in tw_log.records)
    chunks = list(read_chunks(horse, rows=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    # each chunk is typed on its own (a chunk of "1", "4" is numbers): compare the fields as written
    pd.testing.assert_frame_equal(pd.concat(chunks).reset_index(drop=True).astype(str), frame.astype(str))


def test_lines_of_prose_without_commas_stay_one_column(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("text\na fine day out\nnot good\nwould buy again\n")
    assert read_table(path)["text"].tolist() == ["a fine day out", "not good", "would buy again"]
    path.write_text("name\nAda Lovelace\nAlan Turing\n")  # a header of one field: not a spaced table either
    assert list(read_table(path).columns) == ["name"]


def test_a_spaced_line_with_a_field_too_many_is_named(horse):
    horse.write_text(HORSE * 5 + "2 1 530101 38.50 66 28 3 3 ? 2 11300 00000 2 7\n")
    with pytest.raises(DataError, match=r"horse-colic\.data could not be parsed as CSV: .*line 26, saw 14"):
        read_table(horse)
