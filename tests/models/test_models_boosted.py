"""LightGBM for tables: trained, saved as LightGBM's text model (no pickle), loaded, and predicting the same."""

import json

import lightgbm
import numpy as np
import pandas as pd
import pytest
from safetensors import safe_open

import trainwright
from trainwright.artifact import save_artifact
from trainwright.errors import ArtifactError
from trainwright.train.run import fit_artifact, prepare


def _config(**train):
    return trainwright.build_config(overrides={"model": {"name": "lightgbm"}, "data": {"target": "churned"},
                                               "train": {"threads": 1, **train}})


def test_lightgbm_trains_saves_as_text_and_predicts_the_same_after_loading(accounts_csv, tmp_path):
    config, roles, examples, target = prepare(accounts_csv, _config(ensemble=1))
    artifact = fit_artifact(examples, roles, target, config, None, (str(accounts_csv),) * 2)
    rows = pd.read_csv(accounts_csv).drop(columns="churned")
    before = artifact.predictor().predict(rows).probabilities
    path = save_artifact(artifact, tmp_path / "model")

    assert artifact.metrics["valid"]["accuracy"] > 0.8  # the label is not linear in age: trees find it
    text = (path / "lightgbm.txt").read_text()
    assert text.startswith("tree\n") and "Tree=0" in text
    with safe_open(str(path / "weights.safetensors"), "pt") as f:
        assert list(f.keys()) == []  # the trees are in the text file, not in a tensor blob
    assert not [p for p in path.rglob("*") if p.suffix in (".pkl", ".pickle", ".pt", ".joblib")]
    assert json.loads((path / "model.json").read_text())["name"] == "lightgbm"

    loaded = trainwright.load(path)
    np.testing.assert_array_equal(loaded.predict(rows).probabilities, before)
    # ...and they are LightGBM's own predictions from that file
    booster = lightgbm.Booster(model_file=str(path / "lightgbm.txt"))
    encoded = loaded.preprocessing.encode(rows)
    features = np.hstack([encoded.numeric, encoded.categorical]).astype(np.float64)
    classes = loaded.target.classes_
    np.testing.assert_allclose(before[:, classes.index("yes")], booster.predict(features), rtol=1e-5)


def test_a_bag_of_lightgbm_models_saves_one_text_file_each_and_a_damaged_one_is_named(accounts_csv, tmp_path):
    result = trainwright.train(accounts_csv, out=tmp_path / "bag", config=_config(ensemble=2))
    assert result.metrics["training"]["models"] == 2
    files = sorted(p.name for p in result.path.glob("lightgbm*.txt"))
    assert files == ["lightgbm-1.txt", "lightgbm-2.txt"]
    rows = pd.read_csv(accounts_csv).drop(columns="churned").head(20)
    assert np.isfinite(trainwright.load(result.path).predict(rows).probabilities).all()

    (result.path / "lightgbm-2.txt").write_text("not a model\n")
    with pytest.raises(ArtifactError, match="lightgbm-2.txt is damaged"):
        trainwright.load(result.path)
    (result.path / "lightgbm-2.txt").unlink()
    with pytest.raises(ArtifactError, match="cannot read lightgbm-2.txt"):
        trainwright.load(result.path)


def test_settings_lightgbm_does_not_use_are_reported(accounts_csv, tmp_path, tw_log):
    config = _config(ensemble=1, epochs=50, learning_rate=0.1)
    trainwright.train(accounts_csv, out=tmp_path / "model", config=config)
    assert "model lightgbm is fitted by LightGBM" in tw_log.text
    assert "train.epochs, train.learning_rate not used" in tw_log.text


def test_a_model_key_lightgbm_has_not_is_an_error():
    with pytest.raises(trainwright.ConfigError, match="'hidden_size' in section \\[model\\] does not apply to model "
                                                      "lightgbm"):
        trainwright.build_config(overrides={"model": {"name": "lightgbm", "hidden_size": 128}})
