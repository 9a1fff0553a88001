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


LIMITED = {**FAST, "train": {**FAST["train"], "time_limit": 1e5}}  # no candidate is cut short by the clock


def test_auto_tries_the_candidates_and_keeps_the_best_on_validation(texts_csv, tmp_path, tw_log):
    config = trainwright.build_config(overrides=LIMITED)
    result = trainwright.train(texts_csv, out=tmp_path / "auto", config=config)
    tried = result.metrics["search"]
    singles = [row for row in tried if not row["model"].startswith(("ensemble", "blend"))]
    assert [row["model"] for row in singles] == list(search.CANDIDATES["balanced"])
    assert all(row["status"] == "trained" for row in singles)
    kept = [row for row in tried if row["kept"]]
    top = max(row["accuracy"] for row in tried if row["status"] == "trained")
    assert len(kept) == 1 and (kept[0]["accuracy"] == top or kept[0]["model"].startswith(("ensemble", "blend"))
                               and kept[0]["accuracy"] >= top - search.ENSEMBLE_TOLERANCE)
    saved = json.loads((result.path / "config.json").read_text())
    assert saved["model"]["name"] in kept[0]["model"]
    assert result.metrics["valid"]["accuracy"] == kept[0]["accuracy"]
    assert "model auto, preset balanced (--preset fast or best): trying linear, fasttext, cnn within --time-limit" \
        in tw_log.text
    assert "model auto: cnn (3 of 3), about" in tw_log.text
    assert f"model auto: kept {kept[0]['model']}" in tw_log.text
    assert trainwright.load(result.path).predict(["awful, broken"]).labels == ["neg"]


def test_the_budget_is_sized_to_the_data_and_said(texts_csv, tmp_path, tw_log):
    balanced = search.sized_budget(search.CANDIDATES["balanced"], 6920, 2)
    assert 30 <= balanced <= 60  # about 40 s for SST-2's training texts on a 2-core machine
    assert search.sized_budget(search.CANDIDATES["balanced"], 69200, 2) > 5 * balanced
    assert search.sized_budget(search.CANDIDATES["balanced"], 6920, 1) > balanced
    assert search.sized_budget(search.CANDIDATES["fast"], 6920, 2) < balanced
    config = trainwright.build_config(overrides={**FAST, "train": {**FAST["train"], "preset": "fast"}})
    result = trainwright.train(texts_csv, out=tmp_path / "fast", config=config)
    budget = search.sized_budget(search.CANDIDATES["fast"], 216, 1)
    assert f"trying linear, fasttext within about {budget:.0f}s for 216 training texts on 1 thread" in tw_log.text
    assert [row["model"] for row in result.metrics["search"]][:2] == ["linear", "fasttext"]
    assert result.metrics["search_budget_s"] == budget


def test_a_time_limit_stops_trying_candidates(texts_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MIN_SECONDS", 1e6)  # as if the limit were already used up after one candidate
    config = trainwright.build_config(overrides=LIMITED)
    real_skip = search._skip_reason
    calls = []

    def skip_after_first(name, *args):
        calls.append(name)
        return None if len(calls) == 1 else real_skip(name, *args)

    monkeypatch.setattr(search, "_skip_reason", skip_after_first)
    result = trainwright.train(texts_csv, out=tmp_path / "limited", config=config)
    statuses = {row["model"]: row["status"] for row in result.metrics["search"]}
    assert statuses == {"linear": "trained", "fasttext": "skipped: time limit reached",
                        "cnn": "skipped: time limit reached"}  # and no ensemble: a convex fit is not bagged


def test_a_candidate_behind_the_leader_that_gets_worse_is_stopped():
    from types import SimpleNamespace

    from trainwright.train.callbacks import StopWhenBehind

    def epoch(callback, accuracy):
        trainer = SimpleNamespace(sanity_checking=False, should_stop=False,
                                  callback_metrics={"val_accuracy": accuracy})
        callback.on_validation_end(trainer, None)
        return trainer.should_stop

    behind = StopWhenBehind(leader_accuracy=0.90)
    assert [epoch(behind, a) for a in (0.70, 0.80, 0.85, 0.84)] == [False, False, False, True]
    ahead = StopWhenBehind(leader_accuracy=0.80)  # past the leader: worth its patience
    assert [epoch(ahead, a) for a in (0.85, 0.83, 0.82)] == [False, False, False]
    resumed = StopWhenBehind(leader_accuracy=0.90)
    resumed.load_state_dict(behind.state_dict())
    assert epoch(resumed, 0.80)


def test_auto_killed_midway_resumes_and_ends_as_an_uninterrupted_run(texts_csv, tmp_path, monkeypatch):
    from conftest import crash_when_epoch_starts

    config = trainwright.build_config(overrides=LIMITED)
    whole = trainwright.train(texts_csv, out=tmp_path / "whole", config=config)

    undo = crash_when_epoch_starts(monkeypatch, 3)  # in the first candidate that reaches a third epoch
    with pytest.raises(RuntimeError, match="power cut"):
        trainwright.train(texts_csv, out=tmp_path / "resumed", config=trainwright.build_config(overrides=LIMITED))
    checkpoint = tmp_path / "resumed" / "checkpoint"
    done = json.loads((checkpoint / "auto.json").read_text())["rows"]
    assert "linear" in done and all((checkpoint / "candidates" / name / "weights.safetensors").is_file()
                                    for name in done)
    left = [name for name in search.CANDIDATES["balanced"] if name not in done]
    assert (checkpoint / "running" / left[0] / "last.ckpt").is_file()
    undo()

    fitted = []
    real_fit = search._train
    monkeypatch.setattr(search, "_train", lambda name, *a: fitted.append(name) or real_fit(name, *a))
    resumed = trainwright.train(texts_csv, out=tmp_path / "resumed", config=trainwright.build_config(
        overrides=LIMITED), resume=True)
    assert fitted == left  # the finished ones were kept from before the kill

    def figures(result):
        return [{k: v for k, v in row.items() if k != "seconds"} for row in result.metrics["search"]]

    assert figures(resumed) == figures(whole)
    assert resumed.metrics["valid"] == whole.metrics["valid"]
    assert not checkpoint.exists()  # a finished run keeps no checkpoint


def test_pretrained_is_skipped_when_an_epoch_would_not_fit(monkeypatch):
    config = trainwright.build_config(overrides={"model": {"name": "pretrained"}, "train": {"threads": 1}})
    reason = search._skip_reason("pretrained", config, 10.0, 100_000, 1)
    assert reason is not None and "one epoch needs" in reason or "no local pretrained model" in reason


def test_a_named_model_trains_alone(texts_csv, tmp_path, tw_log):
    config = trainwright.build_config(overrides={**FAST, "model": {"name": "cnn", "embedding_dim": 16, "num_filters": 8},
                                                 "train": {**FAST["train"], "preset": "best"}})
    result = trainwright.train(texts_csv, out=tmp_path / "cnn", config=config)
    assert "search" not in result.metrics
    assert "train.preset chooses the candidates of --model auto; model cnn trains alone" in tw_log.text


def test_an_ensemble_as_good_within_chance_and_surer_is_kept():
    best = {"accuracy": 0.870, "loss": 0.39}
    assert search._ensemble_wins("multiclass", {"accuracy": 0.864, "loss": 0.37}, best)
    assert not search._ensemble_wins("multiclass", {"accuracy": 0.850, "loss": 0.30}, best)
    assert not search._ensemble_wins("multiclass", {"accuracy": 0.866, "loss": 0.40}, best)
    assert search._ensemble_wins("multiclass", {"accuracy": 0.880, "loss": 0.45}, best)


def test_blend_weights_pick_models_that_help_and_drop_one_that_does_not():
    import numpy as np

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 400)
    onehot = np.eye(2)[truth]
    # two models right on different halves of the rows, unsure elsewhere; one that guesses
    first_half = np.arange(400) < 200
    left = np.where(first_half[:, None], 0.9 * onehot + 0.05, 0.5)
    right = np.where(first_half[:, None], 0.5, 0.9 * onehot + 0.05)
    guess = rng.dirichlet([1, 1], 400)
    weights = search.blend_weights([left, guess, right], truth)
    assert sum(weights) == pytest.approx(1.0)
    assert weights[1] == 0 and weights[0] > 0.3 and weights[2] > 0.3
    assert search.blend_weights([onehot * 0.98 + 0.01, guess], truth) == [1.0, 0.0]


def test_a_kept_blend_saves_loads_and_exports_with_the_same_predictions(texts_csv, tmp_path, monkeypatch):
    import numpy as np

    pytest.importorskip("onnxruntime")
    # a blend of every candidate, kept whatever validation says, to check it as a saved model
    monkeypatch.setattr(search, "blend_weights", lambda outputs, truth: [1 / len(outputs)] * len(outputs))
    monkeypatch.setattr(search, "_ensemble_wins", lambda *a: True)
    result = trainwright.train(texts_csv, out=tmp_path / "blend", config=trainwright.build_config(overrides=LIMITED))
    kept = [row["model"] for row in result.metrics["search"] if row["kept"]]
    assert kept[0].startswith("blend of ")
    spec = json.loads((result.path / "model.json").read_text())
    assert spec["name"] == "ensemble" and len({m["name"] for m in spec["config"]["members"]}) >= 2
    assert sum(spec["config"]["weights"]) == pytest.approx(1.0)
    texts = ["awful, broken", "great, works well", "a fine thing", "broken again"]
    loaded = trainwright.load(result.path).predict(texts)
    assert loaded.labels[:2] == ["neg", "pos"]
    from trainwright.evaluate.report import model_summary, read_run
    from trainwright.evaluate.report_html import write_report

    assert model_summary(read_run(result.path)).startswith("blend of ")
    assert "The curves of " in write_report(result.path).read_text(encoding="utf-8")  # the strongest member's
    from trainwright.export import export_onnx

    export_onnx(result.path)
    exported = trainwright.load(result.path, backend="onnx").predict(texts)
    np.testing.assert_allclose(exported.probabilities, loaded.probabilities, atol=1e-5)

