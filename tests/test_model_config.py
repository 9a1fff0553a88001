"""The model section: one class per architecture, each with only its own keys and its own defaults."""

import json
import shutil

import pytest

import trainwright
from trainwright.artifact import load_artifact
from trainwright.config import RunConfig, build_config, saved_config, validate_config
from trainwright.errors import ConfigError
from trainwright.model_config import FORECAST_MODELS, IMAGE_MODELS, MODEL_CONFIGS
from trainwright.models import build_model, model_sizes
from trainwright.train.tune_space import DEFAULT_SPACES, resolve_space

# What each model trained with before it had a class of its own: the one flat model section's defaults, with
# the model's preset values over them.
FLAT = {"embedding_dim": 64, "hidden_size": 64, "num_layers": 1, "bidirectional": False, "dropout": 0.2,
        "embedding_dropout": 0.0, "pooling": "auto", "filter_sizes": [3, 4, 5], "num_filters": 100, "ngrams": 2,
        "hash_buckets": 2 ** 18, "attention_heads": 4, "pretrained": None, "freeze_layers": 0,
        "mlp_hidden_sizes": [64, 32], "mlp_dropout": 0.1}
OLD_PRESETS = {
    "bilstm": {"embedding_dim": 128, "hidden_size": 128, "dropout": 0.5},
    "gru": {"embedding_dim": 128, "hidden_size": 128, "bidirectional": True, "dropout": 0.5},
    "cnn": {"embedding_dim": 300, "dropout": 0.5},
    "fasttext": {"embedding_dim": 64, "hash_buckets": 2 ** 18, "dropout": 0.0},
    "transformer": {"embedding_dim": 128, "hidden_size": 256, "num_layers": 2, "dropout": 0.1},
}
DATA_SIZES = {"vocab_size": 50, "num_numeric": 2, "cardinalities": [3], "pad_id": 0, "in_channels": 3}


@pytest.mark.parametrize("name", [name for name in MODEL_CONFIGS if name not in (*FORECAST_MODELS, *IMAGE_MODELS)])
def test_each_model_defaults_to_what_it_trained_with_before(name):
    model = build_config(overrides={"model": {"name": name}}).model
    assert type(model) is MODEL_CONFIGS[name]
    expected = {**FLAT, **OLD_PRESETS.get(name, {})}
    assert {key: value for key, value in model.model_dump().items() if key != "name"} == {
        key: expected[key] for key in type(model).model_fields if key != "name"}


def test_a_key_another_model_has_is_an_error_naming_key_and_model():
    with pytest.raises(ConfigError) as error:
        build_config(overrides={"model": {"name": "lstm", "num_filters": 50}})
    message = str(error.value)
    assert "key 'num_filters' in section [model] does not apply to model lstm" in message
    assert "Keys of model lstm: name, embedding_dim, dropout, hidden_size" in message


def test_a_misspelled_key_suggests_the_models_own():
    with pytest.raises(ConfigError, match="unknown key 'ngram' in section \\[model\\] for model fasttext. Did you "
                                          "mean 'ngrams'?"):
        build_config(overrides={"model": {"name": "fasttext", "ngram": 3}})


def test_a_bad_model_name_lists_the_valid_names():
    with pytest.raises(ConfigError, match="bad value for 'model.name' \\('lstn'\\): not a model. Valid names: auto, "
                                          "lstm, bilstm"):
        build_config(overrides={"model": {"name": "lstn"}})


def test_a_model_section_that_is_not_a_mapping_says_what_it_should_be():
    with pytest.raises(ConfigError, match="bad value for 'model' \\(5\\): expected a section such as \\{name: lstm\\}"):
        validate_config({"model": 5})


def test_a_section_without_a_name_is_auto_and_takes_any_models_key():
    model = build_config(overrides={"model": {"num_filters": 8, "hidden_size": 16}}).model
    assert model.name == "auto" and model.num_filters == 8


def test_auto_candidates_take_the_keys_set_that_apply_to_them():
    auto = build_config(overrides={"model": {"num_filters": 8, "hidden_size": 16}})
    cnn = auto.model_copy(deep=True).use_model("cnn").model
    assert (cnn.num_filters, cnn.embedding_dim, cnn.dropout) == (8, 300, 0.5)  # set, then the cnn's own defaults
    assert "name" not in cnn.model_fields_set
    lstm = auto.model_copy(deep=True).use_model("lstm").model
    assert lstm.hidden_size == 16 and not hasattr(lstm, "num_filters")


def test_switching_from_a_named_model_keeps_no_key_silently():
    config = build_config(overrides={"model": {"name": "cnn", "num_filters": 8}})
    with pytest.raises(ConfigError, match="model.num_filters \\(set for model cnn\\) does not apply to model lstm"):
        config.use_model("lstm")
    assert config.model.name == "cnn"  # unchanged


def test_assigning_a_name_switches_the_section():
    config = build_config(overrides={"model": {"embedding_dim": 16}})
    config.model.name = "transformer"
    assert type(config.model) is MODEL_CONFIGS["transformer"]
    assert (config.model.embedding_dim, config.model.num_layers) == (16, 2)


@pytest.mark.parametrize("name", [name for name in MODEL_CONFIGS if name not in ("auto", "pretrained")])
def test_every_key_reaches_the_architecture(name):
    config = build_config(overrides={"model": {"name": name}})
    sizes = model_sizes(name, config.model, DATA_SIZES, 2)
    build_model(name, **sizes)  # an argument the architecture lacks would be a TypeError


def test_an_old_flat_model_section_loads_with_only_its_models_keys():
    old = RunConfig().model_dump()
    old["model"] = {"name": "cnn", **FLAT, "embedding_dim": 300, "dropout": 0.5}
    config = saved_config(json.loads(json.dumps(old)), "config.json")
    assert type(config.model) is MODEL_CONFIGS["cnn"]
    assert (config.model.embedding_dim, config.model.num_filters) == (300, 100)


def test_a_saved_model_with_the_flat_model_section_still_loads(tiny_model, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(tiny_model, copy)
    settings = json.loads((copy / "config.json").read_text())
    assert set(settings["model"]) < {"name", *FLAT}
    settings["model"] = {**FLAT, **settings["model"]}  # as it was saved before: every model's keys
    (copy / "config.json").write_text(json.dumps(settings))
    loaded = load_artifact(copy)
    assert loaded.config.model == load_artifact(tiny_model).config.model
    assert trainwright.load(copy).predict(["the kettle was excellent"]).labels


def test_the_default_tune_spaces_search_only_their_models_keys():
    for name, space in DEFAULT_SPACES.items():
        assert {key[6:] for key in space if key.startswith("model.")} <= set(MODEL_CONFIGS[name].model_fields), name


def test_a_model_key_searched_for_a_model_without_it_is_an_error():
    config = build_config(overrides={"tune": {"space": {"model.name": ["cnn", "linear"],
                                                        "model.dropout": [0.1, 0.3]}}})
    with pytest.raises(ConfigError, match="tune.space 'model.dropout' does not apply to model linear"):
        resolve_space(config, "auto")
