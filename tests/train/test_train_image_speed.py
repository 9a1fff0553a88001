"""The CPU settings that make image training fast: bf16 autocast for the image CNN where the CPU has bf16
instructions (and only there, only for models that ask), deterministic under the seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import trainwright
from trainwright.models import build_model, model_sizes
from trainwright.models.inputs import EncodedInputs
from trainwright.train import trainer
from trainwright.train.trainer import Trainer, precision


def image_cnn():
    config = trainwright.build_config(overrides={"model": {"name": "resnet", "widths": [8, 16]}})
    return build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 3))


def test_the_image_cnn_trains_in_bf16_on_a_bf16_cpu_only(monkeypatch):
    monkeypatch.setattr(trainer, "cpu_has_bf16", lambda: True)
    assert precision(image_cnn(), "cpu") == "bf16-mixed"
    assert precision(nn.Linear(3, 2), "cpu") == "32-true"  # models that do not ask stay in float32
    monkeypatch.setattr(trainer, "cpu_has_bf16", lambda: False)  # emulated bf16 would be slower
    assert precision(image_cnn(), "cpu") == "32-true"


def test_a_gpu_run_keeps_its_precision(monkeypatch):
    monkeypatch.setattr(trainer, "cpu_has_bf16", lambda: True)
    assert precision(image_cnn(), "gpu") == "32-true"


def train_once() -> dict:
    rng = np.random.default_rng(0)
    images, classes = rng.integers(0, 256, (96, 1, 16, 16)).astype(np.uint8), rng.integers(0, 3, 96)
    config = trainwright.build_config(overrides={"model": {"name": "resnet", "widths": [8, 16], "flip": True},
                                                 "train": {"threads": 1, "epochs": 1, "batch_size": 32,
                                                           "accelerator": "cpu"}})
    torch.manual_seed(0)
    model = build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 3))
    train, valid = EncodedInputs(None, None, None, images[:64]), EncodedInputs(None, None, None, images[64:])
    Trainer(config).fit(model, "multiclass", train, classes[:64], valid, classes[64:], None)
    return model.state_dict()


@pytest.mark.skipif(not trainer.cpu_has_bf16(), reason="the CPU has no bf16 instructions")
def test_bf16_training_is_deterministic_under_the_seed_and_keeps_float32_weights():
    first, second = train_once(), train_once()
    assert all(torch.equal(first[key], second[key]) for key in first)
    assert {w.dtype for w in first.values() if w.is_floating_point()} == {torch.float32}
