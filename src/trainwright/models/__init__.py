"""Model architectures: plain `nn.Module`s from a batch's inputs (token ids, numbers, category ids) to logits."""

from torch import nn

from .combined import CombinedConfig, TextTableModel
from .ensemble import EnsembleConfig, EnsembleModel
from .lstm import LSTMClassifier, LSTMConfig
from .tabular import TabularConfig, TabularMLP

__all__ = ["CombinedConfig", "EnsembleConfig", "EnsembleModel", "LSTMClassifier", "LSTMConfig", "TabularConfig",
           "TabularMLP", "TextTableModel", "build_model"]

ARCHITECTURES = {
    "lstm": (LSTMClassifier, LSTMConfig),
    "mlp": (TabularMLP, TabularConfig),
    "lstm+mlp": (TextTableModel, CombinedConfig),
    "ensemble": (EnsembleModel, EnsembleConfig),
}


def build_model(name: str, **sizes) -> nn.Module:
    """The model called `name`, with sizes that come from the fitted stages (vocabulary, features, outputs)."""
    model_class, config_class = ARCHITECTURES[name]
    return model_class(config_class(**sizes))


def model_sizes(name: str, config, data_sizes: dict, num_outputs: int) -> dict:
    """The architecture's arguments from the model section of the run config and the data's sizes."""
    text = {"embedding_dim": config.embedding_dim, "hidden_size": config.hidden_size,
            "num_layers": config.num_layers, "bidirectional": config.bidirectional,
            "embedding_dropout": config.embedding_dropout}
    table = {"hidden_sizes": list(config.mlp_hidden_sizes), "dropout": config.mlp_dropout}
    if name == "lstm":
        extra = {**text, "dropout": config.dropout}
    elif name == "mlp":
        extra = table
    else:
        extra = {**text, **table, "text_dropout": config.dropout}
    fields = ARCHITECTURES[name][1].__dataclass_fields__
    return {k: v for k, v in {**data_sizes, **extra, "num_outputs": num_outputs}.items() if k in fields}
