"""The run configuration: one typed section per pipeline stage, composed into `RunConfig`.

A YAML file can set any value; command-line flags override it. Unknown keys and bad values are rejected at
this boundary with a message naming the key, its section and the allowed values or the closest valid key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import yaml
from pydantic import Field, ValidationError

from .errors import ConfigError
from .model_config import (MODEL_CONFIGS, TABLE_MODELS, TEXT_MODELS, AutoModel, ModelConfig,
                           saved_model_section, switch_model)
from .section import Section

# Keras's Tokenizer default `filters`: these characters are replaced by spaces before splitting into words.
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


class DataConfig(Section):
    target: Optional[str] = None  # label column; inferred when not set
    text: Optional[list[str]] = None  # text column(s); default: every free-form text column
    features: Optional[list[str]] = None  # table columns to use; default: every numeric/categorical column
    valid_fraction: float = Field(0.1, gt=0, lt=1)  # held out (stratified) when no --valid file is given
    encoding: Optional[str] = None  # file encoding; detected when not set
    # CSV/TSV: whether the first row names the columns; auto: a first row of numbers over numeric columns is data
    header: Union[Literal["auto"], bool] = "auto"
    # names of the columns of a file without a header row (or to replace its header); a file without a header
    # row gets column_1..column_N, and the trained model keeps the names to read files of the same layout
    column_names: Optional[list[str]] = None
    # forecast: a time-series table forecast ahead (the forecast section), not a labeled table
    task: Literal["auto", "binary", "multiclass", "multilabel", "regression", "forecast"] = "auto"
    label_separator: str = ";"  # multilabel: several labels in one cell, e.g. "sports;politics"
    # Read the training file in chunks, with cleaned texts and token ids cached on disk, so memory stays
    # bounded as the file grows (text models). auto: for files of 100 MB or more.
    stream: Union[Literal["auto"], bool] = "auto"
    cache_dir: Optional[str] = None  # the streaming cache; None: $TRAINWRIGHT_CACHE or ~/.cache/trainwright


TOKENIZER_LEVELS = ("auto", "word", "char", "bpe", "wordpiece", "unigram", "jieba", "pretrained")


class TokenizerConfig(Section):
    # auto: words, with CJK text split into characters; bpe/wordpiece/unigram: subwords learned from the
    # training texts; jieba: Chinese word segmentation; pretrained: the pretrained model's own tokenizer
    level: Literal[TOKENIZER_LEVELS] = "auto"
    num_words: int = Field(10000, ge=3)  # vocabulary size, padding and out-of-vocabulary tokens included
    lowercase: bool = True
    filters: str = KERAS_FILTERS  # characters turned into spaces, as Keras's Tokenizer does
    # word level: punctuation marks that `filters` keeps become tokens of their own ("great!" -> great, !) rather
    # than parts of the words beside them, as in pre-tokenized text and BERT's tokenizer (fasttext's preset)
    split_punctuation: bool = False
    maxlen: int = Field(100, ge=1)  # longer texts are truncated
    padding: Literal["pre", "post"] = "pre"  # where padding goes; masked, so it never changes a prediction
    truncating: Literal["pre", "post"] = "pre"  # pre: keep the end of a long text, as Keras does


DECAYING_SCHEDULES = ("cosine", "linear")  # learning rates that fall to 0 over the planned steps


class TrainConfig(Section):
    epochs: int = Field(10, ge=1)
    batch_size: int = Field(32, ge=1)
    # adagrad: per-coordinate steps that suit sparse gradients (fasttext's default); sgd: momentum 0.9
    optimizer: Literal["adam", "sgd", "adagrad"] = "adam"
    learning_rate: float = Field(1e-3, gt=0)
    seed: int = 0
    threads: Optional[int] = Field(None, ge=1)  # CPU threads; all cores when not set
    accelerator: Literal["auto", "cpu", "gpu", "mps"] = "auto"
    # Data-parallel training (see train/distributed.py): processes per machine (GPUs, or CPU processes), machines,
    # and Lightning's strategy (auto: ddp when devices x num_nodes > 1). batch_size stays the global batch.
    devices: int = Field(1, ge=1)
    num_nodes: int = Field(1, ge=1)
    strategy: Literal["auto", "ddp", "ddp_find_unused_parameters_true"] = "auto"
    # MLflow tracking URI (sqlite:///mlflow.db, http://host:5000, ...): the run's parameters, metrics and saved
    # model are recorded there (needs the mlflow extra). TensorBoard and CSV logs always go to RUN_DIR/logs/.
    mlflow: Optional[str] = None
    # plateau: x0.5 after 1 flat epoch; cosine or linear: down to 0 at the last step (linear: fastText's)
    lr_schedule: Literal["constant", "plateau", "cosine", "linear"] = "constant"
    warmup_epochs: float = Field(0.0, ge=0)  # learning rate rises linearly from 0 over these epochs
    # Models trained on different folds and averaged. auto: 5 for a table (mlp, lightgbm, linear) of under 5,000
    # rows without a --valid file, where one small validation split makes early stopping noisy; else 1.
    ensemble: Union[Literal["auto"], Annotated[int, Field(ge=1)]] = "auto"
    # seconds for the whole training; model auto shares it among its candidates
    time_limit: Optional[float] = Field(None, gt=0)
    # model auto: which candidates, and so how much time when time_limit is not set (see train/search.py)
    preset: Literal["fast", "balanced", "best"] = "balanced"


class StoppingConfig(Section):
    """Early stopping: stop when `monitor` has not improved by `min_delta` for `patience` epochs."""

    enabled: bool = True
    monitor: str = "val_loss"  # any logged metric: val_loss, val_accuracy, train_loss, ...
    mode: Literal["auto", "min", "max"] = "auto"  # auto: min for a loss, max for anything else
    patience: int = Field(2, ge=0)
    min_delta: float = Field(0.0, ge=0)
    restore_best: bool = True  # with early stopping: end with the weights of the best epoch by `monitor`

    @property
    def direction(self) -> str:
        return self.mode if self.mode != "auto" else ("min" if "loss" in self.monitor else "max")


class RegularizationConfig(Section):
    """Defenses against overfitting besides dropout (model section) and early stopping (stopping section)."""

    l1: float = Field(0.0, ge=0)  # loss += l1 * sum |w| over weight matrices (not biases, not embeddings)
    l2: float = Field(0.0, ge=0)  # loss += l2 * sum w^2 over the same weights, as Keras's kernel_regularizer
    weight_decay: float = Field(0.0, ge=0)  # decoupled (AdamW-style) decay of every weight matrix
    class_weight: Literal["none", "balanced"] = "none"  # balanced: loss weights n / (classes * count)
    label_smoothing: float = Field(0.0, ge=0, lt=1)  # targets move this far towards uniform
    gradient_clip: Optional[float] = Field(None, gt=0)  # clip the gradients' global norm to this


class TuneConfig(Section):
    """`trainwright tune`: what is searched, besides each model's default space (see train/tune_space.py)."""

    # {"section.key": [choices] or {low, high, log, step}}, e.g. {"train.learning_rate": {low: 1.0e-4,
    # high: 1.0e-2, log: true}, "model.name": [cnn, linear]}; an entry replaces the model's default for that key
    space: dict[str, Any] = {}


# The cleaning section: how missing values, outliers, duplicate rows and text are cleaned before training, and
# replayed at prediction time (clean/).
NumericStrategy = Literal["drop_row", "constant", "mean", "median", "most_frequent", "ffill", "bfill",
                          "interpolate", "knn", "iterative"]
CategoricalStrategy = Literal["drop_row", "constant", "most_frequent"]
MISSING_CATEGORY = "__missing__"  # the category a missing value becomes under the `constant` strategy


class TextCleaningConfig(Section):
    nfkc: bool = True  # Unicode NFKC: full-width letters and digits, ligatures -> their plain forms
    html: bool = True  # strip tags, unescape entities (&amp; -> &)
    urls: bool = True  # replace each URL by " [URL] "
    emails: bool = True  # replace each e-mail address by " [EMAIL] "
    numbers: bool = False  # replace each number by " [NUM] "
    whitespace: bool = True  # collapse runs of whitespace into one space, strip both ends


class CleaningConfig(Section):
    # Missing values (after disguised ones such as `?` or an impossible 0 are recognized, see `sentinels`).
    missing: NumericStrategy = "median"  # numeric columns; ffill/bfill/interpolate follow the file's row order
    missing_categorical: CategoricalStrategy = "constant"  # constant: a missing value is its own category
    missing_columns: dict[str, NumericStrategy] = {}  # per-column overrides, e.g. {insulin: knn}
    fill_value: Optional[Union[float, str]] = None  # for `constant`; None: 0 for numbers, "__missing__" else
    # A <col>__missing feature per column with missing values; auto: only columns >= 5% missing. Off by default:
    # on Pima and horse colic the indicators cost accuracy (benchmarks/README.md).
    missing_indicator: Union[Literal["auto"], bool] = False
    knn_neighbors: int = Field(5, ge=1)  # neighbours averaged by the knn strategy
    sentinels: bool = True  # placeholders (`?`, `NA`, `-`) and implausible numbers (0, -1, 999) are missing

    # Outliers in numeric columns, by fences fitted on the training data. keep: part-time and long hours are
    # real, and 3 x IQR fences flatten them (the doctor reports outliers; the networks scale robustly).
    outliers: Literal["keep", "clip", "drop", "as_missing"] = "keep"  # drop: training rows only; clip when predicting
    outlier_method: Literal["iqr", "zscore"] = "iqr"  # iqr: quartile fences; zscore: robust (median, MAD)
    outlier_factor: Optional[float] = Field(None, gt=0)  # None: 3.0 x IQR (conservative), or 3.5 robust z

    # Duplicate and contradictory training rows (compared over the input columns and the label).
    duplicates: Literal["keep", "drop"] = "drop"  # drop exact duplicates
    # Same inputs, different labels (classification only): majority keeps the most common label, drops ties.
    conflicts: Literal["keep", "drop", "majority"] = "majority"

    text: TextCleaningConfig = TextCleaningConfig()


# The candidates of a forecast run: the statistical baselines are fit per series (forecast/baselines.py),
# combination is the median of ets, arima and theta (from their own fits: it costs nothing more); nbeats (its
# keys in the model section), lightgbm and lstm are each one model trained across all series
# (train/forecast_learned.py), left out of a series too short for their lookback. Together they cover what the
# benchmarks found best: per-series choice among the baselines and the learned models, which win on some
# series and lose on others.
FORECAST_MODELS = ("naive", "seasonal_naive", "ets", "arima", "theta", "combination", "nbeats", "lightgbm", "lstm")
# the LSTM only when asked for (--model ...,lstm): alone it scored no better than seasonal naive on the classic
# panel and took the longest to train (benchmarks/README.md, "Forecasting")
DEFAULT_FORECAST_MODELS = FORECAST_MODELS[:-1]


class ForecastConfig(Section):
    """data.task forecast: how the series are read (data.target is the values), backtested and forecast."""

    horizon: Optional[int] = Field(None, ge=1)  # periods forecast; required for a forecast run
    season_length: Union[Literal["auto"], Annotated[int, Field(ge=1)]] = "auto"  # auto: from each series' frequency
    # levels forecast besides the point; 0.1 and 0.9 bound the 80% interval scored as coverage
    quantiles: list[Annotated[float, Field(gt=0, lt=1)]] = Field([0.1, 0.5, 0.9], min_length=1)
    backtest: int = Field(3, ge=1)  # rolling-origin windows of `horizon` at the end of each series, for the choice
    fill: Literal["interpolate", "ffill", "zero", "none"] = "interpolate"  # missing periods and values
    duplicates: Literal["mean", "sum", "last", "error"] = "mean"  # timestamps repeated in a series
    id: Optional[str] = None  # column naming each series; inferred when not set (none: one series)
    time: Optional[str] = None  # time column; inferred when not set
    models: list[Literal[FORECAST_MODELS]] = Field(list(DEFAULT_FORECAST_MODELS), min_length=1)  # candidates
    covariates: list[str] = []  # numeric columns whose past values the lightgbm candidate reads as lags


class RunConfig(Section):
    data: DataConfig = DataConfig()
    clean: CleaningConfig = CleaningConfig()
    tokenizer: TokenizerConfig = TokenizerConfig()
    model: ModelConfig = AutoModel()  # one class per model (model_config.py)
    train: TrainConfig = TrainConfig()
    stopping: StoppingConfig = StoppingConfig()
    regularization: RegularizationConfig = RegularizationConfig()
    tune: TuneConfig = TuneConfig()
    forecast: ForecastConfig = ForecastConfig()

    def use_model(self, name: str) -> RunConfig:
        """Switch to model `name`, keeping the model keys set so far (see switch_model); its other keys take its
        defaults. The name counts as not set by the user: it is the run's choice."""
        self.model = switch_model(self.model, name)
        return self

    def frozen(self) -> RunConfig:
        """A deep copy that refuses assignment in every section, nested ones included: a run's resolved
        configuration (train/resolve.py), which every stage reads and the saved model keeps."""
        config = self.model_copy(deep=True)
        config._set_frozen(True)
        return config

    def thawed(self) -> RunConfig:
        """A deep copy that can be changed, frozen or not: where a resolution or a derived copy is built."""
        config = self.model_copy(deep=True)
        config._set_frozen(False)
        return config

    def derive(self, changes: dict[str, Any]) -> RunConfig:
        """A frozen copy with `changes` made; this configuration is left as it is. `changes` maps a section to
        {key: value} (set as assignment sets them: explicitly) or to a whole section, e.g. {"data": {"task":
        "binary"}, "model": section}; {"model": {"name": ...}} switches the model as use_model does. What was set
        by the user stays so, and a preset value stays a default (models/presets.py)."""
        config = self.thawed()
        for name, values in changes.items():
            if name not in type(self).model_fields:
                raise ConfigError(f"derive: no section '{name}' in the run configuration; sections: "
                                  f"{', '.join(type(self).model_fields)}.")
            if isinstance(values, Section):
                section = values.model_copy(deep=True)
                section._set_frozen(False)
                setattr(config, name, section)
                continue
            values = dict(values)
            if name == "model" and "name" in values:
                config.use_model(values.pop("name"))
            for key, value in values.items():
                setattr(getattr(config, name), key, value)
        return config.frozen()


def build_config(file: Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> RunConfig:
    """Read `file` (YAML) if given, apply `overrides` ({section: {key: value}}, None values skipped), validate."""
    raw: dict[str, Any] = {}
    source = "config"
    if file is not None:
        source = str(file)
        try:
            raw = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(f"Config file {file} does not exist.") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"{file} is not valid YAML: {e}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{file}: expected a mapping of sections ({', '.join(RunConfig.model_fields)}).")
    for section, values in (overrides or {}).items():
        current = raw.get(section, {})
        if not isinstance(current, dict):
            continue  # validation reports the section's bad value
        merged = dict(current)
        merged.update({k: v for k, v in values.items() if v is not None})
        raw[section] = merged
    return validate_config(raw, source)


def validate_config(raw: dict[str, Any], source: str = "config") -> RunConfig:
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as e:
        raise ConfigError("\n".join(_describe(err, source) for err in e.errors())) from None


def saved_config(raw: dict[str, Any], source: str) -> RunConfig:
    """A saved run's config.json, including one saved before the model section had one class per model."""
    if isinstance(raw, dict) and "model" in raw:
        raw = {**raw, "model": saved_model_section(raw["model"])}
    return validate_config(raw, source)


def _describe(err: dict[str, Any], source: str) -> str:
    loc = [str(part) for part in err["loc"]]
    if loc[:1] == ["model"] and len(loc) > 1:  # the model's own class (a union member) is the second part
        if loc[1] != "auto" and err["type"] == "extra_forbidden":
            return _not_for_model(loc[1], loc[-1], source)
        loc = ["model", *loc[2:]]
    if loc == ["model"] and err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        names = ", ".join(MODEL_CONFIGS)
        if not isinstance(err["input"], dict):
            return (f"{source}: bad value for 'model' ({err['input']!r}): expected a section such as {{name: lstm}}, "
                    f"with a name among {names}.")
        given = err["input"].get("name")
        return f"{source}: bad value for 'model.name' ({given!r}): not a model. Valid names: {names}."
    key = ".".join(loc)
    if err["type"] == "extra_forbidden":
        model = RunConfig
        for part in loc[:-1]:
            model = AutoModel if part == "model" else model.model_fields[part].annotation
        valid = list(model.model_fields)
        where = f"section [{'.'.join(loc[:-1])}]" if len(loc) > 1 else "the top level"
        close = difflib.get_close_matches(loc[-1], valid, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"{source}: unknown key '{loc[-1]}' in {where}.{hint} Valid keys: {', '.join(valid)}."
    return f"{source}: bad value for '{key}' ({err.get('input')!r}): {err['msg']}."


def _not_for_model(name: str, key: str, source: str) -> str:
    valid = list(MODEL_CONFIGS[name].model_fields)
    if key in AutoModel.model_fields:
        readers = [other for other, section in MODEL_CONFIGS.items() if other != "auto" and key in section.model_fields]
        return (f"{source}: key '{key}' in section [model] does not apply to model {name}. Keys of model {name}: "
                f"{', '.join(valid)}. Remove it, or choose a model that reads it ({', '.join(readers)}).")
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{source}: unknown key '{key}' in section [model] for model {name}.{hint} Valid keys: {', '.join(valid)}."
