"""Tables and mixed inputs end to end: cleaning fitted on training data and replayed at prediction time."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import trainwright
from conftest import shared_data


def make_patients(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A disease-like table: the label depends on glucose and smoking; gaps and codes as real files have them."""
    rng = np.random.default_rng(seed)
    glucose = rng.normal(120, 25, n).round()
    smoker = rng.choice(["yes", "no"], n)
    risk = (glucose - 120) / 25 + (smoker == "yes") * 1.0 + rng.normal(0, 0.5, n)
    frame = pd.DataFrame({"patient_id": np.arange(1000, 1000 + n), "glucose": glucose,
                          "bmi": rng.normal(30, 5, n).round(1), "smoker": smoker, "outcome": (risk > 0.5).astype(int)})
    frame["glucose"] = frame["glucose"].astype(object)
    frame.loc[rng.choice(n, 15, replace=False), "glucose"] = "?"
    frame.loc[rng.choice(n, 10, replace=False), "bmi"] = 0.0  # an impossible BMI: a disguised missing value
    return frame


@pytest.fixture(scope="module")
def patients_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("patients")
    make_patients().to_csv(folder / "train.csv", index=False)
    config = trainwright.build_config(overrides={"train": {"threads": 1, "epochs": 30, "ensemble": 1},
                                                 "clean": {"missing": "knn"}})
    return trainwright.train(folder / "train.csv", out=folder / "model", config=config)


def test_a_table_tries_its_models_keeps_one_and_says_how_it_cleaned(patients_model):
    config = json.loads((patients_model.path / "config.json").read_text())
    tried = patients_model.metrics["search"]
    assert [row["model"] for row in tried] == ["table_linear", "lightgbm", "mlp"]
    assert config["model"]["name"] == next(row["model"] for row in tried if row["kept"])
    assert config["data"]["features"] == ["glucose", "bmi", "smoker"]  # patient_id left out as an identifier
    cleaning = " ".join(patients_model.metrics["cleaning"])
    assert re.search(r"bmi: \d+ zeros treated as missing", cleaning)  # those in the training part
    assert "`?`" in cleaning and "glucose" in cleaning
    assert patients_model.metrics["valid"]["accuracy"] > 0.75


def test_rows_with_missing_and_unseen_values_get_predictions(patients_model):
    predictor = trainwright.load(patients_model.path)
    rows = [{"glucose": None, "bmi": None, "smoker": None},
            {"glucose": "?", "bmi": 0, "smoker": "sometimes"},  # placeholder, sentinel, unseen category
            {"glucose": 190, "bmi": 31, "smoker": "yes"},
            {"glucose": 70, "bmi": 22, "smoker": "no"},
            {}]
    predictions = predictor.predict(rows)
    assert np.isfinite(predictions.probabilities).all()
    assert predictions.labels[2] == 1 and predictions.labels[3] == 0
    np.testing.assert_allclose(predictions.probabilities[0], predictions.probabilities[4], rtol=1e-5)


def test_cleaning_replays_identically_after_reload(patients_model, tmp_path):
    frame = make_patients(60, seed=5).drop(columns="outcome")
    frame.loc[[1, 2], "smoker"] = "unknown-category"
    before = trainwright.load_artifact(patients_model.path).predictor().predict(frame).probabilities
    after = trainwright.load(patients_model.path).predict(frame).probabilities
    np.testing.assert_array_equal(before, after)


def test_text_with_a_table_column_uses_both(tmp_path):
    rng = np.random.default_rng(1)
    n = 600
    words = rng.choice(["great", "fine", "awful"], n)
    channel = rng.choice(["web", "shop"], n)
    # Positive when great, or fine and bought in the shop: each input alone gets about 5 of 6 right.
    label = np.where((words == "great") | ((words == "fine") & (channel == "shop")), "pos", "neg")
    filler = ["box", "blue", "late", "small", "gift", "spare", "red", "soft", "light", "new", "old", "tall"]
    reviews = [" ".join([*rng.choice(filler, 3), "and it was", w, *rng.choice(filler, 2)]) for w in words]
    frame = pd.DataFrame({"review": reviews, "channel": channel, "label": label})
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    config = trainwright.build_config(overrides={"train": {"threads": 1, "epochs": 30}, "stopping": {"patience": 5}})
    result = trainwright.train(tmp_path / "mixed.csv", out=tmp_path / "model", config=config)
    assert json.loads((result.path / "model.json").read_text())["name"] == "lstm+mlp"
    assert result.metrics["valid"]["accuracy"] > 0.95


def test_pima_defaults_treat_impossible_zeros_as_missing(tmp_path):
    config = trainwright.build_config(overrides={"data": {"target": "outcome"}, "train": {"threads": 1}})
    result = trainwright.train(shared_data("tabular", "pima-indians-diabetes.csv"), out=tmp_path / "pima",
                               config=config)
    cleaning = "\n".join(result.metrics["cleaning"])
    for column in ("glucose", "blood_pressure", "skin_thickness", "insulin", "bmi"):
        assert f"{column}: " in cleaning and "zeros treated as missing" in cleaning
    assert "pregnancies" not in cleaning.split("clipped")[-1]  # pregnancies' zeros are real
    assert result.metrics["valid"]["roc_auc"] > 0.75


def test_small_tables_train_a_bagged_ensemble_validated_out_of_fold(tmp_path):
    make_patients(200, seed=3).to_csv(tmp_path / "small.csv", index=False)
    config = trainwright.build_config(overrides={"train": {"threads": 1, "ensemble": 3, "epochs": 5}})
    result = trainwright.train(tmp_path / "small.csv", out=tmp_path / "model", config=config)
    spec = json.loads((result.path / "model.json").read_text())
    assert spec["name"] == "ensemble" and len(spec["config"]["members"]) == 3
    assert {row["model"] for row in result.history} == {1, 2, 3}
    assert result.metrics["training"]["validation"] == "out-of-fold predictions"
    assert result.metrics["valid"]["n"] == result.metrics["training"]["n_train"]  # every kept row, once
    predictor = trainwright.load(result.path)
    members = [trainwright.Predictor(m, predictor.preprocessing, predictor.target, predictor.config)
               for m in predictor.model.members]
    frame = make_patients(30, seed=4).drop(columns="outcome")
    mean = np.mean([m.predict(frame).probabilities[:, 1] for m in members], axis=0)
    scale, shift = spec["config"]["calibration"]  # Platt scaling fitted on the out-of-fold predictions
    calibrated = 1 / (1 + np.exp(-(scale * np.log(mean / (1 - mean)) + shift)))
    np.testing.assert_allclose(predictor.predict(frame).probabilities[:, 1], calibrated, rtol=1e-4, atol=1e-5)


def test_a_table_column_missing_from_the_file_is_filled_and_said(patients_model, tmp_path, tw_log):
    frame = make_patients(20, seed=6).drop(columns=["outcome", "smoker"])
    frame.to_csv(tmp_path / "new.csv", index=False)
    trainwright.predict_file(patients_model.path, tmp_path / "new.csv", tmp_path / "out.csv")
    assert len(pd.read_csv(tmp_path / "out.csv")) == 20
    assert "no column 'smoker'; treated as missing in every row" in tw_log.text
