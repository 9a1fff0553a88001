"""What a user sees for each kind of bad input: a one-paragraph message that names the file, row, column or key
and says what to do, a non-zero exit code (DataError 2, ConfigError 3, ArtifactError 4), and no traceback.

Commands run through `trainwright.cli.main()` in-process with file-descriptor capture (the console script's
entry point, without the seconds a new Python process takes to import torch); one case per error family also
runs the installed console script in a subprocess. TRAINWRIGHT_TEST_SUBPROCESS=1 runs them all in subprocesses.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import Result, make_reviews, run_subprocess

import trainwright
from trainwright.data import read_table

FAST = ["--model", "lstm", "--epochs", "1", "--embedding-dim", "8", "--hidden-size", "8", "--threads", "1"]
DATA_ERROR, CONFIG_ERROR, ARTIFACT_ERROR = 2, 3, 4


def fails(result: Result, code: int, *fragments: str) -> str:
    """The error message (stderr) of a run that must exit with `code` and say each of `fragments`."""
    context = f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.code == code, context
    assert "Traceback" not in result.stderr, context
    assert "Error: " in result.stderr, context
    message = " ".join(result.stderr.split())  # rich may wrap; compare with single spaces
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in the message\n{context}"
    return message


def ok(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def write(path: Path, frame: pd.DataFrame, **kwargs) -> Path:
    frame.to_csv(path, index=False, **kwargs)
    return path


# ----------------------------------------------------------------------------------------- target column


def test_missing_target_names_the_column_and_suggests_the_closest(reviews_csv, tmp_path):
    # through the console script: the real exit code and stderr of a DataError
    result = run_subprocess("train", reviews_csv, "--target", "lable", "--out", tmp_path / "m", *FAST)
    fails(result, DATA_ERROR, str(reviews_csv), "no column named 'lable'", "Did you mean 'label'?",
          "Columns are: review, stars, label")
    assert result.stdout == ""
    assert not (tmp_path / "m").exists()


def test_missing_text_column_names_it(cli, reviews_csv, tmp_path):
    fails(cli("train", reviews_csv, "--text", "reveiw", "--out", tmp_path / "m", *FAST), DATA_ERROR,
          "no column named 'reveiw'", "Did you mean 'review'?")


def test_ambiguous_target(cli, tmp_path):
    frame = make_reviews(60)
    frame["class"] = frame["label"].map({"pos": "good", "neg": "bad"})
    data = write(tmp_path / "two_labels.csv", frame)
    fails(cli("train", data, "--out", tmp_path / "m", *FAST), DATA_ERROR,
          str(data), "cannot tell which column is the target", "label, class", "Pass --target COLUMN")


@pytest.mark.parametrize("extra, says", [
    ({"price": [round(0.37 * i, 2) for i in range(80)]}, "found no target column"),  # 80 distinct numbers
], ids=["none"])  # of several candidates the last is taken: see test_columns.py
def test_target_cannot_be_inferred(cli, tmp_path, extra, says):
    frame = make_reviews(80).drop(columns=["label", "stars"]).assign(**extra)
    data = write(tmp_path / "unlabeled.csv", frame)
    fails(cli("train", data, "--out", tmp_path / "m", *FAST), DATA_ERROR, str(data), says, "Pass --target COLUMN")


def test_single_class(cli, tmp_path):
    data = write(tmp_path / "all_pos.csv", make_reviews(60).assign(label="pos"))
    fails(cli("train", data, "--out", tmp_path / "m", *FAST), DATA_ERROR,
          str(data), "target column 'label' has a single class ('pos' in all 60 rows)", "at least two",
          "Check --target or the file")


# ------------------------------------------------------------------------------------------ unusable files


def _consistent_lines(n: int = 20) -> list[str]:
    return [f"This is review number {i} of the kettle,{'pos' if i % 2 else 'neg'}" for i in range(n)]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _header_only(path: Path) -> None:
    path.write_text("review,label\n", encoding="utf-8")


def _too_many_fields(path: Path) -> None:
    lines = _consistent_lines()
    lines[11] = "Great kettle, boils fast, quiet too,pos"  # unquoted commas: 4 fields where there are 2
    path.write_text("review,label\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _unclosed_quote(path: Path) -> None:
    lines = _consistent_lines()
    lines[5] = '"It said ""great"" on the box,pos'
    path.write_text("review,label\n" + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name, make, says", [
    ("empty.csv", _empty, ["is empty: it needs a header row and at least one data row"]),
    ("header.csv", _header_only, ["has a header but no data rows"]),
    ("ragged.csv", _too_many_fields, ["could not be parsed as CSV", "Expected 2 fields in line 13, saw 4",
                                      "Check the quoting and the number of fields on that line"]),
    ("quote.csv", _unclosed_quote, ["could not be parsed as CSV", "EOF inside string", "Check the quoting"]),
    ("reviews.numbers", _header_only,
     ["unknown file type '.numbers'", "Use one of: .csv", ".jsonl", ".parquet", ".xlsx"]),
    ("missing.csv", None, ["no such file"]),
], ids=["empty", "header-only", "too-many-fields", "unclosed-quote", "unknown-extension", "does-not-exist"])
def test_unusable_file(cli, tmp_path, name, make, says):
    data = tmp_path / name
    if make is not None:
        make(data)
    fails(cli("train", data, "--out", tmp_path / "m", *FAST), DATA_ERROR, str(data), *says)
    with pytest.raises(trainwright.DataError, match=re.escape(says[0])):  # the API raises the same
        read_table(data)


def test_unusable_file_for_evaluate_and_predict(cli, tiny_model, tmp_path):
    data = tmp_path / "ragged.csv"
    _too_many_fields(data)
    fails(cli("evaluate", tiny_model, data), DATA_ERROR, str(data), "line 13")
    fails(cli("predict", tiny_model, data, "-o", tmp_path / "p.csv"), DATA_ERROR, str(data), "line 13")
    assert not (tmp_path / "p.csv").exists()


def test_parse_error_message_is_one_paragraph(cli, tmp_path):
    data = tmp_path / "ragged.csv"
    _too_many_fields(data)
    result = cli("train", data, "--out", tmp_path / "m", *FAST)
    fails(result, DATA_ERROR, str(data))
    assert "Expected 2 fields in line 13, saw 4. Check the quoting" in result.stderr


def test_predict_input_without_the_text_column(cli, tiny_model, tmp_path):
    data = write(tmp_path / "no_text.csv", make_reviews(10).rename(columns={"review": "body"}))
    fails(cli("predict", tiny_model, data), DATA_ERROR, "no column named 'review'", "Columns are: body, stars, label")


def test_predict_input_without_the_text_column_names_the_file(cli, tiny_model, tmp_path):
    data = write(tmp_path / "no_text.csv", make_reviews(10).rename(columns={"review": "body"}))
    fails(cli("predict", tiny_model, data), DATA_ERROR, f"{data}: no column named 'review'")


def test_predict_to_an_unknown_output_type(cli, tiny_model, tmp_path):
    data = write(tmp_path / "good.csv", make_reviews(10))
    target = tmp_path / "predictions.xlsx"
    fails(cli("predict", tiny_model, data, "-o", target), DATA_ERROR,
          str(target), "cannot write '.xlsx' files", ".csv", ".jsonl")
    assert not target.exists()


def test_extra_field_on_the_first_data_line_is_an_error(tmp_path):
    data = tmp_path / "first_line.csv"
    lines = _consistent_lines()
    lines[0] = "Great kettle, boils fast,pos"
    data.write_text("review,label\n" + "\n".join(lines) + "\n", encoding="utf-8")
    # today: the texts of lines 2.. become the index, 'review' holds their labels and 'label' is empty
    with pytest.raises(trainwright.DataError, match="first_line.csv"):
        read_table(data)


# ---------------------------------------------------------------------------------------------- encodings

CHINESE = ["这个产品非常好，我很喜欢，下次还会再来买", "质量太差了，完全不能用，真是浪费钱",
           "物流很快，包装也不错，给卖家点个赞", "客服态度恶劣，再也不买了，大家小心",
           "性价比很高，推荐购买，朋友也说好用", "用了两天就坏了，很失望，要求退货"]
FRENCH = ["Très bon produit, livré à temps", "Déçu, la qualité n'est pas là", "Ça marche très bien, je suis ravi",
          "Le modèle reçu était abîmé", "Élégant et pratique, à recommander", "Pièce défectueuse, très déçu"]


def _texts(base: list[str], n: int) -> pd.DataFrame:
    texts = [base[i % len(base)] + (f" {i}" if i >= len(base) else "") for i in range(n)]
    return pd.DataFrame({"评论" if base is CHINESE else "avis": texts,
                         "label": ["pos" if i % 2 == 0 else "neg" for i in range(n)]})


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_gbk_file_is_decoded(tmp_path, caplog, encoding):
    original = _texts(CHINESE, 30)
    data = write(tmp_path / "zh.csv", original, encoding=encoding)
    with pytest.raises(UnicodeDecodeError):
        data.read_bytes().decode("utf-8")
    with caplog.at_level(logging.INFO, logger="trainwright"):
        frame = read_table(data)
    pd.testing.assert_frame_equal(frame, original)
    assert f"{data} is not UTF-8; read it as gb18030 (detected). Pass --encoding to override." in caplog.text
    pd.testing.assert_frame_equal(read_table(data, encoding=encoding), original)


def test_chinese_gbk_file_trains_from_the_command_line(cli, tmp_path):
    data = write(tmp_path / "zh.csv", _texts(CHINESE, 60), encoding="gbk")
    result = ok(cli("train", data, "--out", tmp_path / "m", *FAST))
    message = " ".join(result.stderr.split())
    assert f"{data} is not UTF-8; read it as gb18030 (detected)" in message
    assert "text column: '评论'" in message
    assert "Chinese/Japanese/Korean split into characters" in message


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize("rows", [6, 30])
def test_french_latin1_file_is_decoded(tmp_path, caplog, encoding, rows):
    original = _texts(FRENCH, rows)
    data = write(tmp_path / "fr.csv", original, encoding=encoding)
    with caplog.at_level(logging.INFO, logger="trainwright"):
        frame = read_table(data)
    pd.testing.assert_frame_equal(frame, original)  # è, à, ç, É, î intact
    assert f"{data} is not UTF-8; read it as" in caplog.text


def test_french_latin1_file_with_explicit_encoding(tmp_path):
    original = _texts(FRENCH, 12)
    data = write(tmp_path / "fr.csv", original, encoding="latin-1")
    pd.testing.assert_frame_equal(read_table(data, encoding="latin-1"), original)


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    original = _texts(FRENCH, 12)
    data = write(tmp_path / "bom.csv", original, encoding="utf-8-sig")
    assert data.read_bytes().startswith(b"\xef\xbb\xbfavis,")
    frame = read_table(data)
    assert list(frame.columns) == ["avis", "label"]
    pd.testing.assert_frame_equal(frame, original)


def test_explicit_wrong_encoding(cli, tmp_path):
    data = write(tmp_path / "zh.csv", _texts(CHINESE, 30), encoding="gbk")
    fails(cli("train", data, "--encoding", "utf-8", "--out", tmp_path / "m", *FAST), DATA_ERROR,
          f"{data} is not valid utf-8 at byte", "check --encoding")


def test_unknown_encoding_name(cli, tiny_model, reviews_csv):
    fails(cli("evaluate", tiny_model, reviews_csv, "--encoding", "klingon"), DATA_ERROR,
          "Unknown encoding 'klingon'", str(reviews_csv))


# ------------------------------------------------------------------------- rows without text or label


def test_rows_with_empty_text_or_missing_label_are_left_out_and_reported(cli, tmp_path):
    frame = make_reviews(120, seed=4).drop(columns="stars")  # text is the only input: empty text is unusable
    empty_text = [4, 9, 10, 20, 50, 70, 90]  # 0-based; data rows 5, 10, 11, 21, 51, 71, 91
    frame["review"] = frame["review"].astype(object)
    frame.loc[empty_text, "review"] = ""
    frame.loc[11, "review"] = "   "  # whitespace only is empty too: data row 12
    frame.loc[[15, 30, 31], "label"] = None  # data rows 16, 31, 32
    frame.loc[50, "label"] = None  # empty text and no label: counted once, as empty text
    data = write(tmp_path / "holes.csv", frame)
    out = tmp_path / "m"
    result = ok(cli("train", data, "--out", out, *FAST))
    message = " ".join(result.stderr.split())
    assert (f"{data}: 8 rows left out, empty text in 'review' (rows 5, 10, 11, 12, 21 and 3 more, counting data "
            "rows from 1)") in message
    assert f"{data}: 3 rows left out, missing label in 'label' (rows 16, 31, 32, counting data rows from 1)" \
        in message
    good = 120 - 8 - 3
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert saved["training"]["n_train"] + saved["valid"]["n"] == good
    assert f"{saved['training']['n_train']} training rows, {saved['valid']['n']} validation rows" in message


def test_no_row_has_text_and_label(cli, tmp_path):
    frame = make_reviews(20).assign(label=None)
    data = write(tmp_path / "nolabels.csv", frame)
    fails(cli("train", data, "--target", "label", "--out", tmp_path / "m", *FAST), DATA_ERROR,
          str(data), "no row has both text (or features) and a label", "check --text and --target")


# --------------------------------------------------------------------------------------- unseen labels


def test_evaluate_with_labels_the_model_never_saw(cli, tiny_model, tmp_path):
    frame = make_reviews(40, seed=3)
    frame.loc[[2, 5], "label"] = "meh"
    frame.loc[7, "label"] = "neutral"
    data = write(tmp_path / "unseen.csv", frame)
    fails(cli("evaluate", tiny_model, data, "--json"), DATA_ERROR,
          str(data), "column 'label'", "'meh', 'neutral'", "rows 3, 6, 8", "The model knows: 'neg', 'pos'",
          "Fix or remove those rows, or retrain with them")


def test_unseen_label_rows_are_rows_of_the_file(cli, tiny_model, tmp_path):
    frame = make_reviews(20, seed=3)
    frame.loc[0, "label"] = None  # row 1: left out
    frame.loc[1, "review"] = ""  # row 2: left out
    frame.loc[4, "label"] = "meh"  # row 5
    data = write(tmp_path / "unseen.csv", frame)
    fails(cli("evaluate", tiny_model, data), DATA_ERROR, "('meh') at row 5")


def test_valid_file_with_an_unseen_label_names_the_file(cli, reviews_csv, tmp_path):
    frame = make_reviews(20, seed=3)
    frame.loc[4, "label"] = "meh"
    valid = write(tmp_path / "valid.csv", frame)
    fails(cli("train", reviews_csv, "--valid", valid, "--out", tmp_path / "m", *FAST), DATA_ERROR,
          f"{valid}: column 'label'", "'meh'", "row 5")


# ------------------------------------------------------------------------------------------------- config


def test_config_unknown_key_names_key_section_and_closest(reviews_csv, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("tokenizer:\n  max_len: 50\n", encoding="utf-8")
    result = run_subprocess("train", reviews_csv, "--config", config, "--out", tmp_path / "m")  # console script
    fails(result, CONFIG_ERROR, str(config), "unknown key 'max_len' in section [tokenizer]",
          "Did you mean 'maxlen'?", "Valid keys: level, num_words, lowercase, filters, split_punctuation, maxlen, padding, truncating")
    assert not (tmp_path / "m").exists()


def test_config_unknown_section(cli, reviews_csv, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("trainer:\n  epochs: 1\n", encoding="utf-8")
    fails(cli("train", reviews_csv, "--config", config), CONFIG_ERROR,
          "unknown key 'trainer' in the top level", "Did you mean 'train'?")


def test_config_bad_value_names_key_and_allowed_values(cli, reviews_csv, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("tokenizer:\n  padding: middle\n", encoding="utf-8")
    fails(cli("train", reviews_csv, "--config", config), CONFIG_ERROR,
          str(config), "bad value for 'tokenizer.padding' ('middle')", "'pre' or 'post'")


def test_flag_bad_value_names_key_and_allowed_values(cli, reviews_csv):
    fails(cli("train", reviews_csv, "--optimizer", "rmsprop"), CONFIG_ERROR,
          "bad value for 'train.optimizer' ('rmsprop')", "'adam', 'sgd' or 'adagrad'")


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    ("train: [epochs: 1\n", "is not valid YAML"),
    ("- epochs\n", "expected a mapping of sections (data, clean, tokenizer, model, train, stopping, regularization, "
                   "tune, forecast)"),
], ids=["missing", "not-yaml", "not-a-mapping"])
def test_config_file_unusable(cli, reviews_csv, tmp_path, content, says):
    config = tmp_path / "run.yaml"
    if content is not None:
        config.write_text(content, encoding="utf-8")
    fails(cli("train", reviews_csv, "--config", config), CONFIG_ERROR, str(config), says)


# -------------------------------------------------------------------------------------------- model dirs


def test_model_directory_does_not_exist(cli, reviews_csv, tmp_path):
    missing = tmp_path / "no_such_model"
    fails(cli("evaluate", missing, reviews_csv, fork=True), ARTIFACT_ERROR,  # through the console script
          str(missing), "no such model directory", "Pass the --out directory of a training run")
    fails(cli("predict", missing, reviews_csv), ARTIFACT_ERROR, str(missing), "no such model directory")


def test_model_directory_incomplete(cli, tiny_model, reviews_csv, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "weights.safetensors").unlink()
    fails(cli("evaluate", broken, reviews_csv), ARTIFACT_ERROR,
          str(broken), "is not a complete trainwright model: missing weights.safetensors")
    result = cli("predict", broken, reviews_csv, "-o", "-")
    fails(result, ARTIFACT_ERROR, "missing weights.safetensors")
    assert result.stdout == ""
    with pytest.raises(trainwright.ArtifactError, match="missing weights.safetensors"):
        trainwright.load(broken)


def test_model_directory_with_damaged_json(cli, tiny_model, reviews_csv, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "metadata.json").write_text("{not json", encoding="utf-8")
    fails(cli("evaluate", broken, reviews_csv), ARTIFACT_ERROR,
          "metadata.json cannot be read as JSON", "the model directory is damaged")


# ------------------------------------------------------------------------------------------ usage errors


@pytest.mark.parametrize("args, codes, says", [
    ([], (0, 2), "Usage:"),  # prints the help
    (["evaluate"], (2,), "Missing argument"),
    (["train", "data.csv", "--epochs", "many"], (2,), "--epochs"),
    (["train", "data.csv", "--bogus"], (2,), "--bogus"),
], ids=["no-args", "missing-argument", "bad-int", "unknown-option"])
def test_usage_errors(cli, args, codes, says):
    result = cli(*args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code in codes, result.stderr
    assert says in result.stdout + result.stderr


def test_a_text_model_on_a_table_without_text_says_which_columns_it_found(cli, tmp_path):
    ages = [18 + (7 * i) % 50 for i in range(40)]  # not range(40): consecutive distinct integers are row numbers
    data = write(tmp_path / "table.csv", pd.DataFrame({"age": ages, "label": [0, 1] * 20}))
    fails(cli("train", data, "--out", tmp_path / "m", *FAST), CONFIG_ERROR,
          "model lstm reads text", "no column taken as text", "age", "--text COL")
    assert not (tmp_path / "m").exists()


def _set_vocab_size(spec, size: int) -> bool:
    """Set every vocab_size in model.json's nested config; True when there was one."""
    found = False
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "vocab_size":
                spec[key], found = size, True
            else:
                found = _set_vocab_size(value, size) or found
    elif isinstance(spec, list):
        found = any([_set_vocab_size(item, size) for item in spec])
    return found


def _truncate_weights(model: Path) -> None:
    weights = model / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def _absurd_vocab_size(model: Path) -> None:
    spec = json.loads((model / "model.json").read_text())
    assert _set_vocab_size(spec, 10**12)  # a 10**12 x 16 embedding: 64 TB if it were allocated
    (model / "model.json").write_text(json.dumps(spec))


@pytest.mark.parametrize("damage, says", [
    (_truncate_weights, "weights.safetensors is damaged"),
    (lambda m: (m / "weights.safetensors").write_bytes(b""), "weights.safetensors is damaged"),
    (lambda m: (m / "tokenizer.json").write_text('{"version": "1.0", "model": 3}'), "is not a valid tokenizer file"),
    (lambda m: (m / "preprocessing.json").write_text("{}"), "preprocessing.json does not hold what trainwright saved"),
    (_absurd_vocab_size, "weights.safetensors does not match model.json"),
])
def test_a_damaged_model_is_a_message(cli, tiny_model, reviews_csv, tmp_path, damage, says):
    model = tmp_path / "damaged"
    shutil.copytree(tiny_model, model)
    damage(model)
    fails(cli("predict", model, reviews_csv), ARTIFACT_ERROR, says, "train it again")


def test_a_folder_given_as_the_data_path(cli, tiny_model, tmp_path):
    fails(cli("train", tmp_path), DATA_ERROR, f"{tmp_path} is a folder", ".csv")
    fails(cli("predict", tiny_model, tmp_path), DATA_ERROR, f"{tmp_path} is a folder")


def test_fewer_rows_left_than_the_ensembles_folds(cli, tmp_path):
    data = tmp_path / "few.csv"
    pd.DataFrame({"a": [1, 1, 1, 2, 2, 2], "b": [5, 5, 5, 7, 7, 7], "label": list("xxxzzz")}).to_csv(data, index=False)
    fails(cli("train", data, "--target", "label", "--model", "mlp", "--ensemble", "5", "--out", tmp_path / "m",
              "--epochs", "1", "--threads", "1"),
          DATA_ERROR, f"{data}: 2 rows are left for training", "--ensemble 1")
    fails(cli("train", data, "--target", "label", "--cv", "9", "--out", tmp_path / "cv", "--epochs", "1",
              "--threads", "1"), DATA_ERROR, "6 usable rows for 9-fold cross-validation", "smaller --cv")


@pytest.mark.parametrize("module, extra, command", [
    ("optuna", "tune", lambda m, d, o: ["tune", d, "--trials", "1", "--out", o]),
    ("sqlalchemy", "tune", lambda m, d, o: ["tune", d, "--trials", "1", "--out", o]),
    ("onnx", "onnx", lambda m, d, o: ["export", m]),
    ("onnxruntime", "onnx", lambda m, d, o: ["export", m]),
    ("transformers", "pretrained", lambda m, d, o: ["train", d, "--model", "pretrained", "--out", o]),
])
def test_a_missing_optional_dependency_names_its_extra(cli, tiny_model, reviews_csv, tmp_path, monkeypatch,
                                                       module, extra, command):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails as if it were not installed
    fails(cli(*command(tiny_model, reviews_csv, tmp_path / "out")), CONFIG_ERROR,
          f'pip install "trainwright[{extra}]"')
