"""`trainwright tune`: trials saved as runs and ranked, bad trials pruned, failures recorded, the best retrained,
workers sharing one SQLite study, and the search space taken from the config."""

import json
import multiprocessing
import textwrap

import optuna
import pytest
from typer.testing import CliRunner

import trainwright
from conftest import make_reviews
from trainwright.errors import ConfigError
from trainwright.evaluate.compare import compare_runs
from trainwright.train import tune as tune_module
from trainwright.train.tune import tune
from trainwright.train.tune_space import parse_dimension

# A small LSTM on one thread; what the tests search is set per test in tune.space.
FAST = {"model": {"name": "lstm", "embedding_dim": 16, "hidden_size": 16},
        "train": {"epochs": 5, "threads": 1, "batch_size": 16},
        "regularization": {"weight_decay": 0.0}, "stopping": {"patience": 5}}


def fast_config(space: dict | None = None, **sections) -> trainwright.RunConfig:
    overrides = {section: dict(values) for section, values in FAST.items()}
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    overrides["tune"] = {"space": space or {"train.learning_rate": [0.01, 0.03]}}
    return trainwright.build_config(overrides=overrides)


@pytest.fixture(scope="module")
def texts_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("tune") / "texts.csv"
    make_reviews(240)[["review", "label"]].to_csv(path, index=False)
    return path


def test_a_study_runs_its_trials_and_the_best_is_retrained_and_loads(texts_csv, tmp_path):
    out = tmp_path / "tuned"
    result = tune(texts_csv, test=texts_csv, out=out, trials=3, config=fast_config())

    assert [row["trial"] for row in result.trials] == [0, 1, 2]
    assert {row["state"] for row in result.trials} == {"complete"}
    assert all(row["settings"]["train.learning_rate"] in (0.01, 0.03) for row in result.trials)
    best_row = min(result.trials, key=lambda row: row["value"])
    assert result.best_trial == best_row["trial"] and result.best_value == best_row["value"]
    assert result.storage == f"sqlite:///{(out / 'study.db').resolve()}"
    table = json.loads((out / "trials.json").read_text())["trials"]
    assert [row["trial"] for row in table] == [0, 1, 2]
    assert "train.learning_rate" in (out / "trials.csv").read_text().splitlines()[0]

    # the best, retrained on the same rows, is the same model as its trial, and an ordinary saved model
    assert result.best == (out / "best").resolve()
    best_run = json.loads((out / "trials" / f"trial-{result.best_trial:03d}" / "metrics.json").read_text())
    assert result.metrics["valid"]["accuracy"] == pytest.approx(best_run["valid"]["accuracy"])
    assert result.metrics["test"]["accuracy"] > 0.8
    assert result.metrics["tune"]["best_trial"] == result.best_trial
    saved = json.loads((result.best / "config.json").read_text())
    assert saved["train"]["learning_rate"] == result.best_settings["train.learning_rate"]
    assert trainwright.load(result.best).predict(["awful, broken", "superb, love it"]).labels == ["neg", "pos"]

    # the trials are ordinary runs: compare ranks them, each marked with its outcome
    rows = compare_runs(sorted((out / "trials").iterdir()))
    assert sorted(row["run"] for row in rows) == ["trial-000", "trial-001", "trial-002"]
    assert {row["tune_state"] for row in rows} == {"complete"}


def test_a_new_study_starts_from_the_defaults_so_its_best_is_no_worse_than_train(texts_csv, tmp_path):
    config = fast_config({"train.learning_rate": {"low": 1e-4, "high": 1e-1, "log": True}})
    result = tune(texts_csv, out=tmp_path / "from-defaults", trials=2, config=config, retrain=False)
    first = result.trials[0]["settings"]
    assert first == {"model.name": "lstm", "model.dropout": 0.2, "model.embedding_dropout": 0.0,
                     "train.learning_rate": 1e-3}  # the config's values, then the lstm's defaults
    plain = trainwright.train(texts_csv, out=tmp_path / "plain", config=fast_config())
    assert result.trials[0]["valid_accuracy"] == pytest.approx(plain.metrics["valid"]["accuracy"])
    assert result.trials[0]["value"] == pytest.approx(plain.metrics["valid"]["loss"], abs=1e-4)


def test_the_starting_points_of_a_searched_model_are_each_models_presets():
    from trainwright.models.presets import apply_presets
    from trainwright.train.tune_space import TEXT_MODELS, resolve_space

    config = trainwright.build_config()
    space = resolve_space(config, "auto")

    def preset(model):
        candidate = config.model_copy(deep=True)
        candidate.model.name = model
        return apply_presets(candidate)

    points = {point["model.name"]: point for point in space.starting_points(preset)}
    assert list(points) == list(TEXT_MODELS)
    assert points["linear"]["linear:model.ngrams"] == 2 and points["linear"]["linear:model.hash_buckets"] == 2 ** 18
    assert "linear:train.learning_rate" not in points["linear"]  # a convex fit: no learning rate to tune
    assert points["cnn"]["cnn:train.batch_size"] == 50 and points["cnn"]["cnn:model.embedding_dim"] == 300
    assert points["bilstm"]["bilstm:model.hidden_size"] == 128


def test_a_trial_doing_badly_is_pruned_saved_and_marked(texts_csv, tmp_path):
    # A learning rate of 1e-6 leaves the loss at ln 2 ~ 0.693: above 0.68 once the pruner's warm-up (steps 0 and
    # 1) is over, at epoch 2, so it stops the trial there.
    config = fast_config({"train.learning_rate": [0.03, 1e-6]})
    out = tmp_path / "pruning"
    result = tune(texts_csv, out=out, trials=4, config=config,
                  pruner=optuna.pruners.ThresholdPruner(upper=0.68, n_warmup_steps=2))

    by_rate = {}
    for row in result.trials:
        by_rate.setdefault(row["settings"]["train.learning_rate"], []).append(row)
    assert set(by_rate) == {0.03, 1e-6}, "the seeded sampler should try both rates in 4 trials"
    assert {row["state"] for row in by_rate[1e-6]} == {"pruned"}
    assert all(row["pruned_at_epoch"] == 2 and row["epochs"] == 2 for row in by_rate[1e-6])
    assert {row["state"] for row in by_rate[0.03]} == {"complete"}
    assert result.best_settings["train.learning_rate"] == 0.03

    pruned = by_rate[1e-6][0]
    rows = {row["run"]: row for row in compare_runs(sorted((out / "trials").iterdir()))}
    assert rows[f"trial-{pruned['trial']:03d}"]["tune_state"] == "pruned at epoch 2"
    assert len(rows) == 4


def test_the_median_and_hyperband_pruners_are_fed_each_epoch(texts_csv, tmp_path, monkeypatch):
    from trainwright.train import tune_study

    monkeypatch.setattr(tune_study, "MEDIAN_STARTUP_TRIALS", 1)
    monkeypatch.setattr(tune_study, "MEDIAN_FIRST_EPOCH", 0)
    result = tune(texts_csv, out=tmp_path / "median", trials=3, config=fast_config(), retrain=False)
    study = optuna.load_study(study_name=result.study, storage=result.storage)
    assert all(len(t.intermediate_values) == t.user_attrs["epochs"] for t in study.trials)
    assert isinstance(study.pruner, optuna.pruners.MedianPruner) and result.best is None
    assert isinstance(tune_study.make_pruner("hyperband", 10), optuna.pruners.HyperbandPruner)
    with pytest.raises(ConfigError, match="--pruner 'sometimes' is not one of median, hyperband, none"):
        tune_study.make_pruner("sometimes", 10)


def test_a_failing_trial_is_recorded_and_the_study_goes_on(texts_csv, tmp_path, monkeypatch):
    real_fit, calls = tune_module.fit, []

    def fail_once(config, tables, callbacks=()):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("out of memory, say")
        return real_fit(config, tables, callbacks)

    monkeypatch.setattr(tune_module, "fit", fail_once)
    out = tmp_path / "failing"
    result = tune(texts_csv, out=out, trials=3, config=fast_config(), retrain=False)

    states = [row["state"] for row in result.trials]
    assert states == ["complete", "failed", "complete"]
    assert result.trials[1]["error"] == "RuntimeError: out of memory, say"
    assert "RuntimeError: out of memory, say" in (out / "trials.csv").read_text()
    rows = compare_runs(sorted((out / "trials").iterdir()))  # the failed trial is listed, last, without metrics
    assert [row["tune_state"] for row in rows][-1] == "failed" and rows[-1]["valid_accuracy"] is None
    with pytest.raises(trainwright.ArtifactError):
        trainwright.load(out / "trials" / "trial-001")


SHARED_SPACE = {"train.learning_rate": {"low": 0.005, "high": 0.05, "log": True}}


def _worker(data, out, storage):
    tune(data, out=out, trials=2, config=fast_config(SHARED_SPACE), storage=storage, study="shared")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (POSIX)")
def test_two_workers_share_one_sqlite_study_and_the_last_retrains_the_best(texts_csv, tmp_path):
    # Two processes at once on one new SQLite file (forked: a fresh interpreter takes ~10 s to import torch).
    storage, out = f"sqlite:///{tmp_path / 'shared.db'}", tmp_path / "out"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_worker, args=(texts_csv, out, storage)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0

    study = optuna.load_study(study_name="shared", storage=storage)
    assert sorted(t.number for t in study.trials) == [0, 1, 2, 3]
    assert {t.state.name for t in study.trials} == {"COMPLETE"}
    assert len({t.user_attrs["worker"] for t in study.trials}) == 2
    assert len({t.params["train.learning_rate"] for t in study.trials}) == 4  # no two workers drew the same
    assert len(list((out / "trials").iterdir())) == 4
    best = json.loads((out / "best" / "metrics.json").read_text())["tune"]
    assert best["study"] == "shared" and best["best_trial"] == study.best_trial.number

    # no trials: the study's best, already retrained, is kept as it is
    result = tune(texts_csv, out=out, trials=0, config=fast_config(SHARED_SPACE), storage=storage, study="shared")
    assert result.best_trial == study.best_trial.number and result.metrics["tune"] == best
    assert len(result.trials) == 4


def test_a_worker_finishing_while_others_run_leaves_the_retraining_to_them(texts_csv, tmp_path):
    config = fast_config()
    out = tmp_path / "busy"
    tune(texts_csv, out=out, trials=1, config=config, retrain=False)
    study = optuna.load_study(study_name="busy", storage=f"sqlite:///{out / 'study.db'}")
    study.ask()  # another worker's trial, running
    result = tune(texts_csv, out=out, trials=1, config=config)
    assert result.best is None and "1 trial(s) of other workers still running" in result.not_retrained
    assert not (out / "best").exists()


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")  # tune() itself silences them
@pytest.mark.parametrize("url, message", [("notaurl", "Cannot open the study storage notaurl: Could not parse"),
                                          ("nosuchdb://x", "Cannot open the study storage nosuchdb://x")])
def test_a_storage_that_cannot_be_opened_says_so(url, message):
    from trainwright.train.tune_study import make_pruner, make_sampler, open_study

    with pytest.raises(ConfigError, match=message):
        open_study(url, "study", "minimize", make_sampler(0), make_pruner("median", 10), {})


def test_a_worker_with_other_settings_cannot_join_the_study(texts_csv, tmp_path):
    tune(texts_csv, out=tmp_path / "one", trials=1, config=fast_config(), retrain=False)
    other = fast_config(train={"epochs": 3})
    with pytest.raises(ConfigError, match=r"was started with another train\.epochs"):
        tune(texts_csv, out=tmp_path / "one", trials=1, config=other, retrain=False)


def test_the_config_space_is_searched_and_the_settings_it_fixes_are_not(texts_csv, tmp_path):
    config_file = tmp_path / "tune.yaml"
    config_file.write_text(textwrap.dedent("""
        model: {name: lstm, embedding_dim: 16, dropout: 0.1}
        train: {epochs: 3, threads: 1}
        tune:
          space:
            model.hidden_size: {low: 4, high: 12, step: 4}
            train.learning_rate: {low: 1e-3, high: 3e-2, log: true}   # YAML reads 1e-3 as text: still a number
            train.batch_size: [24]
    """))
    result = tune(texts_csv, out=tmp_path / "space", trials=3, config=config_file, retrain=False)
    for row in result.trials:
        settings = row["settings"]
        assert settings["model.hidden_size"] in (4, 8, 12) and settings["train.batch_size"] == 24
        assert 1e-3 <= settings["train.learning_rate"] <= 3e-2
        assert "model.dropout" not in settings and "model.embedding_dim" not in settings  # set in the config: fixed
        assert "model.embedding_dropout" in settings  # the lstm's default space for what the config leaves open
        saved = json.loads((tmp_path / "space" / "trials" / f"trial-{row['trial']:03d}" / "config.json").read_text())
        assert saved["model"]["hidden_size"] == settings["model.hidden_size"] and saved["model"]["dropout"] == 0.1


@pytest.mark.parametrize("key, entry, message", [
    ("train.learnig_rate", [0.01], "Did you mean 'train.learning_rate'"),
    ("trian.learning_rate", [0.01], "Did you mean 'train.learning_rate'"),
    ("model.dropout", {"low": 0.1, "high": 1.5}, "1.5 is not a valid model.dropout"),
    ("train.batch_size", {"low": 8}, "needs both low and high"),
    ("train.batch_size", {"low": 8.5, "high": 64}, "must be a whole number"),
    ("train.learning_rate", {"low": 0, "high": 0.1, "log": True}, "a log range needs low > 0"),
    ("train.learning_rate", {"low": 0.1, "high": 0.01}, "low (0.1) must be below high (0.01)"),
    ("train.learning_rate", {"low": 0.01, "high": 0.1, "scale": "log"}, "unknown range key(s) scale"),
    ("model.dropout", 0.3, "expected a list of choices"),
    ("model.dropout", [], "the list of choices is empty"),
    ("tokenizer.padding", {"low": 0, "high": 1}, "tokenizer.padding is not a number"),
    ("tokenizer.padding", ["pre", "middle"], "'middle' is not a valid tokenizer.padding"),
    ("train.seed", [0, 1], "cannot be searched: it changes the held-out validation rows"),
])
def test_a_bad_space_entry_says_what_to_fix(key, entry, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        parse_dimension(key, entry, "tune.yaml")
    assert str(caught.value).startswith(f"tune.yaml: tune.space '{key}'")


def test_a_bad_space_in_a_config_file_stops_tune_before_any_training(texts_csv, tmp_path):
    config_file = tmp_path / "bad.yaml"
    config_file.write_text("tune:\n  space:\n    model.name: [cnn, auto]\n")
    with pytest.raises(ConfigError, match="'model.name' cannot include auto"):
        tune(texts_csv, out=tmp_path / "bad", trials=1, config=config_file)
    with pytest.raises(ConfigError, match="--model 'lstmm': Input should be 'auto', 'lstm'"):
        tune(texts_csv, out=tmp_path / "bad", trials=1, model="lstmm")
    config_file.write_text("stopping: {monitor: train_loss}\n")
    with pytest.raises(ConfigError, match="set it to val_loss or val_accuracy"):
        tune(texts_csv, out=tmp_path / "bad", trials=1, config=config_file)
    assert not (tmp_path / "bad" / "trials").exists()


def test_the_command_prints_the_trials_and_the_best(texts_csv, tmp_path):
    import typer

    from trainwright.train.tune_command import tune as tune_command

    app = typer.Typer()
    app.command()(tune_command)
    config_file = tmp_path / "fast.yaml"
    config_file.write_text(json.dumps({**{k: v for k, v in FAST.items()},
                                       "tune": {"space": {"train.learning_rate": [0.01, 0.03]}}}))
    out = tmp_path / "cli"
    result = CliRunner().invoke(app, [str(texts_csv), "--test", str(texts_csv), "--trials", "2", "--config",
                                      str(config_file), "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "Trials" in result.output and "complete" in result.output and "lr 0.0" in result.output
    assert "Best: trial" in result.output and "test accuracy" in result.output
    assert (out / "best" / "weights.safetensors").is_file()
