"""Model architectures: plain `nn.Module`s from a batch's inputs (token ids, numbers, category ids, images) to
logits."""

from ..errors import ConfigError
from ..model_config import AUGMENT_KEYS, IMAGE_MODELS
from .boosted import BoostedConfig, BoostedTrees
from .cnn import CNNClassifier, CNNConfig
from .combined import CombinedConfig, TextTableModel
from .efficientnet import EfficientNetConfig, EfficientNetLite0
from .ensemble import EnsembleConfig, EnsembleModel
from .fasttext import FastTextClassifier, FastTextConfig
from .image_table import ImageTableConfig, ImageTableModel
from .linear import LinearConfig, TfidfLinearClassifier
from .lstm import LSTMClassifier, LSTMConfig
from .lstm_forecaster import LSTMForecaster, LSTMForecasterConfig
from .nbeats import NBeatsConfig, NBeatsForecaster
from .pretrained import PretrainedClassifier, PretrainedConfig
from .recurrent import BiLSTMClassifier, GRUClassifier, RecurrentConfig
from .registry import ARCHITECTURES, build_model
from .resnet import ResNetClassifier, ResNetConfig
from .table_linear import TableLinearConfig, TableLinearModel
from .tabular import TabularConfig, TabularMLP
from .transformer import TransformerClassifier, TransformerConfig

__all__ = ["BiLSTMClassifier", "CNNClassifier", "CNNConfig", "CombinedConfig", "EnsembleConfig", "EnsembleModel",
           "FastTextClassifier", "FastTextConfig", "GRUClassifier", "LSTMClassifier", "LSTMConfig", "LinearConfig",
           "NBeatsConfig", "NBeatsForecaster", "ResNetClassifier", "ResNetConfig", "EfficientNetConfig",
           "EfficientNetLite0", "ImageTableConfig", "ImageTableModel",
           "LSTMForecaster", "LSTMForecasterConfig", "NBeatsConfig", "NBeatsForecaster",
           "RecurrentConfig", "TabularConfig", "TabularMLP", "TextTableModel", "TfidfLinearClassifier",
           "BoostedConfig", "BoostedTrees", "TableLinearConfig", "TableLinearModel",
           "TransformerClassifier", "TransformerConfig", "build_model"]

# pooling "auto": what each architecture pools with when the config does not say
_AUTO_POOLING = {"bilstm": "max", "gru": "max", "transformer": "mean"}


# model-section keys that the architecture's config names differently
_RENAMED = {"pretrained": {"pretrained": "source"},
            "mlp": {"mlp_hidden_sizes": "hidden_sizes", "mlp_dropout": "dropout"},
            "lstm+mlp": {"dropout": "text_dropout", "mlp_hidden_sizes": "hidden_sizes", "mlp_dropout": "dropout"},
            "resnet+mlp": {"mlp_hidden_sizes": "hidden_sizes"}}


def model_sizes(name: str, config, data_sizes: dict, num_outputs: int) -> dict:
    """The architecture's arguments from the model section of the run config (its class has only the keys the
    architecture reads) and the data's sizes."""
    _check(name, config)
    if name in IMAGE_MODELS and "in_channels" not in data_sizes:
        raise ConfigError(f"model {name} reads images, and this data has text or table columns only: choose a "
                          "text or table model (e.g. --model auto).")
    if name == "resnet+mlp" and "num_numeric" not in data_sizes:
        raise ConfigError("model resnet+mlp reads pictures and table columns, and this data has no table column "
                          "beside the pictures: use --model resnet (or auto).")
    renamed = _RENAMED.get(name, {})
    # the augmentation's keys are read by the training loop's batches (images/augment.py), not the architecture
    keys = config.model_dump(exclude={"name", *AUGMENT_KEYS})
    extra = {renamed.get(key, key): value for key, value in keys.items()}
    if "pooling" in extra:
        pooling = extra.pop("pooling")
        if name != "lstm":  # lstm reads the state after its last token; the key only admits auto and last
            extra["pooling"] = _AUTO_POOLING.get(name) if pooling == "auto" else pooling
    if name == "bilstm":
        extra["bidirectional"] = True
    fields = ARCHITECTURES[name][1].__dataclass_fields__
    return {**{k: v for k, v in data_sizes.items() if k in fields}, **extra, "num_outputs": num_outputs}


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
