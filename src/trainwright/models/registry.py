"""The architectures by name, as the run config and a saved model's config.json spell them, and `build_model`."""

from torch import nn

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
from .resnet import ResNetClassifier, ResNetConfig
from .table_linear import TableLinearConfig, TableLinearModel
from .tabular import TabularConfig, TabularMLP
from .transformer import TransformerClassifier, TransformerConfig

__all__ = ["ARCHITECTURES", "build_model"]

ARCHITECTURES = {
    "lstm": (LSTMClassifier, LSTMConfig),
    "bilstm": (BiLSTMClassifier, RecurrentConfig),
    "gru": (GRUClassifier, RecurrentConfig),
    "cnn": (CNNClassifier, CNNConfig),
    "fasttext": (FastTextClassifier, FastTextConfig),
    "linear": (TfidfLinearClassifier, LinearConfig),
    "transformer": (TransformerClassifier, TransformerConfig),
    "pretrained": (PretrainedClassifier, PretrainedConfig),
    "mlp": (TabularMLP, TabularConfig),
    "lightgbm": (BoostedTrees, BoostedConfig),
    "table_linear": (TableLinearModel, TableLinearConfig),
    "lstm+mlp": (TextTableModel, CombinedConfig),
    "ensemble": (EnsembleModel, EnsembleConfig),
    "nbeats": (NBeatsForecaster, NBeatsConfig),
    "resnet": (ResNetClassifier, ResNetConfig),
    "efficientnet_lite0": (EfficientNetLite0, EfficientNetConfig),
    "resnet+mlp": (ImageTableModel, ImageTableConfig),
    "lstm_forecaster": (LSTMForecaster, LSTMForecasterConfig),
}


def build_model(name: str, **sizes) -> nn.Module:
    """The model called `name`, with sizes that come from the fitted stages (vocabulary, features, outputs)."""
    model_class, config_class = ARCHITECTURES[name]
    config = config_class(**sizes)
    if model_class is EnsembleModel:  # its members are built here, by name, so ensemble.py needs no registry
        return EnsembleModel(config, [build_model(member["name"], **member["config"]) for member in config.members])
    return model_class(config)
