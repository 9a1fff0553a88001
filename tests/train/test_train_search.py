"""`--model auto` on text: candidates trained on the same rows, the best on validation kept, the user told."""

import json

import pytest

import trainwright
from conftest import make_reviews
from trainwright.train import search

@pytest.fixture(scope="module")
def texts_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("texts") / "texts.csv"
    make_reviews(240)[["review", "label"]].to_csv(path, index=False)
    return path


FAST = {"train": {"threads": 1, "epochs": 3}, "model": {"embedding_dim": 16, "hidden_size": 16, "num_filters": 8}}


def test_auto_tries_the_candidates_and_keeps_the_best_on_validation(texts_csv, tmp_path, tw_log):
    config = trainwright.build_config(overrides=FAST)
    result = trainwright.train(texts_csv, out=tmp_path / "auto", config=config)
    tried = result.metrics["search"]
    singles = [row for row in tried if not row["model"].startswith("ensemble")]
    assert [row["model"] for row in singles] == list(search.CANDIDATES)
    trained = [row for row in tried if row["status"] == "trained"]
    best_single = max((row for row in trained if row["model"] in search.CANDIDATES), key=lambda r: r["accuracy"])
    assert {row["model"] for row in trained} == {"linear", "fasttext", "cnn", "bilstm",
                                                 f"ensemble of 5 {best_single['model']}"}
    pretrained = next(row for row in tried if row["model"] == "pretrained")
    assert pretrained["status"] == "skipped: needs --time-limit"
    kept = [row for row in tried if row["kept"]]
    top = max(row["accuracy"] for row in trained)
    assert len(kept) == 1 and (kept[0]["accuracy"] == top or kept[0]["model"].startswith("ensemble")
                               and kept[0]["accuracy"] >= top - search.ENSEMBLE_TOLERANCE)
    saved = json.loads((result.path / "config.json").read_text())
    assert kept[0]["model"].endswith(saved["model"]["name"])
    assert result.metrics["valid"]["accuracy"] == kept[0]["accuracy"]
    assert "model auto: trying linear, fasttext, cnn, bilstm, pretrained" in tw_log.text
    assert f"model auto: kept {kept[0]['model']}" in tw_log.text
    assert trainwright.load(result.path).predict(["awful, broken"]).labels == ["neg"]


def test_a_time_limit_stops_trying_candidates(texts_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MIN_SECONDS", 1e6)  # as if the limit were already used up after one candidate
    config = trainwright.build_config(overrides={**FAST, "train": {**FAST["train"], "time_limit": 1e5}})
    real_skip = search._skip_reason
    calls = []

    def skip_after_first(name, candidate, left, rows):
        calls.append(name)
        return None if len(calls) == 1 else real_skip(name, candidate, left, rows)

    monkeypatch.setattr(search, "_skip_reason", skip_after_first)
    monkeypatch.setattr(search, "CANDIDATES", ("linear", "fasttext", "cnn"))
    result = trainwright.train(texts_csv, out=tmp_path / "limited", config=config)
    statuses = {row["model"]: row["status"] for row in result.metrics["search"]}
    assert statuses == {"linear": "trained", "fasttext": "skipped: time limit reached",
                        "cnn": "skipped: time limit reached", "ensemble of 5 linear": "trained"}


def test_pretrained_is_skipped_when_an_epoch_would_not_fit(monkeypatch):
    config = trainwright.build_config(overrides={"model": {"name": "pretrained"}, "train": {"threads": 1}})
    reason = search._skip_reason("pretrained", config, seconds_left=10.0, rows=100_000)
    assert reason is not None and "one epoch needs" in reason or "no local pretrained model" in reason


def test_a_named_model_trains_alone(texts_csv, tmp_path):
    config = trainwright.build_config(overrides={**FAST, "model": {**FAST["model"], "name": "cnn"}})
    result = trainwright.train(texts_csv, out=tmp_path / "cnn", config=config)
    assert "search" not in result.metrics


def test_an_ensemble_as_good_within_chance_and_surer_is_kept():
    best = {"accuracy": 0.870, "loss": 0.39}
    assert search._ensemble_wins("multiclass", {"accuracy": 0.864, "loss": 0.37}, best)
    assert not search._ensemble_wins("multiclass", {"accuracy": 0.850, "loss": 0.30}, best)
    assert not search._ensemble_wins("multiclass", {"accuracy": 0.866, "loss": 0.40}, best)
    assert search._ensemble_wins("multiclass", {"accuracy": 0.880, "loss": 0.45}, best)
