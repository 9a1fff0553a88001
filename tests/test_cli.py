"""The `trainwright` command as a user runs it: train, evaluate and predict on small synthetic tables.

Results go to stdout (tables, `--json`, `-o -`), messages about implicit decisions to stderr. The training run
that the evaluate/predict tests share goes through the installed console script in a subprocess (real exit
code, real stdout/stderr); the other commands call `trainwright.cli.main()`, the console script's entry point,
in-process with file-descriptor capture: the same code path without the 3-10 s start of a Python process that
imports torch. Set TRAINWRIGHT_TEST_SUBPROCESS=1 to run every command in a subprocess.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pandas as pd
import pytest
from conftest import Result, make_reviews, run_subprocess

import trainwright

FAST = ["--model", "lstm", "--epochs", "2", "--embedding-dim", "8", "--hidden-size", "8", "--threads", "1"]
ARTIFACT_FILES = ["config.json", "weights.safetensors", "tokenizer.json", "metrics.json", "metadata.json"]
TIMING_KEYS = {"fit_s", "train_samples_per_s"}


def ok(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------- train


@pytest.fixture(scope="module")
def trained(tmp_path_factory, reviews_csv):
    """`trainwright train reviews.csv --out DIR` once, through the console script."""
    out = tmp_path_factory.mktemp("cli") / "a_model_directory_with_a_name_longer_than_a_line_of_eighty_columns"
    result = run_subprocess("train", reviews_csv, "--out", out, *FAST)
    return out, result


def test_train_tells_its_choices_on_stderr_and_saves_the_model(trained, reviews_csv):
    out, result = trained
    ok(result)
    err = result.stderr
    # inferred columns, each with its reason and how to override it
    assert "text column: 'review' (free-form strings" in err
    assert "target column: 'label' (named like a label); pass --target" in err
    assert "pass --text" in err
    # tokenization choice and the held-out validation split (stratified 10% of 240 rows)
    assert "tokenization: words" in err
    assert "validation: 10% of the training file held out (stratified), 24 rows" in err
    assert "task: binary, classes ['neg', 'pos']; 216 training rows, 24 validation rows" in err
    assert "epoch 1/2" in err and "epoch 2/2" in err
    # stdout has the results only: the metrics and confusion tables and the summary line
    stdout = result.stdout
    assert "Metrics" in stdout and "valid" in stdout
    for metric in ("loss", "accuracy", "precision", "recall", "f1", "roc_auc"):
        assert f"│ {metric} " in stdout
    assert "Confusion matrix" in stdout and "neg" in stdout and "pos" in stdout
    assert "text column" not in stdout and "epoch 1/2" not in stdout
    assert "Trained 2 epochs" in stdout
    # the printed path is DIR, on one line however long (stdout is not a terminal: no wrapping)
    assert f"Model saved to {out}\n" in stdout
    for name in ARTIFACT_FILES:
        assert (out / name).is_file(), name
    metrics = read_json(out / "metrics.json")
    assert metrics["valid"]["n"] == 24 and metrics["training"]["n_train"] == 216
    assert metrics["training"]["epochs_run"] == 2
    assert read_json(out / "config.json")["data"] == {
        "target": "label", "text": ["review"], "features": ["stars"], "valid_fraction": 0.1, "encoding": None,
        "header": "auto", "column_names": None,
        "task": "binary", "label_separator": ";", "stream": "auto", "cache_dir": None}


def test_train_with_default_out_saves_under_runs(cli, tmp_path):
    data = tmp_path / "tiny reviews.csv.gz"  # compressed: read as the CSV it holds, the run named without .csv.gz
    make_reviews(60, seed=1).to_csv(data, index=False)
    ok(cli("train", data.name, "--epochs", "1", "--embedding-dim", "4", "--hidden-size", "4", "--threads", "1",
           cwd=tmp_path))
    assert (tmp_path / "runs" / "tiny reviews" / "weights.safetensors").is_file()


def test_help_lists_the_commands(cli):
    result = ok(cli("--help"))
    for command in ("train", "evaluate", "predict"):
        assert command in result.stdout
    result = ok(cli("train", "--help"))
    assert "--epochs" in result.stdout and "--config" in result.stdout


# ------------------------------------------------------------------------------------------------ evaluate


def test_evaluate_json_is_exactly_one_object_with_the_metrics(cli, trained, tmp_path):
    out, _ = trained
    frame = make_reviews(60, seed=5)
    frame.loc[[3, 10, 41], "label"] = None  # not labeled: left out, and said so on stderr only
    data = tmp_path / "eval.csv"
    frame.to_csv(data, index=False)
    result = ok(cli("evaluate", out, data, "--json"))
    metrics = json.loads(result.stdout)  # the whole of stdout
    assert isinstance(metrics, dict)
    assert {"loss", "accuracy", "f1", "precision", "recall", "roc_auc", "n"} <= set(metrics)
    assert metrics["n"] == 57
    assert all(0 <= metrics[k] <= 1 for k in ("accuracy", "f1", "precision", "recall", "roc_auc"))
    assert "3 rows left out, missing label in 'label' (rows 4, 11, 42" in result.stderr
    # the in-process API agrees with the command
    api = trainwright.evaluate(out, data)
    assert api.pop("confusion_matrix") == metrics.pop("confusion_matrix")
    assert api == pytest.approx(metrics)


def test_evaluate_prints_a_table_without_json(cli, trained, reviews_csv):
    out, _ = trained
    result = ok(cli("evaluate", out, reviews_csv))
    assert "Metrics" in result.stdout and "reviews.csv" in result.stdout and "│ n " in result.stdout
    assert "240" in result.stdout


# ------------------------------------------------------------------------------------------------- predict


@pytest.fixture(scope="module")
def unlabeled(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    frame = make_reviews(30, seed=9).drop(columns="label")
    frame.insert(0, "id", [f"r{i:03d}" for i in range(len(frame))])
    frame = frame.sample(frac=1, random_state=0).reset_index(drop=True)  # not sorted by anything
    path = tmp_path_factory.mktemp("predict") / "new.csv"
    frame.to_csv(path, index=False)
    return path, pd.read_csv(path)


def _check_predictions(result: pd.DataFrame, original: pd.DataFrame, model: Path) -> None:
    assert len(result) == len(original)
    assert list(result.columns) == [*original.columns, "predicted_label", "probability_neg", "probability_pos"]
    pd.testing.assert_frame_equal(result[original.columns], original)  # same rows, same order, columns kept
    assert set(result["predicted_label"]) <= {"neg", "pos"}
    total = result["probability_neg"] + result["probability_pos"]
    assert total.to_numpy() == pytest.approx(1.0, abs=1e-6)
    better = result[["probability_neg", "probability_pos"]].to_numpy().argmax(axis=1)
    assert result["predicted_label"].tolist() == [["neg", "pos"][i] for i in better]
    expected = trainwright.load(model).predict(original)
    assert result["predicted_label"].tolist() == expected.labels
    assert result["probability_pos"].to_numpy() == pytest.approx(expected.probabilities[:, 1], abs=1e-6)


def test_predict_writes_every_row_in_order_with_probabilities(cli, trained, unlabeled, tmp_path):
    out, _ = trained
    data, original = unlabeled
    target = tmp_path / "sub" / "out.csv"
    result = ok(cli("predict", out, data, "-o", target))
    assert result.stdout == ""
    assert "Wrote predictions to" in result.stderr
    _check_predictions(pd.read_csv(target), original, out)


def test_predict_to_stdout_is_csv_only(cli, trained, unlabeled):
    out, _ = trained
    data, original = unlabeled
    result = ok(cli("predict", out, data, "-o", "-"))
    _check_predictions(pd.read_csv(io.StringIO(result.stdout)), original, out)
    assert "Wrote predictions" not in result.stdout + result.stderr


def test_predict_jsonl(cli, trained, unlabeled, tmp_path):
    out, _ = trained
    data, original = unlabeled
    target = tmp_path / "out.jsonl"
    ok(cli("predict", out, data, "--output", target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(original) and all(json.loads(line) for line in lines)
    _check_predictions(pd.read_json(target, lines=True, dtype={"id": str}), original, out)


# ------------------------------------------------------------------------------ multiclass and regression


def make_three_way(n: int = 150, seed: int = 0) -> pd.DataFrame:
    frame = make_reviews(n, seed)
    neutral = frame.index % 3 == 0
    frame.loc[neutral, "label"] = "neu"
    frame.loc[neutral, "review"] = [f"It is okay, average {w.split()[0].lower()}." for w in frame.review[neutral]]
    return frame


def test_multiclass_trains_and_evaluates_with_macro_f1(cli, tmp_path):
    from sklearn.metrics import f1_score

    data = tmp_path / "three.csv"
    make_three_way().to_csv(data, index=False)
    out = tmp_path / "model"
    result = ok(cli("train", data, "--out", out, *FAST))
    assert "task: multiclass, classes ['neg', 'neu', 'pos']" in result.stderr
    assert "roc_auc" not in result.stdout
    metrics = json.loads(ok(cli("evaluate", out, data, "--json")).stdout)
    assert {"loss", "accuracy", "f1", "precision", "recall", "n"} <= set(metrics)
    assert "roc_auc" not in metrics
    assert metrics["n"] == 150
    assert metrics["confusion_matrix"]["labels"] == ["neg", "neu", "pos"]
    frame = pd.read_csv(data)
    predicted = trainwright.load(out).predict(frame).labels
    assert metrics["f1"] == pytest.approx(f1_score(frame["label"], predicted, average="macro"))


def make_ratings(n: int = 150, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    frame = make_reviews(n, seed)
    frame["rating"] = [round((4.0 if label == "pos" else 1.5) + rng.uniform(-1, 1), 3) for label in frame.label]
    return frame.drop(columns="label")


@pytest.fixture(scope="module")
def regression_model(tmp_path_factory):
    """Trained in-process with the API; the CLI run of the same is in the test below."""
    tmp = tmp_path_factory.mktemp("regression")
    data = tmp / "ratings.csv"
    make_ratings().to_csv(data, index=False)
    config = trainwright.build_config(overrides={
        "data": {"target": "rating"}, "model": {"name": "lstm", "embedding_dim": 8, "hidden_size": 8},
        "train": {"epochs": 3, "threads": 1, "learning_rate": 0.01}})
    result = trainwright.train(data, out=tmp / "model", config=config)
    return result.path, data


def test_regression_trains_and_evaluates_with_mse_mae_r2(cli, tmp_path):
    data = tmp_path / "ratings.csv"
    make_ratings().to_csv(data, index=False)
    assert pd.read_csv(data)["rating"].nunique() > 100
    out = tmp_path / "model"
    result = ok(cli("train", data, "--target", "rating", "--out", out, *FAST))
    assert "task: regression" in result.stderr
    assert "│ mse " in result.stdout and "Confusion" not in result.stdout
    metrics = json.loads(ok(cli("evaluate", out, data, "--json")).stdout)
    assert {"loss", "mse", "mae", "r2", "n"} <= set(metrics)
    assert not {"accuracy", "roc_auc", "f1", "confusion_matrix"} & set(metrics)
    assert metrics["n"] == 150 and metrics["loss"] == metrics["mse"] and metrics["mae"] > 0


def test_regression_predict_file_has_one_value_column(regression_model, tmp_path):
    model, data = regression_model
    target = tmp_path / "pred.csv"
    trainwright.predict_file(model, data, target)
    result = pd.read_csv(target)
    assert list(result.columns) == [*pd.read_csv(data).columns, "predicted_rating"]
    assert result["predicted_rating"].notna().all()


def test_regression_predictions_agree_with_evaluate(regression_model, tmp_path):
    model, data = regression_model
    metrics = trainwright.evaluate(model, data)
    target = tmp_path / "pred.csv"
    trainwright.predict_file(model, data, target)
    result = pd.read_csv(target)
    mse = float(((result["predicted_rating"] - result["rating"]) ** 2).mean())
    assert mse == pytest.approx(metrics["mse"], rel=1e-4)


# ---------------------------------------------------------------------------------------- config and seed


def test_config_file_sets_values_and_flags_override_it(cli, reviews_csv, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("model:\n  embedding_dim: 8\n  hidden_size: 8\ntokenizer:\n  maxlen: 12\n"
                      "train:\n  epochs: 1\n  threads: 1\nstopping:\n  enabled: false\n", encoding="utf-8")
    ok(cli("train", reviews_csv, "--config", config, "--out", tmp_path / "from_file"))
    saved = read_json(tmp_path / "from_file" / "config.json")
    assert saved["train"]["epochs"] == 1 and saved["model"]["embedding_dim"] == 8
    assert saved["tokenizer"]["maxlen"] == 12
    assert len(read_json(tmp_path / "from_file" / "history.json")) == 1

    ok(cli("train", reviews_csv, "--config", config, "--epochs", "2", "--maxlen", "20",
           "--out", tmp_path / "flag_wins"))
    saved = read_json(tmp_path / "flag_wins" / "config.json")
    assert saved["train"]["epochs"] == 2 and saved["tokenizer"]["maxlen"] == 20
    assert saved["model"]["hidden_size"] == 8  # the rest of the file still applies
    assert len(read_json(tmp_path / "flag_wins" / "history.json")) == 2


def _without_timing(metrics: dict) -> dict:
    metrics = dict(metrics)
    metrics["training"] = {k: v for k, v in metrics["training"].items() if k not in TIMING_KEYS}
    return metrics


def test_same_seed_same_metrics(cli, reviews_csv, tmp_path):
    runs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        ok(cli("train", reviews_csv, "--seed", seed, "--out", tmp_path / name, *FAST))
        runs[name] = read_json(tmp_path / name / "metrics.json")
    assert _without_timing(runs["a"]) == _without_timing(runs["b"])
    history = [[{k: v for k, v in row.items() if k != "seconds"} for row in read_json(tmp_path / n / "history.json")]
               for n in ("a", "b")]
    assert history[0] == history[1]
    assert (tmp_path / "a" / "weights.safetensors").read_bytes() == \
        (tmp_path / "b" / "weights.safetensors").read_bytes()
    assert runs["a"]["valid"]["loss"] != runs["c"]["valid"]["loss"]  # the seed is used at all


# ------------------------------------------------------------------------------------ several text columns


def test_several_text_columns_and_record_prediction(cli, tmp_path):
    frame = make_reviews(120, seed=2).drop(columns="stars")
    frame.insert(0, "title", [f"Order {i}: {r.split()[-1]}" for i, r in enumerate(frame.review)])
    data = tmp_path / "two.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "model"
    result = ok(cli("train", data, "--text", "title", "--text", "review", "--out", out, *FAST))
    assert "text column:" not in result.stderr  # given, not inferred
    assert "target column: 'label'" in result.stderr
    assert read_json(out / "config.json")["data"]["text"] == ["title", "review"]

    predictor = trainwright.load(out)
    assert predictor.text_columns == ["title", "review"]
    records = [{"title": "Order 1", "review": "Love it, works perfectly."},
               {"title": "Order 2", "review": "Awful, stopped working."}]
    predictions = predictor.predict(records)
    assert len(predictions) == 2 and set(predictions.labels) <= {"neg", "pos"}
    assert predictions.probabilities.sum(axis=1) == pytest.approx([1.0, 1.0])
    as_records = predictions.to_records()
    assert set(as_records[0]) == {"label", "probabilities"} and set(as_records[0]["probabilities"]) == {"neg", "pos"}
    # the same rows through a DataFrame give the same result
    again = predictor.predict(pd.DataFrame(records))
    assert again.labels == predictions.labels
    assert again.probabilities == pytest.approx(predictions.probabilities)
    with pytest.raises(trainwright.DataError, match="reads the columns title, review"):
        predictor.predict(["just a string"])
    with pytest.raises(trainwright.DataError, match="no column named 'title'"):
        predictor.predict([{"review": "only one column"}])
