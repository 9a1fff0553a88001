"""A time limit with a decaying learning rate plans the epochs that fit in it, so the decay ends inside the limit
on a validated epoch; the diagnosis reads the planned epochs, and an image run hands training what reading the
images left of the limit."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

import trainwright
from conftest import make_reviews
from trainwright.data.schema import ColumnRoles
from trainwright.evaluate.diagnosis import diagnose
from trainwright.train import callbacks
from trainwright.train.callbacks import EpochsWithinTimeLimit
from trainwright.train.images import MAX_EPOCHS, RESERVE, _image_schedule
from trainwright.train.resolve import resolve


class FakeModule:
    def __init__(self):
        self.plans = []

    def plan_epochs(self, epochs, steps_per_epoch):
        self.plans.append((epochs, steps_per_epoch))


class FakeTrainer:
    """What the callback reads of Lightning's Trainer: 10 batches an epoch, one process."""

    def __init__(self, max_epochs: int):
        self.current_epoch, self.num_training_batches, self.accumulate_grad_batches = 0, 10, 1
        self.strategy = SimpleNamespace(broadcast=lambda value, src=0: value)
        self.fit_loop = SimpleNamespace(max_epochs=max_epochs)

    @property
    def max_epochs(self) -> int:
        return self.fit_loop.max_epochs


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(callbacks.time, "monotonic", clock)
    return clock


def run_epochs(plan, trainer, module, clock, seconds_each):
    """Run epochs of the given lengths through the callback; the trainer's max_epochs after each."""
    seen = []
    for seconds in seconds_each:
        clock.now += seconds
        plan.on_train_epoch_end(trainer, module)
        seen.append(trainer.fit_loop.max_epochs)
        trainer.current_epoch += 1
    return seen


def test_the_plan_fits_the_epochs_in_the_limit_and_the_decay_to_them(clock):
    trainer, module, plan = FakeTrainer(30), FakeModule(), EpochsWithinTimeLimit(100)
    plan.on_train_start(trainer, module)
    # 10 s an epoch, planned 5% slower: 1 + 90 // 10.5 = 9 epochs
    assert run_epochs(plan, trainer, module, clock, [10.0]) == [9]
    assert module.plans == [(9, 10)]
    # faster epochs lengthen the plan only by a tenth or more: 9 -> 12, not 12 -> 13
    assert run_epochs(plan, trainer, module, clock, [5.0]) == [12]  # 2 + 85 // 7.875
    assert run_epochs(plan, trainer, module, clock, [7.0]) == [12]  # 3 + 78 // 7.7 = 13 < 12 * 1.1
    # a slower one shortens it at once
    assert run_epochs(plan, trainer, module, clock, [30.0]) == [7]  # 4 + 48 // 13.65
    assert module.plans[-1] == (7, 10)


def test_a_plan_never_ends_before_the_epoch_just_run_nor_past_the_configured_epochs(clock):
    trainer, module, plan = FakeTrainer(4), FakeModule(), EpochsWithinTimeLimit(1000)
    plan.on_train_start(trainer, module)
    assert run_epochs(plan, trainer, module, clock, [1.0]) == [4]  # 4 configured: not more
    assert module.plans == []
    trainer, module, plan = FakeTrainer(4), FakeModule(), EpochsWithinTimeLimit(5)
    plan.on_train_start(trainer, module)
    assert run_epochs(plan, trainer, module, clock, [8.0]) == [1]  # over the limit already: this one is the last


def test_a_time_limited_run_ends_on_its_planned_epoch_with_the_decay_done(tmp_path):
    path = tmp_path / "reviews.csv"
    make_reviews(200).to_csv(path, index=False)
    overrides = {"model": {"name": "lstm", "embedding_dim": 8, "hidden_size": 8},
                 "train": {"threads": 1, "epochs": 1000, "time_limit": 4, "lr_schedule": "cosine"},
                 "stopping": {"enabled": False}}
    run = trainwright.train(path, out=tmp_path / "run", config=trainwright.build_config(overrides=overrides))
    history = json.loads((run.path / "history.json").read_text())
    planned = history[-1]["epochs_planned"]
    assert len(history) == planned < 1000  # it stopped where it planned to, not at the limit mid-epoch
    assert sum(row["seconds"] for row in history) < 4 * 1.5


def test_the_diagnosis_reads_the_planned_epochs_not_the_configured_ones():
    rows = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.1 / e, "train_accuracy": 0.5 + e / 40,
             "val_accuracy": 0.5 + e / 45, "epochs_planned": 8} for e in range(1, 9)]
    config = {"model": {"name": "resnet"}, "train": {"epochs": 30},
              "stopping": {"enabled": True, "patience": 8, "restore_best": True}}
    facts = diagnose(rows, {}, config).facts
    assert facts["settings"]["max_epochs"] == 8
    assert not facts["members"][0]["stopped_early"]


def resnet_run(**train):
    config = trainwright.build_config(overrides={"model": {"name": "resnet"}, "train": train})
    roles = ColumnRoles(target="label", text=[], image=["image"])
    return config, resolve(config, roles, task="multiclass", model="resnet")


def test_an_image_run_trains_in_what_reading_left_of_the_limit(tw_log):
    config, resolved = resnet_run(time_limit=600)
    schedule = _image_schedule(resolved, config, 50_000, spent=30.0)
    assert schedule.train.time_limit == pytest.approx(600 * (1 - RESERVE) - 30.0)
    assert schedule.train.epochs == MAX_EPOCHS  # as many as fit, up to the cap
    assert "540 s left to train" in tw_log.text
    config, resolved = resnet_run()
    unlimited = _image_schedule(resolved, config, 50_000, spent=30.0)
    assert unlimited.train.time_limit is None and unlimited.train.epochs == resolved.train.epochs < MAX_EPOCHS
    config, resolved = resnet_run(time_limit=600, epochs=3)
    assert _image_schedule(resolved, config, 50_000, spent=30.0).train.epochs == 3  # --epochs is kept


def test_a_small_set_trains_the_cnn_long_enough_but_fine_tunes_a_pretrained_network_briefly(tw_log):
    config, resolved = resnet_run()
    small = _image_schedule(resolved, config, 1_000, spent=0.0)
    assert small.train.batch_size == 20 and small.train.epochs == MAX_EPOCHS  # 45 steps an epoch
    config = trainwright.build_config(overrides={"model": {"name": "efficientnet_lite0"}})
    roles = ColumnRoles(target="label", text=[], image=["image"])
    resolved = resolve(config, roles, task="multiclass", model="efficientnet_lite0")
    assert _image_schedule(resolved, config, 1_000, spent=0.0).train.epochs == resolved.train.epochs == 5
