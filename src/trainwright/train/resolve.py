"""A run's one resolution step: the user's configuration and what was inferred from the data (the columns, the
task, the model auto chose, that model's presets, the pretrained model's directory) become a new, frozen
configuration. Every stage after it reads that one and the saved model keeps it (config.json); a stage that
needs other settings (a candidate of model auto, a fold, a trial) resolves or derives its own copy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..config import RunConfig
from ..models.presets import apply_presets
from ..models.pretrained import resolve_pretrained


def resolve(config: RunConfig, roles=None, *, task: str | None = None, model: str | None = None,
            column_names: Sequence[str] | None = None, settings: dict[str, dict[str, Any]] | None = None,
            locate_pretrained: bool = True) -> RunConfig:
    """`config` resolved into a new, frozen configuration; `config` itself is left as it is.

    roles: the columns chosen (data.target, data.text, data.features); task: the target's; model: the model to
    train, switched to as use_model does; column_names: those of a file read without a header row; settings:
    {section: {key: value}} set as the user's own, so that the model's presets keep off them. Then the model's
    presets fill the settings left at their defaults, and model.pretrained becomes the local directory it names
    (a ConfigError when it is not on disk), unless `locate_pretrained` is False: a candidate of model auto is
    checked and skipped rather than failing, and fit_model locates it when it trains."""
    resolved = config.thawed()
    data = resolved.data
    if column_names is not None:
        data.column_names = [str(c) for c in column_names]
    if roles is not None:
        data.target, data.text, data.features = roles.target, roles.text, roles.numeric + roles.categorical
    if task is not None:
        data.task = task
    if model is not None:
        resolved.use_model(model)
    for section, values in (settings or {}).items():
        for key, value in values.items():
            setattr(getattr(resolved, section), key, value)
    apply_presets(resolved)
    if locate_pretrained and resolved.model.name == "pretrained":
        resolved.model.pretrained = str(resolve_pretrained(resolved.model.pretrained))
    return resolved.frozen()


def located_pretrained(config: RunConfig) -> RunConfig:
    """`config` with model.pretrained the local directory it names (the same config when it is one already):
    a model pretrained fails here, before anything is read, when it is not on disk."""
    if config.model.name != "pretrained":
        return config
    path = str(resolve_pretrained(config.model.pretrained))
    if path == config.model.pretrained and config.is_frozen:
        return config
    return config.derive({"model": {"pretrained": path}})
