"""A run interrupted mid-training resumes from its last checkpoint and ends exactly as an uninterrupted one."""

import json

import pytest

import trainwright
from conftest import crash_when_epoch_starts


def _config(tiny_config):
    config = tiny_config.model_copy(deep=True)
    config.train.epochs = 4
    config.stopping.enabled = False
    config.model.dropout = 0.3  # dropout draws random masks: the random state must come back too
    return config


def test_resume_after_a_crash_in_epoch_3_equals_an_uninterrupted_run(tmp_path, reviews_csv, tiny_config,
                                                                       monkeypatch):
    whole = trainwright.train(reviews_csv, out=tmp_path / "whole", config=_config(tiny_config))
    assert not (whole.path / "checkpoint").exists()  # a finished run keeps no checkpoint

    undo = crash_when_epoch_starts(monkeypatch, 3)
    with pytest.raises(RuntimeError, match="power cut"):
        trainwright.train(reviews_csv, out=tmp_path / "resumed", config=_config(tiny_config))
    assert (tmp_path / "resumed" / "checkpoint" / "last.ckpt").is_file()
    undo()

    resumed = trainwright.train(reviews_csv, out=tmp_path / "resumed", config=_config(tiny_config), resume=True)
    assert resumed.history[-1]["epoch"] == 4 and len(resumed.history) == 4
    assert [r["val_loss"] for r in resumed.history] == [r["val_loss"] for r in whole.history]
    assert resumed.metrics["valid"] == whole.metrics["valid"]
    saved = json.loads((resumed.path / "metrics.json").read_text())
    assert saved["valid"] == json.loads((whole.path / "metrics.json").read_text())["valid"]


def test_resume_needs_a_checkpoint_and_the_same_settings(tmp_path, reviews_csv, tiny_config):
    with pytest.raises(trainwright.ConfigError, match="Nothing to resume"):
        trainwright.train(reviews_csv, out=tmp_path / "none", config=_config(tiny_config), resume=True)
    checkpoint = tmp_path / "run" / "checkpoint"
    checkpoint.mkdir(parents=True)
    (checkpoint / "last.ckpt").write_bytes(b"")
    (checkpoint / "config.json").write_text(json.dumps(_config(tiny_config).model_dump()))
    other = _config(tiny_config)
    other.train.learning_rate = 0.5
    with pytest.raises(trainwright.ConfigError, match=r"other settings \(.*train\.learning_rate\)"):
        trainwright.train(reviews_csv, out=tmp_path / "run", config=other, resume=True)


def test_each_epoch_sees_a_new_batch_order_set_by_lightning(tmp_path, reviews_csv, tiny_config, monkeypatch):
    from trainwright.train import batching

    orders = []
    original = batching.LengthBucketBatchSampler.__iter__

    def record(self):
        batches = list(original(self))
        orders.append(batches)
        return iter(batches)

    monkeypatch.setattr(batching.LengthBucketBatchSampler, "__iter__", record)
    trainwright.train(reviews_csv, out=tmp_path / "m", config=_config(tiny_config))
    assert len(orders) == 4 and len({str(o) for o in orders}) == 4  # four epochs, four different orders


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Trainer:
    """What EpochCheckpoint asks of Lightning's trainer: a broadcast (one process here) and a save taking 1 s."""

    def __init__(self, clock: _Clock):
        self.clock, self.saves = clock, []
        self.strategy = self

    @staticmethod
    def broadcast(value):
        return value

    def save_checkpoint(self, file):
        self.saves.append(self.clock.now)
        self.clock.now += 1.0


@pytest.mark.parametrize("epoch_seconds, saved_epochs", [(20.0, [1, 2, 3, 4, 5]), (4.0, [1, 4])])
def test_an_epoch_is_saved_when_the_save_costs_under_a_tenth_of_the_training_since_the_last(
        epoch_seconds, saved_epochs):
    from trainwright.train.callbacks import EpochCheckpoint

    clock = _Clock()
    trainer = _Trainer(clock)
    checkpoint, saved = EpochCheckpoint("last.ckpt", clock=clock), []
    for epoch in range(1, 6):
        clock.now += epoch_seconds
        before = len(trainer.saves)
        checkpoint.on_train_epoch_end(trainer, None)
        if len(trainer.saves) > before:
            saved.append(epoch)
    # A save takes 1 s: the first epoch is always saved, then one once 10 s of training have passed since.
    assert saved == saved_epochs
