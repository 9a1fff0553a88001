"""Columns read as a person would, end to end: a headerless UCI file trains, predicts and evaluates by its layout;
the target is the label, not a name with `class` inside; a column that gives the answer away is left out, loudly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import trainwright
from trainwright.evaluate.report import diagnose_run

FAST = ["--model", "mlp", "--epochs", "1", "--ensemble", "1", "--threads", "1"]


def adult(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Shaped like UCI adult: '?' for a missing workclass, the income label last."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n)
    education = rng.choice(["Bachelors", "HS-grad", "Masters", "11th"], n)
    rich = (age > 40) & np.isin(education, ["Bachelors", "Masters"])
    return pd.DataFrame({"age": age, "workclass": rng.choice(["Private", "Self-emp", "State-gov", "?"], n),
                         "fnlwgt": rng.integers(10_000, 500_000, n), "education": education,
                         "hours_per_week": rng.integers(20, 60, n), "income": np.where(rich, ">50K", "<=50K")})


def test_a_headerless_uci_file_trains_predicts_and_evaluates_by_its_layout(cli, tmp_path):
    adult().to_csv(tmp_path / "adult.data", index=False, header=False)
    data = tmp_path / "adult.csv"
    (tmp_path / "adult.data").rename(data)
    result = cli("train", data, "--out", tmp_path / "m", *FAST)
    assert result.code == 0, result.stderr
    assert "looks like data, not column names" in result.stderr
    assert "target column: 'column_6' (the last of the columns with few distinct values" in result.stderr
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["data"]["column_names"] == [f"column_{i}" for i in range(1, 7)]
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["training"]["n_train"] + metrics["valid"]["n"] == 200  # the first row was not lost

    new = adult(30, seed=1)
    new.drop(columns="income").to_csv(tmp_path / "new.csv", index=False, header=False)
    result = cli("predict", tmp_path / "m", tmp_path / "new.csv", "-o", tmp_path / "out.csv")
    assert result.code == 0, result.stderr
    predicted = pd.read_csv(tmp_path / "out.csv")
    assert len(predicted) == 30 and "predicted_column_6" in predicted.columns
    assert predicted["column_1"].tolist() == new["age"].tolist()

    new.to_csv(tmp_path / "labeled.csv", index=False, header=False)
    result = cli("evaluate", tmp_path / "m", tmp_path / "labeled.csv", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 30


def test_column_names_name_a_headerless_file(cli, tmp_path):
    frame = adult()
    frame.to_csv(tmp_path / "adult.csv", index=False, header=False)
    names = ",".join(frame.columns)
    result = cli("train", tmp_path / "adult.csv", "--column-names", names, "--out", tmp_path / "m", *FAST)
    assert result.code == 0, result.stderr
    assert "target column: 'income'" in result.stderr
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["data"]["column_names"] == list(frame.columns) and config["data"]["target"] == "income"


def test_a_placeholder_target_is_no_label_not_a_class_seen_and_unseen(cli, tmp_path):
    adult().to_csv(tmp_path / "adult.csv", index=False)
    result = cli("train", tmp_path / "adult.csv", "--target", "workclass", "--out", tmp_path / "m", *FAST)
    assert result.code == 0, result.stderr
    assert "left out, missing label in 'workclass'" in result.stderr
    target = json.loads((tmp_path / "m" / "target.json").read_text())
    assert "?" not in json.dumps(target)


def leaky(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = rng.choice(["neg", "pos"], size=n)
    return pd.DataFrame({"age": rng.integers(18, 80, size=n),
                         "refund": np.where(label == "neg", rng.uniform(5, 50, size=n).round(2), 0.0),
                         "label": label})


def test_train_leaves_a_leak_out_with_a_warning_and_the_report_says_so(tmp_path, tw_log):
    leaky().to_csv(tmp_path / "t.csv", index=False)
    config = trainwright.build_config(overrides={"model": {"name": "mlp"},
                                                 "train": {"epochs": 1, "ensemble": 1, "threads": 1}})
    result = trainwright.train(tmp_path / "t.csv", out=tmp_path / "m", config=config)
    (warning,) = [r.getMessage() for r in tw_log.records if r.levelname == "WARNING" and "leakage" in r.getMessage()]
    assert warning.startswith("probable leakage: column 'refund' alone predicts 'label'")
    assert "refund" not in result.metrics and trainwright.load(result.path).config.data.features == ["age"]
    (leak,) = result.metrics["leakage"]
    assert leak["column"] == "refund" and leak["kept"] is False
    diagnosis = diagnose_run(result.path)
    assert diagnosis.lines[0].startswith("Probable leakage: column 'refund'") and "left out" in diagnosis.lines[0]
    assert not diagnosis.headline.startswith("Probable leakage")


def test_a_leak_named_with_feature_is_trained_on_and_the_report_does_not_call_it_a_good_fit(tmp_path):
    leaky().to_csv(tmp_path / "t.csv", index=False)
    config = trainwright.build_config(overrides={"model": {"name": "mlp"}, "data": {"features": ["age", "refund"]},
                                                 "train": {"epochs": 1, "ensemble": 1, "threads": 1}})
    result = trainwright.train(tmp_path / "t.csv", out=tmp_path / "m", config=config)
    assert result.metrics["leakage"][0]["kept"] is True
    diagnosis = diagnose_run(result.path)
    assert diagnosis.headline.startswith("Probable leakage: refund alone gives the target away")
    assert "overstate" in diagnosis.lines[0]
