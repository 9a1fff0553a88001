"""build_config: seed defaults, YAML files, overrides, and the messages for bad keys and values."""

from __future__ import annotations

import pytest

from trainwright.config import KERAS_FILTERS, RunConfig, build_config, validate_config
from trainwright.errors import ConfigError


def write(tmp_path, text: str, name: str = "run.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def message_of(**kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        build_config(**kwargs)
    return str(info.value)


# --- defaults -----------------------------------------------------------------------------------------------

def test_defaults_are_the_seed_model():
    config = build_config()
    assert config.tokenizer.num_words == 10000
    assert config.tokenizer.maxlen == 100
    assert config.model.name == "auto"  # the seed LSTM for text alone
    assert config.model.embedding_dim == 64
    assert config.model.hidden_size == 64
    assert config.train.epochs == 10
    assert config.train.batch_size == 32
    assert config.train.optimizer == "adam"
    assert config.train.learning_rate == 1e-3


def test_tokenizer_defaults_are_keras_defaults():
    tok = build_config().tokenizer
    assert tok.lowercase is True
    assert tok.filters == '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n' == KERAS_FILTERS  # keras Tokenizer(filters=...)
    assert tok.padding == "pre" and tok.truncating == "pre"


def test_build_config_without_arguments_equals_the_model_defaults():
    assert build_config() == RunConfig()
    assert build_config(overrides={}) == RunConfig()


def test_default_sections_are_not_shared_between_configs():
    first = RunConfig()
    first.train.epochs = 3
    assert RunConfig().train.epochs == 10
    assert build_config().train.epochs == 10


# --- files and overrides ------------------------------------------------------------------------------------

def test_values_come_from_the_yaml_file(tmp_path):
    path = write(tmp_path, """
data:
  target: sentiment
  text: [title, body]
tokenizer:
  num_words: 500
  maxlen: 50
  padding: post
train:
  epochs: 3
  optimizer: sgd
  learning_rate: 0.05
""")
    config = build_config(path)
    assert config.data.target == "sentiment"
    assert config.data.text == ["title", "body"]
    assert (config.tokenizer.num_words, config.tokenizer.maxlen, config.tokenizer.padding) == (500, 50, "post")
    assert (config.train.epochs, config.train.optimizer, config.train.learning_rate) == (3, "sgd", 0.05)
    # what the file does not set keeps its default
    assert config.model.embedding_dim == 64
    assert config.train.batch_size == 32


def test_path_given_as_string(tmp_path):
    assert build_config(str(write(tmp_path, "train: {epochs: 2}\n"))).train.epochs == 2


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file_gives_defaults(tmp_path, text):
    assert build_config(write(tmp_path, text)) == RunConfig()


def test_overrides_win_over_the_file_and_keep_its_other_values(tmp_path):
    path = write(tmp_path, "tokenizer: {num_words: 500, maxlen: 50}\ntrain: {epochs: 3}\n")
    config = build_config(path, {"tokenizer": {"maxlen": 20}, "model": {"hidden_size": 8}})
    assert config.tokenizer.maxlen == 20  # override
    assert config.tokenizer.num_words == 500  # file, same section
    assert config.train.epochs == 3  # file, section not overridden
    assert config.model.hidden_size == 8  # override, section not in file


def test_none_overrides_are_ignored(tmp_path):
    path = write(tmp_path, "tokenizer: {maxlen: 50}\ndata: {target: y}\n")
    overrides = {"tokenizer": {"maxlen": None, "num_words": None},
                 "data": {"target": None, "text": None},
                 "train": {"epochs": None, "threads": None}}
    config = build_config(path, overrides)
    assert config.tokenizer.maxlen == 50
    assert config.tokenizer.num_words == 10000
    assert config.data.target == "y"
    assert config.train.epochs == 10
    assert config.train.threads is None


def test_overrides_without_a_file():
    config = build_config(overrides={"train": {"epochs": 2, "batch_size": None}})
    assert config.train.epochs == 2 and config.train.batch_size == 32


def test_overrides_are_validated_too():
    message = message_of(overrides={"train": {"epochs": 0}})
    assert message.startswith("config: bad value for 'train.epochs' (0)")


# --- unknown keys -------------------------------------------------------------------------------------------

def test_unknown_key_names_key_section_and_closest_valid_key(tmp_path):
    path = write(tmp_path, "tokenizer: {max_len: 5}\n")
    message = message_of(file=path)
    assert str(path) in message
    assert "unknown key 'max_len' in section [tokenizer]" in message
    assert "Did you mean 'maxlen'?" in message
    assert "Valid keys: level, num_words, lowercase, filters, split_punctuation, maxlen, padding, truncating." in message


@pytest.mark.parametrize("section, key, close", [
    ("train", "epoch", "epochs"),
    ("train", "learningrate", "learning_rate"),
    ("model", "hidden", "hidden_size"),
    ("data", "targets", "target"),
])
def test_unknown_key_suggestions(tmp_path, section, key, close):
    message = message_of(file=write(tmp_path, f"{section}:\n  {key}: 1\n"))
    assert f"unknown key '{key}' in section [{section}]. Did you mean '{close}'?" in message


def test_unknown_key_without_close_match_has_no_suggestion(tmp_path):
    message = message_of(file=write(tmp_path, "train: {zzzzzz: 1}\n"))
    assert "unknown key 'zzzzzz' in section [train]." in message and "Did you mean" not in message


def test_unknown_key_in_overrides():
    message = message_of(overrides={"tokenizer": {"max_len": 5}})
    assert message.startswith("config: unknown key 'max_len' in section [tokenizer]. Did you mean 'maxlen'?")


def test_unknown_section(tmp_path):
    message = message_of(file=write(tmp_path, "trainer: {epochs: 3}\n"))
    assert "unknown key 'trainer' in the top level. Did you mean 'train'?" in message
    assert "Valid keys: data, clean, tokenizer, model, train, stopping, regularization, tune, forecast." in message


def test_every_problem_is_reported(tmp_path):
    message = message_of(file=write(tmp_path, "tokenizer: {max_len: 5}\ntrain: {epochs: -1}\n"))
    lines = message.splitlines()
    assert len(lines) == 2
    assert any("'max_len'" in line for line in lines) and any("'train.epochs'" in line for line in lines)


# --- bad values ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("yaml_text, key, allowed", [
    ("tokenizer: {padding: left}\n", "tokenizer.padding", ["'pre'", "'post'"]),
    ("tokenizer: {level: sentence}\n", "tokenizer.level", ["'auto'", "'word'", "'char'"]),
    ("train: {optimizer: rmsprop}\n", "train.optimizer", ["'adam'", "'sgd'"]),
    ("data: {task: ranking}\n", "data.task", ["'auto'", "'binary'", "'multiclass'", "'regression'"]),
])
def test_bad_literal_lists_the_allowed_values(tmp_path, yaml_text, key, allowed):
    message = message_of(file=write(tmp_path, yaml_text))
    assert f"bad value for '{key}'" in message
    for value in allowed:
        assert value in message


@pytest.mark.parametrize("yaml_text, key, bad, bound", [
    ("train: {epochs: -1}\n", "train.epochs", "-1", "greater than or equal to 1"),
    ("train: {learning_rate: 0}\n", "train.learning_rate", "0", "greater than 0"),
    ("tokenizer: {num_words: 2}\n", "tokenizer.num_words", "2", "greater than or equal to 3"),
    ("data: {valid_fraction: 1.5}\n", "data.valid_fraction", "1.5", "less than 1"),
    ("model: {dropout: 1}\n", "model.dropout", "1", "less than 1"),
])
def test_bad_number_names_key_value_and_bound(tmp_path, yaml_text, key, bad, bound):
    message = message_of(file=write(tmp_path, yaml_text))
    assert f"bad value for '{key}' ({bad})" in message
    assert bound in message


def test_wrong_type(tmp_path):
    message = message_of(file=write(tmp_path, "train: {epochs: ten}\n"))
    assert "bad value for 'train.epochs' ('ten')" in message and "integer" in message


def test_section_that_is_not_a_mapping(tmp_path):
    message = message_of(file=write(tmp_path, "tokenizer: 5\n"))
    assert "bad value for 'tokenizer' (5)" in message


def test_section_that_is_not_a_mapping_with_overrides(tmp_path):
    path = write(tmp_path, "tokenizer: 5\n")
    with pytest.raises(ConfigError, match="tokenizer"):
        build_config(path, {"tokenizer": {"maxlen": None}})


# --- bad files ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["- data\n- train\n", "just a string\n", "42\n"])
def test_yaml_that_is_not_a_mapping(tmp_path, text):
    path = write(tmp_path, text)
    message = message_of(file=path)
    assert str(path) in message
    assert ("expected a mapping of sections (data, clean, tokenizer, model, train, stopping, regularization, tune, forecast)"
            in message)


def test_invalid_yaml(tmp_path):
    path = write(tmp_path, "train: {epochs: 3\n")
    message = message_of(file=path)
    assert message.startswith(f"{path} is not valid YAML")


def test_missing_file(tmp_path):
    path = tmp_path / "absent.yaml"
    assert message_of(file=path) == f"Config file {path} does not exist."


def test_validate_config_names_its_source():
    with pytest.raises(ConfigError, match=r"^run\.yaml: unknown key 'epoch' in section \[train\]"):
        validate_config({"train": {"epoch": 3}}, "run.yaml")


def test_config_error_exit_code():
    assert ConfigError.exit_code == 3


# --- forecast -----------------------------------------------------------------------------------------------


def test_forecast_section_defaults_and_checks(tmp_path):
    config = build_config(file=write(tmp_path, "data: {task: forecast}\nforecast: {horizon: 12, season_length: 4}\n"))
    assert config.data.task == "forecast" and config.forecast.horizon == 12 and config.forecast.season_length == 4
    assert config.forecast.backtest == 3 and config.forecast.quantiles == [0.1, 0.5, 0.9]
    assert "nbeats" in config.forecast.models and config.forecast.season_length != "auto"
    assert "forecast.models" in message_of(overrides={"forecast": {"models": ["prophet"]}})
    assert "forecast.quantiles" in message_of(overrides={"forecast": {"quantiles": [1.5]}})
    assert "Did you mean 'horizon'" in message_of(overrides={"forecast": {"horizn": 6}})
