"""model auto on a table: linear, lightgbm and the MLP tried on the same rows, the lowest validation loss kept."""

import json

import pytest

import trainwright
from conftest import make_accounts

FAST = {"epochs": 3, "threads": 1}


def test_auto_on_a_small_table_compares_every_candidate_out_of_fold_and_keeps_one(accounts_csv, tmp_path, tw_log):
    config = trainwright.build_config(overrides={"data": {"target": "churned"}, "train": FAST})
    result = trainwright.train(accounts_csv, out=tmp_path / "model", config=config)
    search = result.metrics["search"]
    assert [row["model"] for row in search] == ["table_linear", "lightgbm", "mlp"]
    assert all(row["status"] == "trained" and 0 <= row["accuracy"] <= 1 for row in search)
    kept = [row for row in search if row["kept"]]
    assert len(kept) == 1 and kept[0]["loss"] == min(row["loss"] for row in search)
    assert result.metrics["valid"]["loss"] == pytest.approx(kept[0]["loss"])
    # small and no --valid: each candidate is a bag of 5 fold models judged on its out-of-fold predictions
    assert result.metrics["training"]["validation"] == "out-of-fold predictions"
    saved = json.loads((result.path / "config.json").read_text())["model"]["name"]
    assert saved == kept[0]["model"] and json.loads((result.path / "model.json").read_text())["name"] == "ensemble"
    assert f"model auto: kept {saved}" in tw_log.text and "model auto: lightgbm: loss" in tw_log.text


def test_auto_with_a_validation_file_chooses_single_models_on_it(accounts_csv, tmp_path):
    valid = tmp_path / "valid.csv"
    make_accounts(80, seed=2).to_csv(valid, index=False)
    config = trainwright.build_config(overrides={"data": {"target": "churned"}, "train": FAST})
    result = trainwright.train(accounts_csv, valid=valid, out=tmp_path / "model", config=config)
    assert len(result.metrics["search"]) == 3 and sum(row["kept"] for row in result.metrics["search"]) == 1
    assert result.metrics["training"]["models"] == 1 and result.metrics["valid"]["n"] == 80


def test_text_with_table_columns_still_trains_lstm_plus_mlp(tmp_path):
    from conftest import make_reviews

    path = tmp_path / "mixed.csv"
    make_reviews(120).to_csv(path, index=False)
    config = trainwright.build_config(overrides={"train": {"epochs": 1, "threads": 1}})
    result = trainwright.train(path, out=tmp_path / "model", config=config)
    assert "search" not in result.metrics
    assert json.loads((result.path / "config.json").read_text())["model"]["name"] == "lstm+mlp"
