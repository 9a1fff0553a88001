"""Model architectures: plain `nn.Module`s from a batch's inputs (token ids, numbers, category ids) to logits."""

from ..errors import ConfigError
from .boosted import BoostedConfig, BoostedTrees
from .cnn import CNNClassifier, CNNConfig
from .combined import CombinedConfig, TextTableModel
from .ensemble import EnsembleConfig, EnsembleModel
from .fasttext import FastTextClassifier, FastTextConfig
from .linear import LinearConfig, TfidfLinearClassifier
from .lstm import LSTMClassifier, LSTMConfig
from .pretrained import PretrainedClassifier, PretrainedConfig
from .recurrent import BiLSTMClassifier, GRUClassifier, RecurrentConfig
from .registry import ARCHITECTURES, build_model
from .table_linear import TableLinearConfig, TableLinearModel
from .tabular import TabularConfig, TabularMLP
from .transformer import TransformerClassifier, TransformerConfig

__all__ = ["BiLSTMClassifier", "CNNClassifier", "CNNConfig", "CombinedConfig", "EnsembleConfig", "EnsembleModel",
           "FastTextClassifier", "FastTextConfig", "GRUClassifier", "LSTMClassifier", "LSTMConfig", "LinearConfig",
           "RecurrentConfig", "TabularConfig", "TabularMLP", "TextTableModel", "TfidfLinearClassifier",
           "BoostedConfig", "BoostedTrees", "TableLinearConfig", "TableLinearModel",
           "TransformerClassifier", "TransformerConfig", "build_model"]

# pooling "auto": what each architecture pools with when the config does not say
_AUTO_POOLING = {"bilstm": "max", "gru": "max", "transformer": "mean"}


def model_sizes(name: str, config, data_sizes: dict, num_outputs: int) -> dict:
    """The architecture's arguments from the model section of the run config and the data's sizes."""
    _check(name, config)
    text = {"embedding_dim": config.embedding_dim, "hidden_size": config.hidden_size,
            "num_layers": config.num_layers, "bidirectional": config.bidirectional,
            "embedding_dropout": config.embedding_dropout}
    table = {"hidden_sizes": list(config.mlp_hidden_sizes), "dropout": config.mlp_dropout}
    zoo = {"dropout": config.dropout, "filter_sizes": list(config.filter_sizes), "num_filters": config.num_filters,
           "ngrams": config.ngrams, "hash_buckets": config.hash_buckets, "attention_heads": config.attention_heads,
           "pooling": _AUTO_POOLING.get(name) if config.pooling == "auto" else config.pooling}
    if name == "lstm":
        extra = {**text, "dropout": config.dropout}
    elif name == "pretrained":  # sizes come from the pretrained model's own config
        extra = {"source": config.pretrained, "freeze_layers": config.freeze_layers}
    elif name == "bilstm":
        extra = {**text, **zoo, "bidirectional": True}
    elif name in ARCHITECTURES and name not in ("mlp", "lstm+mlp", "ensemble"):
        extra = {**text, **zoo}
    elif name == "mlp":
        extra = table
    else:
        extra = {**text, **table, "text_dropout": config.dropout}
    fields = ARCHITECTURES[name][1].__dataclass_fields__
    return {k: v for k, v in {**data_sizes, **extra, "num_outputs": num_outputs}.items() if k in fields}


def _check(name: str, config) -> None:
    """Settings that are valid alone but not for this architecture: a clear error before anything trains."""
    if name == "transformer" and config.embedding_dim % config.attention_heads:
        fit = max(1, config.embedding_dim // config.attention_heads) * config.attention_heads
        raise ConfigError(f"model.embedding_dim ({config.embedding_dim}) must be a multiple of "
                          f"model.attention_heads ({config.attention_heads}) for the transformer, e.g. {fit}.")
    if name == "cnn" and (not config.filter_sizes or min(config.filter_sizes) < 1):
        raise ConfigError(f"model.filter_sizes must be one or more positive widths for the cnn; got "
                          f"{list(config.filter_sizes)}, e.g. [3, 4, 5].")
    if name == "lstm" and config.pooling not in ("auto", "last"):
        raise ConfigError(f"model.pooling '{config.pooling}' is not available for lstm, which reads the state "
                          "after the last token; use bilstm or gru for mean or max pooling.")
