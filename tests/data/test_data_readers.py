"""read_table: every supported format gives the same frame, with column names stripped."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trainwright.data import read_table
from trainwright.data.streaming import read_chunks
from trainwright.errors import DataError

# Header names with stray spaces, as hand-edited spreadsheets have them.
RAW = pd.DataFrame({
    " review ": ["Great kettle, works well.", "Broke after a week!", "很好吃", "ok"],
    "label ": ["pos", "neg", "pos", "neg"],
    " stars": [5, 1, 4, 3],
    "score": [0.5, 1.25, -2.0, 3.0],
})
EXPECTED = RAW.rename(columns=str.strip)


def _write(frame: pd.DataFrame, path) -> None:
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:  # pragma: no cover - test helper misuse
        raise AssertionError(suffix)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_each_format_reads_the_same_frame_with_stripped_names(tmp_path, suffix):
    path = tmp_path / f"reviews{suffix}"
    _write(RAW, path)
    frame = read_table(path)
    assert list(frame.columns) == ["review", "label", "stars", "score"]
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert pd.api.types.is_integer_dtype(frame["stars"])
    assert pd.api.types.is_float_dtype(frame["score"])


def test_all_formats_agree_exactly(tmp_path):
    frames = {}
    for suffix in (".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"):
        path = tmp_path / f"reviews{suffix}"
        _write(RAW, path)
        frames[suffix] = read_table(path)
    for suffix, frame in frames.items():
        pd.testing.assert_frame_equal(frame, frames[".csv"], obj=f"frame read from {suffix}")


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])  # Windows, and old Mac files: a bare carriage return
def test_any_line_end_reads_as_the_unix_file_does(tmp_path, line_end):
    unix, other = tmp_path / "unix.csv", tmp_path / "other.csv"
    _write(RAW, unix)
    other.write_bytes(unix.read_bytes().replace(b"\n", line_end.encode()))
    pd.testing.assert_frame_equal(read_table(other), read_table(unix))
    pd.testing.assert_frame_equal(pd.concat(read_chunks(other, rows=2), ignore_index=True), read_table(unix))


def test_a_workbook_is_read_from_its_first_sheet_as_its_csv_would_be(tmp_path, tw_log):
    path, csv_path = tmp_path / "clinic.xlsx", tmp_path / "clinic.csv"
    table = pd.DataFrame({"patient": [1, 2, 3], "code": ["02208", "10001", "00000"], "glucose": [148, 85, None],
                          "price": ["$1,200.00", "$3", "$0.50"], "label": ["pos", "neg", "pos"]})
    with pd.ExcelWriter(path) as workbook:
        pd.DataFrame({"Clinic export, March": []}).to_excel(workbook, sheet_name="data", index=False)  # a title
        table.to_excel(workbook, sheet_name="data", index=False, startrow=2, startcol=1)  # a margin around it
        table.describe().to_excel(workbook, sheet_name="summary")
    table.to_csv(csv_path, index=False)
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, read_table(csv_path))
    assert frame["code"].tolist() == ["02208", "10001", "00000"] and frame["price"].tolist() == [1200, 3, 0.5]
    said = " | ".join(r.getMessage() for r in tw_log.records)
    assert "read its first sheet, 'data'; the workbook has 2 (the others: 'summary')" in said
    assert "1 line above the table left out ('Clinic export, March')" in said
    pd.testing.assert_frame_equal(pd.concat(read_chunks(path, rows=2)), frame)  # a workbook is read whole


def test_a_damaged_or_old_workbook_is_named_with_what_to_do(tmp_path):
    damaged = tmp_path / "book.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataError, match="book.xlsx: not a readable Excel workbook .* again as .xlsx, or as CSV"):
        read_table(damaged)
    old = tmp_path / "book.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"book.xls: workbooks in .xls are not read. Save the sheet as .xlsx"):
        read_table(old)


@pytest.mark.parametrize("preamble", ["sep=,\n", "# exported 2024-03-01\n#\n# by the clinic system\n",
                                      "\"sep=,\"\r\n# note\r\n"])
def test_lines_above_the_table_are_left_out_and_said(tmp_path, tw_log, preamble):
    plain, path = tmp_path / "plain.csv", tmp_path / "export.csv"
    _write(RAW, plain)
    path.write_bytes(preamble.encode() + plain.read_bytes())
    pd.testing.assert_frame_equal(read_table(path), read_table(plain))
    pd.testing.assert_frame_equal(pd.concat(read_chunks(path, rows=2), ignore_index=True), read_table(plain))
    lines = len([line for line in preamble.splitlines()])
    assert any(f"{lines} line{'s' if lines > 1 else ''} above the table left out" in r.getMessage()
               for r in tw_log.records)


def test_excel_separator_hint_names_the_separator_and_a_hash_header_is_the_header(tmp_path):
    hinted = tmp_path / "hinted.csv"
    hinted.write_text("sep=;\nname;score\nx;1,5\ny;2,25\n", encoding="utf-8")
    assert read_table(hinted).to_dict("list") == {"name": ["x", "y"], "score": [1.5, 2.25]}
    commented = tmp_path / "hash.csv"
    commented.write_text("# a note\n#id,text,label\n1,good film,pos\n2,bad film,neg\n", encoding="utf-8")
    assert list(read_table(commented).columns) == ["#id", "text", "label"]  # the table's own header


def test_total_rows_at_the_end_of_a_table_are_left_out_and_said(tmp_path, tw_log):
    path = tmp_path / "sales.csv"
    path.write_text("region,units,label\nnorth,3,a\nsouth,5,b\neast,2,a\nSubtotal:,10,\nGRAND TOTAL,\"1,010\",3\n",
                    encoding="utf-8")
    frame = read_table(path)
    assert frame.to_dict("list") == {"region": ["north", "south", "east"], "units": [3, 5, 2], "label": ["a", "b", "a"]}
    assert any("2 rows at the end (GRAND TOTAL, 1,010, 3, ...) left out: totals, not examples" in r.getMessage()
               for r in tw_log.records)
    workbook = tmp_path / "sales.xlsx"
    pd.read_csv(path, dtype=str).to_excel(workbook, index=False)
    pd.testing.assert_frame_equal(read_table(workbook), frame)
    kept = tmp_path / "words.csv"  # a "Total" whose row holds words is an example, as is a total mid-table
    kept.write_text("word,note\nsum,a verb\nTotal,not a number\nx,y\nTotal,1\nz,w\n", encoding="utf-8")
    assert read_table(kept)["word"].tolist() == ["sum", "Total", "x", "Total", "z"]


def test_nested_json_values_are_laid_flat(tmp_path, tw_log):
    records = [{"text": "good kettle", "meta": {"stars": 5, "shop": {"city": "Lyon"}}, "tags": ["home", "tea"],
                "label": "pos"},
               {"text": "broke fast", "meta": {"stars": 1}, "tags": [], "label": "neg"},
               {"text": "fine", "meta": None, "tags": ["home"], "label": "pos"}]
    lines, array = tmp_path / "reviews.jsonl", tmp_path / "reviews.json"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    array.write_text(json.dumps(records), encoding="utf-8")
    frame = read_table(lines)
    assert list(frame.columns) == ["text", "tags", "label", "meta.stars", "meta.shop.city"]
    assert frame["meta.stars"].tolist()[:2] == [5, 1] and frame["meta.stars"].isna().tolist() == [False, False, True]
    assert frame["meta.shop.city"].tolist()[0] == "Lyon" and frame["tags"].tolist()[::2] == ["home;tea", "home"]
    assert frame["tags"].isna().tolist() == [False, True, False]  # an empty list: missing
    pd.testing.assert_frame_equal(read_table(array), frame)
    pd.testing.assert_frame_equal(pd.concat(read_chunks(lines, rows=2)), frame, check_dtype=False)  # a chunk of NaN
    assert any("nested values laid flat: meta.stars, meta.shop.city; lists joined by ';' (tags)" in r.getMessage()
               for r in tw_log.records)
    parquet = tmp_path / "reviews.parquet"  # structs and lists as Parquet holds them (dicts, numpy arrays)
    pd.DataFrame({"text": ["a b", "c d"], "meta": [{"stars": 5}, {"stars": 1}], "tags": [["x", "y"], ["z"]],
                  "label": ["pos", "neg"]}).to_parquet(parquet)
    read = read_table(parquet)
    assert read["meta.stars"].tolist() == [5, 1] and read["tags"].tolist() == ["x;y", "z"]
    pd.testing.assert_frame_equal(pd.concat(read_chunks(parquet, rows=1)), read)


def test_extension_is_case_insensitive_and_str_path_accepted(tmp_path):
    path = tmp_path / "REVIEWS.CSV"
    _write(RAW, tmp_path / "tmp.csv")
    (tmp_path / "tmp.csv").rename(path)
    pd.testing.assert_frame_equal(read_table(str(path)), EXPECTED, check_dtype=False)


def test_utf8_byte_order_mark_does_not_end_up_in_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefftext,label\nhello there,pos\n".encode("utf-8"))
    assert list(read_table(path).columns) == ["text", "label"]


def test_non_utf8_file_is_decoded_by_detection_and_reported(tmp_path, tw_log):
    # Detection is a guess (short French text can come out as cp1250 rather than latin-1), so only bytes that
    # all the candidate single-byte encodings agree on are checked: 0xE9 is 'é' in latin-1, cp1252 and cp1250.
    path = tmp_path / "latin.csv"
    rows = "text,label\n" + "".join(f"Un café numéro {i} vraiment réussi,pos\n" for i in range(30))
    path.write_bytes(rows.encode("latin-1"))
    frame = read_table(path)
    assert frame["text"].iloc[0] == "Un café numéro 0 vraiment réussi"
    assert len(frame) == 30
    assert any("is not UTF-8" in r.getMessage() and "--encoding" in r.getMessage() for r in tw_log.records)


def test_short_latin1_french_is_not_taken_for_chinese(tmp_path):
    # "é" or "ç" then a letter is a valid GB18030 byte pair (a rare ideograph): not Chinese text.
    path = tmp_path / "villes.csv"
    path.write_bytes("ville,ventes\nOrléans,3\nBesançon,4\n".encode("latin-1"))
    assert read_table(path)["ville"].tolist() == ["Orléans", "Besançon"]


def test_chinese_in_gb18030_is_still_detected(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("text,label\n很好吃，送得也快,pos\n太难吃了,neg\n".encode("gb18030"))
    assert read_table(path)["text"].tolist() == ["很好吃，送得也快", "太难吃了"]


def test_semicolon_separated_csv_with_decimal_commas(tmp_path, tw_log):
    path = tmp_path / "ventes.csv"
    path.write_text("date;montant;quantité;code;prix\n2020-01-01;3,5;1.234;007;1 234,50\n"
                    "2020-02-01;1.234,25;12;008;12\u202f500,00\n2020-03-01;-2;5;009;7,5\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["date", "montant", "quantité", "code", "prix"]
    assert frame["montant"].tolist() == [3.5, 1234.25, -2.0]
    assert frame["prix"].tolist() == [1234.5, 12500.0, 7.5]  # thousands grouped by spaces, as in French
    assert frame["quantité"].tolist() == [1.234, 12, 5]  # no decimal comma anywhere: read as written
    assert frame["code"].tolist() == ["007", "008", "009"]  # zero-padded codes stay text
    assert any("separated by semicolons" in r.getMessage() for r in tw_log.records)


def test_a_comma_in_the_header_keeps_the_comma_as_separator(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text('text,label\n"a; b; c",pos\n', encoding="utf-8")
    assert read_table(path)["text"].tolist() == ["a; b; c"]


def test_utf8_file_is_read_silently(tmp_path, tw_log):
    path = tmp_path / "utf8.csv"
    path.write_text("text,label\nUn café,pos\n", encoding="utf-8")
    assert read_table(path)["text"].tolist() == ["Un café"]
    assert not [r for r in tw_log.records if "UTF-8" in r.getMessage()]


def test_explicit_encoding_is_used(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("text,label\n很好吃,pos\n".encode("gb18030"))
    assert read_table(path, encoding="gb18030")["text"].tolist() == ["很好吃"]


def test_unknown_extension_lists_the_supported_ones(tmp_path):
    path = tmp_path / "data.numbers"
    path.write_text("x")
    with pytest.raises(DataError) as info:
        read_table(path)
    message = str(info.value)
    assert "'.numbers'" in message and ".csv" in message and ".parquet" in message and ".xlsx" in message


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "absent.csv")


@pytest.mark.parametrize("content, match", [("", "is empty"), ("   \n", "is empty"),
                                            ("text,label\n", "no data rows")])
def test_empty_files_are_rejected(tmp_path, content, match):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=match):
        read_table(path)


def test_corrupt_parquet_is_a_data_error(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match="Parquet"):
        read_table(path)


def test_numbers_written_as_bounds_are_read_as_the_number_they_state(tmp_path, tw_log):
    path = tmp_path / "census.csv"
    path.write_text("age,crp,band,fare\n23,1.2,<=50,12\n90+,<0.5,>50,7\n41,3.4,>50,cheap\n90+,0.9,<=50,9\n"
                    "37,≤ 0.5,>50,8\n", encoding="utf-8")
    frame = read_table(path)
    assert frame["age"].tolist() == [23, 90, 41, 90, 37]  # census top-code
    assert frame["crp"].tolist() == [1.2, 0.5, 3.4, 0.9, 0.5]  # below a laboratory's detection limit
    assert frame["band"].tolist() == ["<=50", ">50", ">50", "<=50", ">50"]  # bounds alone: two classes
    assert frame["fare"].tolist() == ["12", "7", "cheap", "9", "8"]  # a word among numbers is no bound
    said = [r.getMessage() for r in tw_log.records if "bounds" in r.getMessage()]
    assert len(said) == 2 and "column 'age': 2 values written with bounds ('90+')" in said[0]
    tw_log.clear()
    chunks = list(read_chunks(path, rows=2))  # said once for the file, not once a chunk
    assert pd.concat(chunks)["age"].tolist() == [23, 90, 41, 90, 37]
    assert len([r for r in tw_log.records if "column 'age'" in r.getMessage()]) == 1


def test_numbers_written_with_separators_currency_or_percent_are_read_as_numbers(tmp_path, tw_log):
    path = tmp_path / "export.csv"  # as a spreadsheet exports formatted cells
    path.write_text('glucose,price,bmi,loss,ratio,label,french\n"14,800",$0.50,33.6%,-$5,"12,34",a,14 800\n'
                    '"9,900","$1,200.00",31.2%,€ 12,"1,5",b,9\u202f900\n148,£3,29%,12 €,"7,25",a,148\n',
                    encoding="utf-8")
    frame = read_table(path)
    assert frame["glucose"].tolist() == [14800, 9900, 148] and frame["french"].tolist() == [14800, 9900, 148]
    assert frame["price"].tolist() == [0.5, 1200, 3]
    assert frame["bmi"].tolist() == [33.6, 31.2, 29]  # the number written, as a request of 33.6 means it
    assert frame["loss"].tolist() == [-5, 12, 12]
    assert frame["ratio"].tolist() == ["12,34", "1,5", "7,25"]  # not thousands: decimal commas in a CSV stay text
    said = {r.getMessage().split(":")[0]: r.getMessage() for r in tw_log.records if "numbers they state" in
            r.getMessage()}
    assert set(said) == {"column 'glucose'", "column 'price'", "column 'bmi'", "column 'loss'", "column 'french'"}
    assert "2 values written with thousands separators ('14,800', '9,900')" in said["column 'glucose'"]
    assert "thousands separators, currency signs" in said["column 'price'"] and "percent" in said["column 'bmi'"]


def _compressed(path, data: bytes):
    """`data` written to `path`, compressed as its extension says (.zip: one member)."""
    import bz2
    import gzip
    import lzma
    import zipfile

    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.stem, data)
    else:
        path.write_bytes({".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[path.suffix](data))
    return path


@pytest.mark.parametrize("name", ["reviews.csv.gz", "reviews.csv.bz2", "reviews.csv.xz", "reviews.csv.zip",
                                  "reviews.tsv.gz", "reviews.jsonl.gz"])
def test_compressed_tables_read_as_their_uncompressed_selves(tmp_path, name):
    plain = tmp_path / name.rsplit(".", 1)[0]
    _write(RAW, plain)
    path = _compressed(tmp_path / name, plain.read_bytes())
    pd.testing.assert_frame_equal(read_table(path), read_table(plain))
    seen = []
    chunks = list(read_chunks(path, rows=3, progress=lambda done, total: seen.append((done, total))))
    pd.testing.assert_frame_equal(pd.concat(chunks), read_table(plain), check_dtype=False)
    assert seen[-1][0] == seen[-1][1]


def test_a_compressed_legacy_encoding_is_detected(tmp_path):
    path = _compressed(tmp_path / "gbk.csv.gz", "text,label\n很好吃，送得也快,pos\n太难吃了,neg\n".encode("gb18030"))
    assert read_table(path)["text"].tolist() == ["很好吃，送得也快", "太难吃了"]
    assert [c["text"].tolist() for c in read_chunks(path)] == [["很好吃，送得也快", "太难吃了"]]


def test_damaged_or_ambiguous_archives_are_named(tmp_path):
    data = b"text,label\n" + b"a fine kettle,pos\n" * 5000
    whole = _compressed(tmp_path / "whole.csv.gz", data).read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    for read in (read_table, lambda path: list(read_chunks(path))):
        with pytest.raises(DataError, match=r"cut\.csv\.gz could not be decompressed"):
            read(cut)
    import zipfile
    with zipfile.ZipFile(tmp_path / "two.csv.zip", "w") as archive:
        archive.writestr("a.csv", data)
        archive.writestr("b.csv", data)
    with pytest.raises(DataError, match=r"two\.csv\.zip holds 2 files"):
        read_table(tmp_path / "two.csv.zip")
    with pytest.raises(DataError, match=r"unknown file type '\.gz'.*compressed: \.gz"):
        read_table(_compressed(tmp_path / "table.parquet.gz", b"PAR1"))
