"""Property-based: whatever table a user brings, trainwright answers with a result or a message, never a
traceback, and touches nothing of theirs.

Hypothesis writes messy tables — mixed types in a column, empty and huge cells, placeholder strings, odd
encodings, duplicate and conflicting rows, a pandas index column, no header row — and runs `doctor`, `train`
(one tiny epoch) and `predict` on each through the console script's entry point. Each must exit 0, 2 (data),
3 (config) or 4 (artifact), print no traceback, leave the input file's bytes as they were and write nothing
outside `--out` and `-o`.

CI runs TRAINWRIGHT_FUZZ_EXAMPLES examples (default 40 each for train, 200 for doctor); set it higher by hand
for a longer search (e.g. 5000).
"""

from __future__ import annotations

import hashlib
import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("TRAINWRIGHT_FUZZ_EXAMPLES", "0"))
EXITS = {0, 2, 3, 4}
TINY = ["--epochs", "1", "--embedding-dim", "4", "--hidden-size", "4", "--threads", "1", "--batch-size", "64"]
# The seed model alone, or the zero-config choice (a search over text models, an ensemble of MLPs for a table).
MODELS = [("--model", "lstm", "--ensemble", "1"), ()]
WORDS = ["good", "bad", "fine", "awful", "the", "a", "kettle", "works", "broke", "送餐", "很快", "味道", "café",
         "naïve", "<b>ok</b>", "http://x.io", "?", "NA", "", " ", "0", "-1", "999", "1e308", "nan", "inf"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "gb18030", "utf-16"]

cell = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30),
    st.lists(st.sampled_from(WORDS), min_size=3, max_size=15).map(" ".join),
    st.just("x" * 20_000),  # a huge cell
)


@st.composite
def messy_tables(draw) -> tuple[list[str], list[list[str]]]:
    """Column names and rows of strings; the last column is a label-like column, sometimes with gaps."""
    n_columns = draw(st.integers(1, 5))
    names = draw(st.lists(st.one_of(st.sampled_from(["text", "review", "age", "label", "y", "workclass",
                                                     "Unnamed: 0", "", "id"]), st.text(max_size=8)),
                          min_size=n_columns, max_size=n_columns))
    n_rows = draw(st.integers(1, 60))
    labels = draw(st.lists(st.sampled_from(["pos", "neg", "1", "0", "?", "", "neutral"]), min_size=2, max_size=3,
                           unique=True))
    rows = [[draw(cell) for _ in range(n_columns)] + [draw(st.sampled_from(labels))] for _ in range(n_rows)]
    if rows and draw(st.booleans()):  # duplicate rows, some with the other label
        extra = draw(st.lists(st.sampled_from(rows), max_size=10))
        rows += [row[:-1] + [draw(st.sampled_from(labels))] for row in extra]
    if draw(st.booleans()):  # pandas' index: a leading unnamed column of row numbers, sorted by label
        rows.sort(key=lambda row: row[-1])
        names, rows = [""] + names, [[str(i)] + row for i, row in enumerate(rows)]
    return names + ["target"], rows


@st.composite
def messy_files(draw) -> tuple[bytes, str]:
    names, rows = draw(messy_tables())
    header = draw(st.booleans())
    fmt = draw(st.sampled_from(["csv", "csv", "tsv"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator=draw(st.sampled_from(
        ["\n", "\r\n"])))
    writer.writerows(([names] if header else []) + rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return buffer.getvalue().encode(encoding, errors="replace"), fmt


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check(result, what: str) -> None:
    context = f"{what}: exit {result.code}\nstderr:\n{result.stderr[-3000:]}"
    assert result.code in EXITS, context
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, context


def run_on(cli, content: bytes, fmt: str, commands: tuple[str, ...], model: tuple[str, ...] = ()) -> None:
    home = os.getcwd()  # the commands run inside the example's folder, which is gone once it is checked
    with tempfile.TemporaryDirectory() as folder:
        try:
            check_commands(cli, Path(folder), content, fmt, commands, model)
        finally:
            os.chdir(home)


def check_commands(cli, folder: Path, content: bytes, fmt: str, commands: tuple[str, ...],
                   model: tuple[str, ...]) -> None:
    data = folder / "user" / f"table.{fmt}"
    data.parent.mkdir()
    data.write_bytes(content)
    (folder / "user" / "notes.txt").write_text("the user's own file")
    before = snapshot(folder / "user")
    out, predictions = folder / "runs" / "model", folder / "predictions.csv"
    if "doctor" in commands:
        check(cli("doctor", data, cwd=folder), "doctor")
    if "train" in commands:
        trained = cli("train", data, "--out", out, *TINY, *model, cwd=folder)
        check(trained, "train")
        if trained.code == 0:
            check(cli("predict", out, data, "-o", predictions, "--threads", "1", cwd=folder), "predict")
    assert snapshot(folder / "user") == before, "the user's folder changed"
    written = {p.name for p in folder.iterdir()} - {"user"}
    # .trainwright-outputs: predict's record of the files it wrote, which it alone may replace
    assert written <= {"runs", "predictions.csv", ".trainwright-outputs"}, f"wrote outside --out, -o: {written}"


def examples(default: int) -> settings:
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=not EXAMPLES,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@examples(200)
@given(file=messy_files())
@example(file=(b"good,good ,pos\n", "csv"))  # a header alone, two of its names the same once stripped
@example(file=(b"a,a ,y\n1,2,x\n3,4,z\n", "csv"))
def test_doctor_answers_any_table(cli, file):
    run_on(cli, *file, commands=("doctor",))


@pytest.mark.slow
@examples(40)
@given(file=messy_files(), model=st.sampled_from(MODELS))
@example(file=(b"text,target\nfine,pos\nbad,neg\nok,neutral\ngood,pos\nawful,neg\n", "csv"), model=MODELS[0])
def test_train_and_predict_answer_any_table(cli, file, model):
    run_on(cli, *file, commands=("train",), model=model)
