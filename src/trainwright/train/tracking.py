"""Run tracking: TensorBoard and CSV logs in the saved model's logs/ folder, and optionally an MLflow run.

    logs/metrics.csv       one row per epoch (per model and epoch for an ensemble): the history's figures
    logs/tensorboard/      TensorBoard event files (Lightning's TensorBoardLogger; tensorboardX writes them when
                           tensorboard itself is not installed): `tensorboard --logdir RUN_DIR/logs`

While a run trains, its TensorBoard events go to RUN_DIR/checkpoint/logs/ (the in-progress run's folder, kept
for --resume); saving the model copies them into the staging folder before it is renamed into place, so the
swap stays atomic and a failed run leaves the previous model and its logs untouched.

`train.mlflow` (`--mlflow URI`) also records the run in MLflow once the model is saved: the configuration as
parameters, each epoch's figures and the final validation/test metrics, and the model directory as artifacts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from pathlib import Path

from ..artifact import LOGS, TENSORBOARD
from ..errors import ConfigError, TrainwrightError
from ..log import logger

EXPERIMENT = "trainwright"  # MLflow experiment, unless MLFLOW_EXPERIMENT_NAME says otherwise


def check(config) -> None:
    """Fail before training, not after, when MLflow is asked for and missing."""
    if config.train.mlflow and importlib.util.find_spec("mlflow") is None:
        raise ConfigError("--mlflow needs MLflow, which is not installed: pip install 'trainwright[mlflow]' "
                          "(mlflow-skinny), or leave out --mlflow / train.mlflow.")


def trainer_loggers(checkpoints) -> list | bool:
    """Lightning loggers for a run that keeps checkpoints (`trainwright train` of a single model): TensorBoard
    events in its checkpoint folder, copied into the model when it is saved (artifact.save_artifact). False (no
    logger) otherwise."""
    if checkpoints is None:
        return False
    from lightning.pytorch.loggers import TensorBoardLogger

    from .distributed import launch_rank

    live = Path(checkpoints.directory) / LOGS
    if not checkpoints.resume and launch_rank() == 0:
        shutil.rmtree(live, ignore_errors=True)  # an earlier, abandoned run's events
    return [TensorBoardLogger(save_dir=str(live), name=TENSORBOARD, version="", default_hp_metric=False)]


def publish(uri: str | None, directory: Path, config, metrics: dict, history: list[dict],
            model_name: str) -> str | None:
    """Record a saved model in MLflow at tracking `uri`; returns the run id (None without a uri)."""
    if not uri:
        return None
    try:
        from mlflow.entities import Metric, Param
        from mlflow.tracking import MlflowClient
    except ImportError:
        check(config)
        raise
    name = os.environ.get("MLFLOW_EXPERIMENT_NAME", EXPERIMENT)
    try:
        client = MlflowClient(tracking_uri=uri)
        experiment = client.get_experiment_by_name(name)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(name)
        run = client.create_run(experiment_id, run_name=directory.name,
                                tags={"trainwright.model": model_name, "trainwright.directory": str(directory)})
    except Exception as e:  # e.g. a server that is down, or MLflow 3 refusing a plain folder (use sqlite:///...)
        raise TrainwrightError(f"The model is saved in {directory}, but MLflow at {uri} could not record the run: "
                               f"{e}") from None
    run_id = run.info.run_id
    try:
        params = [Param(key, str(value)[:500]) for key, value in _flat(json.loads(config.model_dump_json()))]
        now = int(time.time() * 1000)
        series = []  # step: the epoch; an ensemble's members each get their own series (model2_val_loss, ...)
        for row in history:
            prefix = f"model{row['model']}_" if "model" in row else ""
            series += [Metric(prefix + key, float(value), now, int(row["epoch"])) for key, value in row.items()
                       if key not in ("epoch", "model") and _number(value)]
        final = [Metric(f"{split}_{key}", float(value), now, 0)
                 for split in ("valid", "test") for key, value in metrics.get(split, {}).items()
                 if _number(value)]
        for start in range(0, len(params), 100):
            client.log_batch(run_id, params=params[start:start + 100])
        entries = series + final
        for start in range(0, len(entries), 1000):
            client.log_batch(run_id, metrics=entries[start:start + 1000])
        client.log_artifacts(run_id, str(directory), artifact_path="model")
        client.set_terminated(run_id, "FINISHED")
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    logger.info(f"MLflow: run {run_id} in experiment '{name}' at {uri}")
    return run_id


def _flat(values: dict, prefix: str = ""):
    for key, value in values.items():
        if isinstance(value, dict) and value:
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
