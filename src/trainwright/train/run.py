"""A training run: read the data, fit the preprocessing, train, validate, and save the artifact. What to train
is decided here (one model, auto's search among candidates, or streaming); how is in fitting.py and trainer.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..artifact import Artifact, fingerprint, save_artifact
from ..config import RunConfig
from ..destination import check_folder, claim_folder
from ..data import infer_roles, read_table
from ..data.layout import Layout
from ..data.examples import Examples, labeled_examples
from ..data.target import TargetEncoder, warn_of_case_variants
from ..errors import ConfigError
from ..evaluate.evaluation import evaluate_examples
from ..log import logger
from . import distributed, streamed, tracking
from .bagging import ensemble_size
from .columns import check_inputs, named_columns, read_labeled, report_roles
from .fitting import fit_model
from .forecasting import train_forecast
from .images import data_fingerprint, is_image_data, left_out_record, prepare_images, read_image_examples
from .process import setup
from .resolve import located_pretrained, resolve
from .search import search
from .settings import as_config, tell_unused_settings
from .table_search import search_table
from .trainer import Checkpoints

if TYPE_CHECKING:  # Lightning loads only for gradient training: it takes seconds to import
    import lightning as L


@dataclass
class TrainResult:
    path: Path
    metrics: dict
    history: list
    # False in the other processes of a data-parallel run: they trained alongside; rank 0 saved the model at path
    main_process: bool = True


def train(data: str | Path, *, valid: str | Path | None = None, test: str | Path | None = None,
          out: str | Path = "runs/latest", config: RunConfig | str | Path | None = None,
          resume: bool = False) -> TrainResult:
    """Train a model on the labeled table `data` and save it to `out`. See `trainwright train --help`.

    While it trains, `out/checkpoint/` holds the last epoch's checkpoint; `resume=True` continues from it
    (same data and settings), ending with the same metrics as a run that was never interrupted."""
    config = as_config(config)
    if config.data.task == "forecast":  # a time-series file: validated on backtests, see forecasting.py
        return _forecast(data, valid, test, out, config, resume)
    check_folder(out, "model")  # a folder that is not ours is refused before any work
    streamed_run = streamed.wanted(data, config)
    if streamed_run:
        setup(config)
        artifact, roles = streamed.fit_streamed(Path(data), valid, config,
                                                lambda resolved: Checkpoints(claim_folder(out, "model") / "checkpoint",
                                                                             resolved, resume))
        config = artifact.config
    else:
        config, roles, examples, target = prepare(data, config)
        tracking.check(config)
        valid_set = _read_labeled(valid, roles, config, examples) if valid is not None else None
        checkpoints = Checkpoints(claim_folder(out, "model") / "checkpoint", config, resume)
        artifact = fit_artifact(examples, roles, target, config, valid_set, (str(data), str(valid or data)),
                                checkpoints)
        if distributed.is_main_process():
            rows = artifact.metrics["training"]["n_train"]
            artifact.data = {"train": data_fingerprint(data, rows) if roles.image else fingerprint(data, rows)}
    if not distributed.is_main_process():  # data-parallel: rank 0 alone evaluates and writes
        return TrainResult(path=Path(out).resolve(), metrics=artifact.metrics, history=artifact.history,
                           main_process=False)
    if test is not None:
        test_set = _read_labeled(test, roles, config, None if streamed_run else examples)
        artifact.metrics["test"] = evaluate_examples(artifact.predictor(), test_set, str(test))
    if getattr(roles, "image", None):  # after --test: its files left out are recorded too
        artifact.metrics["images"] = left_out_record(examples.images)
    path = save_artifact(artifact, out)
    tracking.publish(config.train.mlflow, path, artifact.config, artifact.metrics, artifact.history,
                     artifact.model_name)
    return TrainResult(path=path, metrics=artifact.metrics, history=artifact.history)


def _forecast(data, valid, test, out, config: RunConfig, resume: bool) -> TrainResult:
    given = [name for name, value in (("valid", valid), ("test", test), ("resume", resume)) if value]
    if given:
        raise ConfigError(f"{', '.join(given)} apply to a labeled table; a forecast is validated on backtests inside "
                          "each series (forecast.backtest): leave them out with task forecast.")
    run = train_forecast(data, out=out, config=config)
    return TrainResult(path=run.path or Path(out).resolve(), metrics={"leaderboard": run.record.get("leaderboard", [])},
                       history=[], main_process=run.main_process)  # rank 0 alone saves a torchrun/srun launch


def prepare(data: str | Path, config: RunConfig | str | Path | None):
    """Read the training table, infer its columns and target, and resolve the run's settings from them: the
    configuration returned is a new, frozen one (resolve.py); `config` is left as it is. Images (a folder, a zip,
    a table of image paths) are read by images.py."""
    config = as_config(config)
    if is_image_data(data):
        return prepare_images(data, config)
    setup(config)
    dcfg = config.data
    frame = read_table(data, dcfg.encoding, Layout.of(dcfg))
    roles = report_roles(infer_roles(frame, str(data), dcfg.target, dcfg.text, dcfg.features))
    examples = labeled_examples(frame, roles.text, roles.target, str(data), roles.numeric + roles.categorical)
    target = TargetEncoder(dcfg.task, dcfg.label_separator).fit(examples.target, str(data))
    if target.task_ in ("binary", "multiclass"):
        warn_of_case_variants(examples.target, str(data))
    model = _model_for(roles) if config.model.name == "auto" else config.model.name
    if model == "linear" and not roles.text and (roles.numeric or roles.categorical):
        logger.info("model linear on table columns: logistic regression (ridge for numbers) on the scaled numbers "
                    "and one-hot categories, saved as table_linear")
        model = "table_linear"
    check_inputs(model, roles, str(data))
    resolved = resolve(config, roles, task=target.task_, model=model, column_names=named_columns(frame),
                       locate_pretrained=False)
    tell_unused_settings(resolved)
    return located_pretrained(resolved), roles, examples, target


def fit_artifact(examples: Examples, roles, target: TargetEncoder, config: RunConfig,
                 valid_set: Examples | None, sources: tuple[str, str], checkpoints=None,
                 callbacks: Sequence[L.Callback] = ()) -> Artifact:
    """Fit the preprocessing and the model on `examples`, validate, and return the (unsaved) artifact with its
    validation metrics and training figures: the model named in `config`, or for auto the best of its
    candidates. `callbacks` join the trainer's own (a single model only: e.g. `trainwright tune`'s pruning
    callback)."""
    if config.model.name != "auto":
        return fit_model(examples, roles, target, config, valid_set, sources, checkpoints, callbacks)
    distributed.check(config, ensemble_size(config, config.model.name, len(examples), valid_set))
    if not roles.text:
        return search_table(examples, roles, target, config, valid_set, sources)
    return search(examples, roles, target, config, valid_set, sources, checkpoints)


def _read_labeled(path, roles, config: RunConfig, examples: Examples | None) -> Examples:
    """--valid or --test, read as the training data was: a table, or images at the training images' size."""
    if getattr(roles, "image", None) and examples is not None:
        return read_image_examples(path, examples.images, config)
    return read_labeled(path, roles, config)


def _model_for(roles) -> str:
    """auto for text alone (candidates are searched, see search.py) and for a table alone (table_search.py);
    lstm+mlp for both."""
    if roles.text and (roles.numeric or roles.categorical):
        return "lstm+mlp"
    return "auto"
