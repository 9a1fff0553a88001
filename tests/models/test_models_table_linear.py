"""The linear model for tables: its sparse features are what its forward pass reads, and `--model linear` on a
table fits it by the convex solver, as scikit-learn's logistic regression on the same features."""

import json

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression

import trainwright
from conftest import make_accounts
from trainwright.models import build_model
from trainwright.preprocessing import EncodedInputs


def test_the_one_hot_features_times_the_weight_are_the_forward_pass():
    torch.manual_seed(0)
    model = build_model("table_linear", num_numeric=2, cardinalities=[3, 4], num_outputs=3)
    with torch.no_grad():
        model.weight.normal_()
        model.bias.normal_()
    numeric = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    categorical = np.array([[0, 3], [1, 0], [2, 2], [1, 1], [0, 0], [2, 3]])
    features = model.features(EncodedInputs(None, numeric, categorical))
    assert features.shape == (6, 2 + 3 + 4) and features[:, 2:].sum() == 12  # one category per column per row
    expected = features @ model.weight.detach().double().numpy() + model.bias.detach().double().numpy()
    logits = model(numeric=torch.from_numpy(numeric), categorical=torch.from_numpy(categorical))
    np.testing.assert_allclose(logits.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_model_linear_on_a_table_is_logistic_regression_chosen_on_validation(accounts_csv, tmp_path, tw_log):
    valid = tmp_path / "valid.csv"
    make_accounts(100, seed=1).to_csv(valid, index=False)
    config = trainwright.build_config(overrides={"model": {"name": "linear"}, "data": {"target": "churned"},
                                                 "train": {"threads": 1}})
    result = trainwright.train(accounts_csv, valid=valid, out=tmp_path / "model", config=config)
    assert json.loads((result.path / "model.json").read_text())["name"] == "table_linear"
    assert "model linear on table columns" in tw_log.text
    c = float(tw_log.text.split("C=")[1].split()[0])
    # scikit-learn's logistic regression at the chosen C on the model's features of the training rows
    artifact = trainwright.load(result.path)
    rows = pd.read_csv(accounts_csv).drop_duplicates()  # as the cleaning does
    training = artifact.preprocessing.encode(rows.drop(columns="churned"))
    features = artifact.model.features(training)
    assert features.shape == (299, 2 + 5)  # the numbers, then 4 plans and the unseen id
    reference = LogisticRegression(C=c, max_iter=5000).fit(features, rows["churned"] == "yes")
    ours = artifact.predict(rows.drop(columns="churned")).probabilities[:, artifact.target.classes_.index("yes")]
    np.testing.assert_allclose(ours, reference.predict_proba(features)[:, 1], atol=2e-3)
