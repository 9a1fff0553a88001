"""Everything between a raw table and a model's inputs, fitted on the training data and replayed unchanged by
`predict`, `evaluate` and the server: cleaning -> text tokenization -> table feature encoding; for images, the
image encoder (images/encoder.py), with the cleaning and feature encoding of a table's columns beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .config import RunConfig
from .data.examples import join_text, join_texts
from .data.features import FeatureEncoder
from .data.schema import ColumnRoles
from .errors import ConfigError
from .images.encoder import ImageEncoder
from .models.inputs import EncodedInputs
from .stage import check_is_fitted
from .text import TextTokenizer, load_tokenizer, make_tokenizer, tokenizer_from_dict


class Preprocessing:
    """The fitted stages for one model. `text`, `numeric`, `categorical` name its input columns;
    `pretrained_dir` is the pretrained model's directory, whose tokenizer the pretrained level uses. `image` names
    the column of image names, for an image model; `images` is the image encoder the run's reader fitted on the
    training images (and holding the pixels it decoded), else one is fitted here.

    Fitted, it holds `cleaner_`, `tokenizer_` (None without text inputs), `features_` (None without table inputs),
    `images_` (None without images) and `cleaning_summary_`; see stage.py for the protocol it follows."""

    def __init__(self, roles: ColumnRoles, config: RunConfig, pretrained_dir: Path | None = None,
                 images: ImageEncoder | None = None):
        self.text = list(roles.text)
        self.image = list(roles.image)
        self.images = images
        self.numeric = list(roles.numeric)
        self.categorical = list(roles.categorical)
        self.target_column = roles.target
        self.config = config
        self.pretrained_dir = pretrained_dir

    @property
    def cleaner(self):
        """The fitted cleaning pipeline (None before fit)."""
        return getattr(self, "cleaner_", None)

    @property
    def tokenizer(self) -> TextTokenizer | None:
        """The fitted tokenizer; None for a model without text inputs."""
        return getattr(self, "tokenizer_", None)

    @property
    def features(self) -> FeatureEncoder | None:
        """The fitted feature encoder; None for a model without table inputs."""
        return getattr(self, "features_", None)

    @property
    def image_encoder(self) -> ImageEncoder | None:
        """The fitted image encoder; None for a model without images."""
        return getattr(self, "images_", None)

    @property
    def image_shape(self) -> tuple[int, int, int] | None:
        """(channels, height, width) of the images the model reads; None for a model without images."""
        encoder = self.image_encoder
        return None if encoder is None else (encoder.channels, *map(int, encoder.size_))

    @property
    def cleaning_summary(self) -> list[str]:
        """What the cleaning did to the training rows, line by line."""
        check_is_fitted(self, "cleaning_summary_")
        return self.cleaning_summary_

    @property
    def inputs(self) -> list[str]:
        return self.text + self.numeric + self.categorical + self.image

    def fit(self, frame: pd.DataFrame, target: pd.Series | None, source: str) -> Preprocessing:
        """Fit every stage on the training rows."""
        self.fit_resample(frame, target, source)
        return self

    def fit_resample(self, frame: pd.DataFrame, target: pd.Series | None,
                     source: str) -> tuple[pd.DataFrame, pd.Series]:
        """Fit every stage on the training rows; return them cleaned (rows may be dropped) with their target."""
        from .clean import Cleaner

        self.images_ = self.cleaner_ = self.tokenizer_ = self.features_ = None
        self.cleaning_summary_ = []
        if self.image:  # the pictures are not cleaned: the reader left out the files that cannot be used
            self.images_ = self._image_encoder(frame)
            if not (self.numeric or self.categorical):
                return frame, target
        self.cleaner_ = Cleaner(self._cleaning(), numeric=self.numeric, categorical=self.categorical,
                                text=self.text, target=self.target_column, task=self.config.data.task)
        labeled = frame.assign(**{self.target_column: target}) if target is not None else frame
        cleaned = self.cleaner_.fit_resample(labeled, source)
        self.cleaning_summary_ = list(self.cleaner_.summary_)
        if self.text:
            self.fit_tokenizer(join_text(cleaned, self.text, source))
        numeric = list(self.cleaner_.feature_columns_)
        if numeric or self.categorical:
            self.features_ = FeatureEncoder(numeric, list(self.cleaner_.categorical_columns_)).fit(cleaned)
        return cleaned.drop(columns=[self.target_column], errors="ignore"), cleaned[self.target_column]

    def _image_encoder(self, frame: pd.DataFrame) -> ImageEncoder:
        """The encoder the run's reader fitted (holding the pixels it decoded), else one fitted on `frame`'s images."""
        if self.images is not None and getattr(self.images, "size_", None) is not None:
            return self.images
        square = getattr(self.config.model, "image_size", None)  # a pretrained network's input size
        return ImageEncoder(self.image[0], square=square).fit(frame[self.image[0]].astype(str).tolist())

    def _cleaning(self):
        """The cleaning settings. Beside pictures, rows are told apart by their picture, which the cleaner does not
        see: equal table values are neither duplicates nor conflicting labels."""
        if not self.image:
            return self.config.clean
        return self.config.clean.model_copy(update={"duplicates": "keep", "conflicts": "keep"})

    def fit_tokenizer(self, texts: list[str]) -> TextTokenizer:
        """Fit the tokenizer of `tokenizer.level` on these (cleaned) training texts."""
        self.tokenizer_ = self._tokenizer().fit(texts)
        if self.tokenizer_.pad_id != 0 and self.config.model.name != "pretrained":
            raise ConfigError(f"tokenizer.level 'pretrained': this tokenizer pads with id "
                              f"{self.tokenizer_.pad_id}, but model '{self.config.model.name}' masks id 0. "
                              "Use model.name pretrained with it, or another tokenizer.level.")
        return self.tokenizer_

    def _tokenizer(self) -> TextTokenizer:
        """The unfitted tokenizer for `tokenizer.level`. A pretrained model reads its own tokenizer's ids, so
        with one the level is `pretrained` whatever `auto` would pick; any other explicit level is an error."""
        level = self.config.tokenizer.level
        model = self.config.model
        if model.name == "pretrained":
            if level not in ("auto", "pretrained"):
                raise ConfigError(f"tokenizer.level '{level}' does not go with model.name 'pretrained': a pretrained "
                                  "model reads the ids of its own tokenizer. Leave tokenizer.level at auto (or "
                                  "set it to pretrained).")
            level = "pretrained"
        directory = self.pretrained_dir
        source = getattr(model, "pretrained", None)  # only the pretrained model (and auto) has the key
        if level == "pretrained" and directory is None and source and Path(source).is_dir():
            directory = Path(source)
        return make_tokenizer(self.config.tokenizer, level, directory)

    def encode(self, frame: pd.DataFrame, source: str = "input", clean: bool = True) -> EncodedInputs:
        """Model inputs for every row of `frame`, in order; `clean=False` for rows that `fit` already cleaned."""
        check_is_fitted(self)
        if clean and self.cleaner is not None:
            frame = self.cleaner.transform(frame, source)
        sequences = numeric = categorical = images = None
        if self.image_encoder is not None:
            images = self.images_.transform(frame[self.image[0]].tolist())
        if self.tokenizer is not None:
            sequences = self.tokenizer.transform(join_text(frame, self.text, source))
        if self.features is not None:
            numeric, categorical = self.features.transform(frame)
        return EncodedInputs(sequences, numeric, categorical, images)

    def encode_table(self, frame: pd.DataFrame, source: str = "input") -> EncodedInputs:
        """The table inputs alone (numbers and category ids) of every row of `frame`, cleaned as in training: for
        a model of pictures and table columns, whose pictures are encoded apart (a picture may fail alone). A
        table column missing from `frame` is an error naming it."""
        check_is_fitted(self, "features_")
        cleaned = self.cleaner.transform(frame, source) if self.cleaner is not None else frame
        return EncodedInputs(None, *self.features.transform(cleaned))

    @property
    def text_only(self) -> bool:
        """Whether the model reads text columns and nothing else, so that `encode_texts` can encode its inputs."""
        return self.tokenizer is not None and self.features is None and not (self.numeric or self.categorical)

    def encode_texts(self, texts: dict[str, list[str | None]]) -> EncodedInputs:
        """`encode` for a text-only model on plain lists, {text column: values (str or None)}: the same ids,
        without the tables `encode` builds, which cost several times the model's forward pass for one text."""
        if self.cleaner is not None:
            texts = self.cleaner.transform_texts(texts)
        return EncodedInputs(self.tokenizer.transform(join_texts([texts[c] for c in self.text])), None, None)

    def encode_columns(self, columns: dict[str, list]) -> EncodedInputs | None:
        """`encode` on plain lists, {input column: values (None where missing)}: the same inputs, without the tables
        `encode` builds, which cost some thirty times a table model's forward pass for one row. None where a value
        is one that only a table reads the same way (a bool, a word in a numeric column): use `encode`."""
        if self.cleaner is None or self.features is None or self.image_encoder is not None:
            return None
        cleaned = self.cleaner.transform_columns(columns)
        if cleaned is None:
            return None
        sequences = None
        if self.tokenizer is not None:
            sequences = self.tokenizer.transform(join_texts([cleaned[c] for c in self.text]))
        return EncodedInputs(sequences, *self.features.transform_columns(cleaned))

    def model_sizes(self) -> dict:
        """The sizes a model takes from the data: vocabulary (and the id that pads it) and table features."""
        sizes = {}
        if self.tokenizer is not None:
            sizes["vocab_size"] = self.tokenizer.vocab_size
            sizes["pad_id"] = self.tokenizer.pad_id
        if self.features is not None:
            sizes["num_numeric"] = len(self.features.numeric)
            sizes["cardinalities"] = self.features.cardinalities
        if self.image_encoder is not None:
            sizes["in_channels"] = self.image_encoder.channels
        return sizes

    def transform(self, frame: pd.DataFrame, source: str = "input") -> EncodedInputs:
        """`encode`: the model inputs of every row of `frame`, in order."""
        return self.encode(frame, source)

    def to_dict(self) -> dict:
        """preprocessing.json's content, and the tokenizer's state under "tokenizer" (None without one)."""
        return {**self._saved_state(), "tokenizer": self.tokenizer.to_dict() if self.tokenizer else None}

    @classmethod
    def from_dict(cls, state: dict, config: RunConfig) -> Preprocessing:
        """The fitted stages of `to_dict`'s state, for a model of run configuration `config`."""
        tokenizer = tokenizer_from_dict(state["tokenizer"]) if state.get("tokenizer") else None
        return cls._restore(state, config, tokenizer)

    def save(self, directory: Path) -> None:
        """preprocessing.json in `directory`, with the tokenizer's own files (tokenizer.json) beside it."""
        state = self._saved_state()
        if self.tokenizer is not None:
            self.tokenizer.save(directory)
        (directory / "preprocessing.json").write_text(json.dumps(state, indent=2, ensure_ascii=False) + "\n",
                                                      encoding="utf-8")

    def _saved_state(self) -> dict:
        """preprocessing.json's content: `to_dict` but the tokenizer, whose files are saved beside it."""
        check_is_fitted(self)
        return {
            "inputs": {"text": self.text, "numeric": self.numeric, "categorical": self.categorical,
                       "image": self.image, "target": self.target_column},
            "tokenizer_level": self.tokenizer.level_ if self.tokenizer else None,
            "features": self.features.to_dict() if self.features else None,
            "cleaning": self.cleaner.to_dict() if self.cleaner else None,
            "images": self.image_encoder.to_dict() if self.image_encoder else None,
        }

    @classmethod
    def load(cls, directory: Path, state: dict, config: RunConfig) -> Preprocessing:
        """What `save(directory)` wrote; `state` is its preprocessing.json."""
        level = state.get("tokenizer_level")
        tokenizer = load_tokenizer(directory, config.tokenizer, level) if level is not None else None
        return cls._restore(state, config, tokenizer)

    @classmethod
    def _restore(cls, state: dict, config: RunConfig, tokenizer: TextTokenizer | None) -> Preprocessing:
        from .clean import Cleaner

        inputs = state["inputs"]
        roles = ColumnRoles(target=inputs["target"], text=inputs["text"], numeric=inputs["numeric"],
                            categorical=inputs["categorical"], image=inputs.get("image", []))
        stages = cls(roles, config)
        stages.tokenizer_ = tokenizer
        features, cleaning = state["features"], state["cleaning"]
        stages.features_ = FeatureEncoder.from_dict(features) if features is not None else None
        stages.cleaner_ = Cleaner.from_dict(cleaning) if cleaning is not None else None
        stages.images_ = ImageEncoder.from_dict(state["images"]) if state.get("images") else None
        return stages
