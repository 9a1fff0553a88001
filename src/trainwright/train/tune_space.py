"""What `trainwright tune` searches: each model's default ranges, and the config's `tune.space` entries.

An entry names a config key as "section.key" and gives either a list of choices or a range:

    tune:
      space:
        train.learning_rate: {low: 1.0e-4, high: 1.0e-2, log: true}
        train.batch_size: [32, 64, 128]
        model.name: [cnn, linear]

A config entry replaces the model's default for that key. A default whose key the config sets explicitly (e.g.
`model: {dropout: 0.3}` or a flag) is left out: what the user fixed stays fixed. When the model itself is searched
(`model.name` among several), each model's defaults are its own parameters ("cnn:model.dropout"), so their
ranges never clash; the config's entries are shared by all models.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..config import MODEL_CONFIGS, RunConfig
from ..errors import ConfigError

# Searched when the model is left to tune: the text candidates of `--model auto` that train from scratch.
TEXT_MODELS = ("linear", "fasttext", "cnn", "bilstm")
# Keys a search must not vary: they change what trials are judged on, or only how fast a trial runs.
NOT_SEARCHABLE = {"train.seed": "it changes the held-out validation rows, so trials would not compare",
                  "stopping.monitor": "it is the metric trials are ranked by",
                  "stopping.mode": "it says which way the ranking metric is better",
                  "train.threads": "it changes speed, not the model",
                  "train.accelerator": "it changes speed, not the model",
                  "train.time_limit": "it is a budget, not a setting of the model"}
RANGE_KEYS = {"low", "high", "log", "step"}

_RECURRENT = {"train.learning_rate": {"low": 3e-4, "high": 1e-2, "log": True},
              "train.batch_size": [16, 32, 64, 128],
              "model.embedding_dim": [32, 64, 128, 256], "model.hidden_size": [32, 64, 128, 256],
              "model.dropout": {"low": 0.0, "high": 0.6}, "model.embedding_dropout": {"low": 0.0, "high": 0.3},
              "regularization.weight_decay": [0.0, 1e-4, 1e-3, 1e-2]}
# Centred on each model's preset (models/presets.py), wide enough to move a default that does not suit the data.
DEFAULT_SPACES: dict[str, dict[str, Any]] = {
    "lstm": _RECURRENT, "bilstm": _RECURRENT, "gru": _RECURRENT,
    "lstm+mlp": {**_RECURRENT, "model.mlp_dropout": {"low": 0.0, "high": 0.5}},
    "cnn": {"train.learning_rate": {"low": 2e-4, "high": 5e-3, "log": True}, "train.batch_size": [32, 50, 64, 128],
            "model.embedding_dim": [100, 200, 300], "model.num_filters": [50, 100, 200],
            "model.dropout": {"low": 0.2, "high": 0.7}, "model.embedding_dropout": {"low": 0.0, "high": 0.3},
            "regularization.weight_decay": [0.0, 1e-4, 1e-3, 1e-2]},
    "fasttext": {"train.learning_rate": {"low": 0.03, "high": 0.5, "log": True}, "train.batch_size": [32, 64, 128],
                 "model.embedding_dim": [32, 64, 128], "model.ngrams": [1, 2, 3],
                 "model.dropout": {"low": 0.0, "high": 0.5}},
    # a TF-IDF logistic regression fitted by a convex solver, which chooses its own regularization on validation
    "linear": {"model.ngrams": [1, 2, 3], "model.hash_buckets": [2 ** 16, 2 ** 18, 2 ** 20]},
    "transformer": {"train.learning_rate": {"low": 1e-4, "high": 2e-3, "log": True}, "train.batch_size": [16, 32, 64],
                    "model.embedding_dim": [64, 128, 256], "model.num_layers": [1, 2, 3],
                    "model.dropout": {"low": 0.0, "high": 0.3}},
    "pretrained": {"train.learning_rate": {"low": 1e-5, "high": 1e-4, "log": True}, "train.batch_size": [16, 32],
                   "regularization.weight_decay": [0.0, 0.01, 0.1]},
    "mlp": {"train.learning_rate": {"low": 3e-4, "high": 1e-2, "log": True}, "train.batch_size": [16, 32, 64, 128],
            "model.mlp_dropout": {"low": 0.0, "high": 0.5}, "regularization.weight_decay": [0.0, 1e-4, 1e-3, 1e-2]},
}


@dataclass(frozen=True)
class Dimension:
    """One searched config key: a list of choices, or a numeric range (integers for an integer setting)."""

    key: str
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    integer: bool = False

    def suggest(self, trial, name: str):
        if self.choices is not None:
            return trial.suggest_categorical(name, self.choices)
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(name, self.low, self.high, step=self.step, log=self.log)

    def point(self, value):
        """`value` as a point of this dimension, or None when it is not one (not among the choices, outside the
        range or off its steps). A log range cannot hold 0: its low end, as near to none as it gets, stands in."""
        if self.choices is not None:
            return value if value in self.choices else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if value == 0 and self.log:
            value = self.low
        if not self.low <= value <= self.high or (self.step is not None and (value - self.low) % self.step):
            return None
        return int(value) if self.integer else float(value)

    def describe(self) -> str:
        if self.choices is not None:
            return f"{self.key} in [{', '.join(map(str, self.choices))}]"
        return f"{self.key} {self.low:g}..{self.high:g}" + (" (log)" if self.log else "")


@dataclass
class Space:
    """The models tried (one: fixed) and the dimensions searched: each model's own, and the shared ones."""

    models: tuple[str, ...]
    own: dict[str, dict[str, Dimension]] = field(default_factory=dict)
    shared: dict[str, Dimension] = field(default_factory=dict)
    fixed: list[str] = field(default_factory=list)  # default dimensions left out: the config sets them

    @property
    def searches_model(self) -> bool:
        return len(self.models) > 1

    def sample(self, trial) -> dict[str, Any]:
        """{"section.key": value} for one trial, "model.name" included."""
        model = trial.suggest_categorical("model.name", self.models) if self.searches_model else self.models[0]
        settings: dict[str, Any] = {"model.name": model}
        for key, dimension in self.own[model].items():
            settings[key] = dimension.suggest(trial, f"{model}:{key}" if self.searches_model else key)
        for key, dimension in self.shared.items():
            settings[key] = dimension.suggest(trial, key)
        return settings

    def starting_points(self, config_for) -> list[dict[str, Any]]:
        """Each model's defaults (its preset, or the config's values) as trial parameters, so the search starts
        from them and its best is never worse on validation than `trainwright train` with the same config (a
        default the space cannot hold is left to the sampler). `config_for(model)`: the config of a trial of
        `model` before its settings are drawn."""
        points = []
        for model in self.models:
            config = config_for(model)
            point = {"model.name": model} if self.searches_model else {}
            for key, dimension in self.own[model].items():
                point[f"{model}:{key}" if self.searches_model else key] = dimension.point(_value(config, key))
            for key, dimension in self.shared.items():
                point[key] = dimension.point(_value(config, key))
            points.append({name: value for name, value in point.items() if value is not None})
        return points

    def describe(self) -> list[str]:
        lines = [f"model.name in [{', '.join(self.models)}]" if self.searches_model else f"model {self.models[0]}"]
        for model in self.models:
            prefix = f"{model}: " if self.searches_model else ""
            lines += [prefix + d.describe() for d in self.own[model].values()]
        return lines + [d.describe() for d in self.shared.values()]


def resolve_space(config: RunConfig, default_model: str, source: str = "config") -> Space:
    """The space for `config`: its tune.space entries, and the default ranges of its model(s) for the keys it
    neither sets nor searches. `default_model` is the model for the data when the config names none ("auto" for
    text alone: the text models are searched)."""
    shared = {key: parse_dimension(key, raw, source) for key, raw in config.tune.space.items()}
    models = _models(config, shared.pop("model.name", None), default_model)
    for key in shared:  # a model key searched for every model must be one that each of them has
        lacking = [m for m in models if key.startswith("model.") and key[6:] not in MODEL_CONFIGS[m].model_fields]
        if lacking:
            raise ConfigError(f"{source}: tune.space '{key}' does not apply to model {', '.join(lacking)}; search "
                              "it for models that have it (tune.space 'model.name') or leave it out.")
    explicit = {f"{name}.{key}" for name in RunConfig.model_fields
                for key in getattr(config, name).model_fields_set}
    space = Space(models)
    for model in models:
        defaults = DEFAULT_SPACES.get(model, {})
        space.own[model] = {key: parse_dimension(key, raw, "the default space") for key, raw in defaults.items()
                            if key not in shared and key not in explicit}
        space.fixed += [key for key in defaults if key in explicit and key not in shared and key not in space.fixed]
    space.shared = shared
    return space


def apply_settings(config: RunConfig, settings: dict[str, Any]) -> RunConfig:
    """Set each "section.key" of `settings` on `config`, as explicitly set values (so presets keep off them)."""
    for key, value in settings.items():
        section, name = key.split(".", 1)
        if key == "model.name":
            config.use_model(value)
        else:
            setattr(getattr(config, section), name, value)
    return config


def _value(config: RunConfig, key: str):
    section, name = key.split(".", 1)
    return getattr(getattr(config, section), name)


def parse_dimension(key: str, raw: Any, source: str = "config") -> Dimension:
    """A validated Dimension for the tune.space entry `key: raw`; ConfigError saying what to fix otherwise."""
    where = f"{source}: tune.space '{key}'"
    section, name = _split_key(key, where)
    if key in NOT_SEARCHABLE:
        raise ConfigError(f"{where} cannot be searched: {NOT_SEARCHABLE[key]}. Set it in [{section}] instead.")
    if isinstance(raw, (list, tuple)):
        return Dimension(key, choices=_choices(section, name, raw, where))
    if isinstance(raw, dict):
        return _range(section, name, raw, where)
    raise ConfigError(f"{where}: expected a list of choices (e.g. [32, 64]) or a range (e.g. {{low: 0.1, high: "
                      f"0.5}}), got {raw!r}. To fix a value rather than search it, set it in its section: "
                      f"{section}: {{{name}: {raw!r}}}.")


def _models(config: RunConfig, searched: Dimension | None, default_model: str) -> tuple[str, ...]:
    if searched is not None:
        if searched.choices is None:
            raise ConfigError("tune.space 'model.name' must be a list of models, e.g. [cnn, linear].")
        if "auto" in searched.choices:
            raise ConfigError("tune.space 'model.name' cannot include auto: list the models to try, e.g. "
                              f"[{', '.join(TEXT_MODELS)}].")
        return tuple(dict.fromkeys(searched.choices))
    name = config.model.name if config.model.name != "auto" else default_model
    return TEXT_MODELS if name == "auto" else (name,)


def _split_key(key: str, where: str) -> tuple[str, str]:
    section, _, name = str(key).partition(".")
    sections = [s for s in RunConfig.model_fields if s not in ("data", "tune")]
    if section not in sections or not name:
        close = difflib.get_close_matches(section, sections, n=1)
        hint = f" Did you mean '{close[0]}.{name}'?" if close and name else ""
        raise ConfigError(f"{where}: keys are 'section.key' with a section among {', '.join(sections)} "
                          f"(e.g. train.learning_rate).{hint}")
    fields = type(getattr(RunConfig(), section)).model_fields
    if name not in fields:
        close = difflib.get_close_matches(name, list(fields), n=1)
        hint = f" Did you mean '{section}.{close[0]}'?" if close else ""
        raise ConfigError(f"{where}: [{section}] has no key '{name}'.{hint} Valid keys: {', '.join(fields)}.")
    return section, name


def _choices(section: str, name: str, raw: list | tuple, where: str) -> tuple:
    if not raw:
        raise ConfigError(f"{where}: the list of choices is empty; give at least one value.")
    values = []
    for value in raw:
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise ConfigError(f"{where}: choices must be single values (numbers, words, true/false), got "
                              f"{value!r}.")
        values.append(_validated(section, name, value, where))
    return tuple(dict.fromkeys(values))


def _range(section: str, name: str, raw: dict, where: str) -> Dimension:
    unknown = sorted(set(raw) - RANGE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown range key(s) {', '.join(map(str, unknown))}; a range has low, high "
                          "and optionally log (true/false) or step.")
    kind = _numeric_kind(section, name)
    if kind is None:
        raise ConfigError(f"{where}: {section}.{name} is not a number; give a list of choices instead.")
    if "low" not in raw or "high" not in raw:
        raise ConfigError(f"{where}: a range needs both low and high, e.g. {{low: 0.1, high: 0.5}}.")
    low, high = (_number(raw[k], k, kind, where) for k in ("low", "high"))
    log, step = raw.get("log", False), raw.get("step")
    if not isinstance(log, bool):
        raise ConfigError(f"{where}: log must be true or false, got {log!r}.")
    if not low < high:
        raise ConfigError(f"{where}: low ({low}) must be below high ({high}); for one value, set it in its "
                          "section instead.")
    if log and low <= 0:
        raise ConfigError(f"{where}: a log range needs low > 0 (got {low}); use e.g. low: 1.0e-6.")
    if step is not None:
        step = _number(step, "step", kind, where)
        if step <= 0 or log:
            raise ConfigError(f"{where}: step must be positive and cannot be combined with log: true.")
    for value in (low, high):
        _validated(section, name, value, where)
    return Dimension(f"{section}.{name}", low=low, high=high, log=log, step=step, integer=kind is int)


def _numeric_kind(section: str, name: str) -> type | None:
    """int or float when the setting is a number (Optional allowed), else None."""
    annotation = type(getattr(RunConfig(), section)).model_fields[name].annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in (int, float) else None


def _number(value: Any, what: str, kind: type, where: str):
    try:  # YAML reads 1e-4 (no dot) as a string; accept it as the number it means
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ConfigError(f"{where}: {what} must be a number, got {value!r}.")
    if kind is int:
        if number != int(number):
            raise ConfigError(f"{where}: {what} must be a whole number for this setting, got {value!r}.")
        return int(number)
    return number


def _validated(section: str, name: str, value: Any, where: str):
    """`value` as the config stores it (e.g. "64" -> 64); ConfigError when the setting does not accept it."""
    probe = getattr(RunConfig(), section)
    try:
        setattr(probe, name, value)
    except ValidationError as e:
        reason = e.errors()[0]["msg"]
        raise ConfigError(f"{where}: {value!r} is not a valid {section}.{name} ({reason}).") from None
    return getattr(probe, name)
