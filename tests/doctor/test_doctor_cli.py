"""`trainwright doctor` as a user runs it: the terminal report, --json, --html, --test leakage, --strict exit codes.

Commands go through `trainwright.cli.main()` (the console script's entry point) with the `cli` fixture. Until
`doctor` is registered in the real app, the fixture below swaps in an app that registers it the same way
(`app.command()(doctor)`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from conftest import ALL_SUBPROCESS, make_reviews, shared_data

from trainwright import cli as cli_module
from trainwright.doctor.command import doctor


def _registered(app: typer.Typer) -> bool:
    return any((c.name or c.callback.__name__) == "doctor" for c in app.registered_commands)


@pytest.fixture
def run(cli, monkeypatch):
    """run("doctor", ARGS...) -> Result(code, stdout, stderr)."""
    if not _registered(cli_module.app):
        if ALL_SUBPROCESS:
            pytest.skip("`doctor` is not registered in trainwright.cli yet; the console script lacks it")
        app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
        app.command()(doctor)
        app.callback()(lambda: None)  # keeps `doctor` a subcommand, as in the real app
        monkeypatch.setattr(cli_module, "app", app)
    return cli


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> tuple[Path, Path, dict[int, int]]:
    """A training file and a test file, 3 of whose rows are training rows (one re-cased, one re-spaced)."""
    folder = tmp_path_factory.mktemp("split")
    reviews = make_reviews(160, seed=3)
    reviews["review"] = [f"{text[:-1]} number {i}." for i, text in enumerate(reviews["review"])]  # all distinct
    train, test = reviews.iloc[:120].reset_index(drop=True), reviews.iloc[120:].reset_index(drop=True)
    leaked = {4: 10, 17: 55, 30: 101}  # test position -> train position
    for t, r in leaked.items():
        test.loc[t] = train.loc[r]
    test.at[17, "review"] = test.at[17, "review"].upper()
    test.at[30, "review"] = "  " + test.at[30, "review"].replace(" ", "   ")
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    return folder / "train.csv", folder / "test.csv", {t + 1: r + 1 for t, r in leaked.items()}


def test_terminal_report_on_pima(run):
    result = run("doctor", shared_data("tabular", "pima-indians-diabetes.csv"))
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "768 rows, 9 columns; target outcome (named like a label)" in out
    assert "Columns" in out and "Findings" in out and "disguised_missing" in out
    assert "glucose: 5 zeros are disguised missing values" in out.replace("\n", " ").replace("│", "")
    assert "0 blocking" in out and "Traceback" not in result.stderr


def test_json_is_exactly_one_object(run, split):
    train, test, _ = split
    result = run("doctor", train, "--test", test, "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)  # the whole of stdout: one object, nothing else
    assert set(report) == {"file", "rows", "columns", "findings", "summary"}
    assert report["rows"] == 120 and report["summary"]["target"] == "label"
    assert set(report["columns"][0]) == {"name", "kind", "reason", "missing", "distinct"}
    assert {"check", "severity", "columns", "count", "rows", "message", "fix"} <= set(report["findings"][0])
    assert report["summary"]["test"] == {"file": str(test), "rows": 40}


def test_leakage_names_test_and_train_rows(run, split):
    train, test, leaked = split
    report = json.loads(run("doctor", train, "--test", test, "--json").stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "leakage"]
    assert finding["rows"] == sorted(leaked) and finding["details"]["train_rows"] == [leaked[t] for t in sorted(leaked)]
    assert "test row 5 = train row 11" in finding["message"] and finding["columns"] == ["review", "stars"]
    assert report["summary"]["leakage_rows"] == 3


def test_strict_exits_1_on_leakage_or_blocking_and_0_otherwise(run, split, tmp_path):
    train, test, _ = split
    assert run("doctor", train, "--strict").code == 0
    assert run("doctor", train, "--test", test).code == 0  # leakage alone fails only under --strict
    assert run("doctor", train, "--test", test, "--strict").code == 1
    single = tmp_path / "single.csv"
    make_reviews(40).assign(label="pos").to_csv(single, index=False)
    result = run("doctor", single, "--strict", "--json")
    assert result.code == 1 and json.loads(result.stdout)["summary"]["blocking"] == 1
    assert run("doctor", single).code == 0


def test_test_file_without_a_training_column_is_blocking(run, split, tmp_path):
    train, test, _ = split
    partial = tmp_path / "partial.csv"
    pd.read_csv(test).drop(columns=["label"]).assign(extra=1).to_csv(partial, index=False)
    report = json.loads(run("doctor", train, "--test", partial, "--json").stdout)
    checks = {f["check"]: f for f in report["findings"]}
    assert checks["test_columns_missing"]["severity"] == "blocking"
    assert checks["test_columns_missing"]["columns"] == ["label"]
    assert checks["test_columns_differ"]["columns"] == ["extra"]


def test_unseen_test_labels(run, split, tmp_path):
    train, test, _ = split
    odd = tmp_path / "odd.csv"
    pd.read_csv(test).assign(label=lambda f: f["label"].where(f.index != 2, "meh")).to_csv(odd, index=False)
    report = json.loads(run("doctor", train, "--test", odd, "--json").stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "unseen_test_labels"]
    assert finding["rows"] == [3] and finding["details"]["labels"] == ["meh"]


def test_html_is_written_and_self_contained(run, split, tmp_path):
    train, test, _ = split
    out = tmp_path / "report" / "doctor.html"
    result = run("doctor", train, "--test", test, "--html", out)
    assert result.code == 0 and f"Wrote the HTML report to {out}" in result.stderr.replace("\n", "")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    assert "Train/test leakage" in page and "test row 5 = train row 11" in page


def test_errors_are_messages_with_exit_codes(run, tmp_path):
    missing = run("doctor", tmp_path / "nope.csv")
    assert missing.code == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    bad = run("doctor", small_table(tmp_path), "--outliers", "mad")
    assert bad.code == 3 and "--outliers: unknown method 'mad'" in bad.stderr
    no_target = run("doctor", small_table(tmp_path), "--target", "lable")
    assert no_target.code == 2 and "Did you mean 'label'?" in no_target.stderr


def small_table(folder: Path) -> Path:
    path = folder / "small.csv"
    make_reviews(20).to_csv(path, index=False)
    return path


def test_doctor_reads_a_headerless_file_as_data_or_by_the_names_given(cli, tmp_path):
    rows = [f"{20 + i % 50},{['Private', '?', 'State-gov'][i % 3]},{['<=50K', '>50K'][i % 2]}" for i in range(60)]
    (tmp_path / "adult.csv").write_text("\n".join(rows) + "\n")
    result = cli("doctor", tmp_path / "adult.csv", "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["rows"] == 60 and report["summary"]["target"] == "column_3"
    result = cli("doctor", tmp_path / "adult.csv", "--json", "--column-names", "age,workclass,income")
    assert json.loads(result.stdout)["summary"]["target"] == "income"
    result = cli("doctor", tmp_path / "adult.csv", "--json", "--header")
    assert json.loads(result.stdout)["summary"]["rows"] == 59
