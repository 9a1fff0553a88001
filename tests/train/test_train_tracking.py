"""Every `trainwright train` run leaves CSV and TensorBoard logs in RUN_DIR/logs/; --mlflow records it in MLflow."""

from __future__ import annotations

import csv
import importlib.util
import struct

import pytest

import trainwright
from trainwright.train import tracking


def _config(tiny_config, **train):
    config = tiny_config.model_copy(deep=True)
    config.model.name = "lstm"
    config.train.epochs = 3
    config.stopping.enabled = False
    for key, value in train.items():
        setattr(config.train, key, value)
    return config


def _tensorboard_scalars(folder) -> dict[str, list[int]]:
    """{tag: [steps]} from TensorBoard event files (TFRecord: length, crc, Event proto, crc)."""
    from tensorboardX.proto import event_pb2

    scalars: dict[str, list[int]] = {}
    for path in folder.glob("events.out.tfevents.*"):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            event = event_pb2.Event.FromString(data[offset + 12:offset + 12 + length])
            offset += 12 + length + 4
            for value in event.summary.value:
                scalars.setdefault(value.tag, []).append(event.step)
    return scalars


def test_a_run_leaves_csv_and_tensorboard_logs_in_its_folder(tmp_path, reviews_csv, tiny_config):
    result = trainwright.train(reviews_csv, out=tmp_path / "run", config=_config(tiny_config))
    logs = result.path / "logs"
    with open(logs / "metrics.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert [float(r["val_loss"]) for r in rows] == [r["val_loss"] for r in result.history]
    assert {"train_loss", "train_accuracy", "val_accuracy", "seconds"} <= set(rows[0])

    scalars = _tensorboard_scalars(logs / "tensorboard")
    for tag in ("train_loss", "val_loss", "val_accuracy"):
        assert len(scalars[tag]) == 3, tag  # one point per epoch
    # the atomic save is intact: the model folder holds the logs; no checkpoint or staging folder is left
    assert not (result.path / "checkpoint").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    trainwright.load(result.path)


def test_a_new_run_in_the_same_folder_replaces_the_logs(tmp_path, reviews_csv, tiny_config):
    trainwright.train(reviews_csv, out=tmp_path / "run", config=_config(tiny_config))
    result = trainwright.train(reviews_csv, out=tmp_path / "run", config=_config(tiny_config, epochs=2))
    scalars = _tensorboard_scalars(result.path / "logs" / "tensorboard")
    assert len(scalars["val_loss"]) == 2
    assert len((result.path / "logs" / "metrics.csv").read_text().splitlines()) == 3


def test_mlflow_missing_is_a_clear_error_before_training(tmp_path, reviews_csv, tiny_config, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(tracking.importlib.util, "find_spec", lambda name, *a: None if name == "mlflow"
                        else real(name, *a))
    with pytest.raises(trainwright.ConfigError, match=r"pip install 'trainwright\[mlflow\]'"):
        trainwright.train(reviews_csv, out=tmp_path / "run",
                          config=_config(tiny_config, mlflow=f"sqlite:///{tmp_path}/mlflow.db"))
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(importlib.util.find_spec("mlflow") is None, reason="mlflow is not installed")
def test_mlflow_records_parameters_metrics_and_the_model(tmp_path, reviews_csv, tiny_config, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)  # where a local MLflow store puts its artifacts (./mlruns)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    result = trainwright.train(reviews_csv, out=tmp_path / "run", test=reviews_csv,
                               config=_config(tiny_config, mlflow=uri))
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("trainwright").experiment_id])
    assert run.info.status == "FINISHED" and run.info.run_name == "run"
    assert run.data.params["train.learning_rate"] == "0.01" and run.data.params["model.name"] == "lstm"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "val_loss")] == [1, 2, 3]
    assert run.data.metrics["valid_accuracy"] == result.metrics["valid"]["accuracy"]
    assert "test_accuracy" in run.data.metrics
    saved = {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    assert {"model/weights.safetensors", "model/metrics.json", "model/logs"} <= saved
