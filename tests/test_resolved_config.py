"""A run resolves its configuration once, into a new frozen one: what was inferred from the data is in it, nothing
assigns to it afterwards, a changed copy is derived, and the user's own configuration is left as it was."""

import pytest

import trainwright
from trainwright.artifact import load_artifact
from trainwright.config import RunConfig
from trainwright.section import FrozenConfigError, Section
from trainwright.train.run import prepare


def _every_field(config: Section, prefix: str = ""):
    """(section, key, path) for every field of every section, nested ones included."""
    for key in type(config).model_fields:
        value = getattr(config, key)
        if isinstance(value, Section):
            yield from _every_field(value, f"{prefix}{key}.")
        else:
            yield config, key, f"{prefix}{key}"


def _user_config(**model) -> RunConfig:
    return trainwright.build_config(overrides={"model": model, "train": {"epochs": 2, "threads": 1}})


def test_the_prepared_config_refuses_every_assignment(reviews_csv):
    config, *_ = prepare(reviews_csv, _user_config(name="lstm", hidden_size=8))
    fields = list(_every_field(config))
    assert {"clean.text.html", "model.hidden_size", "model.name", "data.task", "tune.space"} <= {p for *_, p in fields}
    for section, key, path in fields:
        with pytest.raises(FrozenConfigError, match="resolved and frozen"):
            setattr(section, key, getattr(section, key))
    for name in RunConfig.model_fields:  # a whole section is not replaced either
        with pytest.raises(FrozenConfigError):
            setattr(config, name, getattr(config, name))


def test_the_resolved_config_holds_what_was_inferred(reviews_csv):
    config, roles, _, target = prepare(reviews_csv, _user_config())
    assert config.data.task == target.task_ == "binary"
    assert (config.data.target, config.data.text, config.data.features) == ("label", ["review"], ["stars"])
    assert config.model.name == "lstm+mlp"  # auto's choice for text with a table column
    assert roles.text == ["review"]


def test_the_model_presets_are_resolved_and_stay_defaults(reviews_csv):
    config, *_ = prepare(reviews_csv, _user_config(name="cnn"))
    assert config.train.epochs == 2  # the user's
    assert (config.train.batch_size, config.tokenizer.lowercase, config.stopping.patience) == (50, False, 3)
    assert "batch_size" not in config.train.model_fields_set and "epochs" in config.train.model_fields_set


def test_linear_on_a_table_resolves_to_table_linear(accounts_csv):
    config, *_ = prepare(accounts_csv, trainwright.build_config(overrides={"model": {"name": "linear"}}))
    assert config.model.name == "table_linear"
    assert config.clean.missing_indicator is True  # its preset


def test_prepare_leaves_the_user_config_as_it_was_and_changeable(reviews_csv):
    user = _user_config(name="cnn")
    before = user.model_dump()
    prepare(reviews_csv, user)
    assert user.model_dump() == before
    user.train.epochs = 1
    user.model.name = "lstm"  # a script's own configuration still switches models
    assert user.model.name == "lstm" and not user.is_frozen


def test_derive_makes_a_frozen_changed_copy_and_leaves_the_original(reviews_csv):
    config, *_ = prepare(reviews_csv, _user_config(name="cnn"))
    derived = config.derive({"data": {"task": "multiclass"}, "train": {"batch_size": 8}, "model": {"name": "lstm"}})
    assert (config.data.task, config.train.batch_size, config.model.name) == ("binary", 50, "cnn")
    assert (derived.data.task, derived.train.batch_size, derived.model.name) == ("multiclass", 8, "lstm")
    assert derived.is_frozen and derived.clean.text.is_frozen and derived.model.is_frozen
    assert derived.train.model_fields_set == config.train.model_fields_set | {"batch_size"}
    with pytest.raises(FrozenConfigError):
        derived.train.epochs = 3


def test_a_trained_model_saves_and_loads_the_resolved_frozen_config(accounts_csv, tmp_path):
    user = trainwright.build_config(overrides={"model": {"name": "lightgbm"}, "train": {"threads": 1, "ensemble": 1}})
    trainwright.train(accounts_csv, out=tmp_path / "model", config=user)
    saved = load_artifact(tmp_path / "model").config
    assert saved.is_frozen and saved.data.target == "churned" and saved.data.task == "binary"
    with pytest.raises(FrozenConfigError):
        saved.data.target = "age"
    assert user.data.target is None  # the user's config was not resolved in place
