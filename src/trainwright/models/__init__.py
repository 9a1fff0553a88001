"""Model architectures: plain `nn.Module`s that map padded token ids (batch, time) to logits."""

from .lstm import LSTMClassifier, LSTMConfig

__all__ = ["LSTMClassifier", "LSTMConfig", "build_model"]


def build_model(name: str, **sizes) -> "LSTMClassifier":
    """The model called `name`, with sizes that come from the fitted stages (vocabulary, outputs)."""
    if name == "lstm":
        return LSTMClassifier(LSTMConfig(**sizes))
    raise ValueError(f"unknown model '{name}'")
