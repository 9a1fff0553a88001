"""The small residual CNN: its shapes, its limits, and that it learns an image task through the one Trainer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import trainwright
from trainwright.errors import ConfigError
from trainwright.images.augment import AugmentedImages, training_inputs
from trainwright.models import ResNetClassifier, ResNetConfig, build_model, model_sizes
from trainwright.models.inputs import EncodedInputs
from trainwright.train.trainer import Trainer


def bars(n: int, size: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, size, size) uint8 noisy images of three classes: a horizontal bar, a vertical bar, a square, each
    at a random place; and their classes (n,)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, (n, 1, size, size)).astype(np.uint8)
    classes = rng.integers(0, 3, n)
    for image, cls in zip(images, classes):
        top, left = rng.integers(2, size - 8, 2)
        if cls == 0:
            image[0, top, left:left + 8] = 255
        elif cls == 1:
            image[0, top:top + 8, left] = 255
        else:
            image[0, top:top + 4, left:left + 4] = 255
    return images, classes.astype(np.int64)


def small_config(**model):
    return trainwright.build_config(overrides={
        "model": {"name": "resnet", "widths": [8, 16], "dropout": 0.0, **model},
        "train": {"threads": 1, "epochs": 6, "batch_size": 32, "learning_rate": 0.01}})


def test_logits_for_any_size_and_channels():
    for channels, height, width in [(1, 16, 16), (3, 28, 28), (3, 40, 17)]:
        model = ResNetClassifier(ResNetConfig(in_channels=channels, num_outputs=5, widths=[4, 8, 8])).eval()
        assert model(images=torch.rand(2, channels, height, width)).shape == (2, 5)


def test_depth_and_width_come_from_the_config():
    model = ResNetClassifier(ResNetConfig(in_channels=1, num_outputs=3, widths=[4, 8, 16], blocks_per_stage=2))
    assert len(model.stages) == 6
    assert model.head.in_features == 16


def test_images_too_small_or_with_other_channels_are_refused():
    model = ResNetClassifier(ResNetConfig(in_channels=3, num_outputs=2))
    with pytest.raises(ValueError, match=r"at least 16x16 pixels; got a batch of shape \(1, 3, 12, 30\)"):
        model(images=torch.rand(1, 3, 12, 30))
    with pytest.raises(ValueError, match="Expected images of 3 channel"):
        model(images=torch.rand(1, 1, 28, 28))


def test_the_model_section_builds_it_without_the_augmentation_keys():
    config = small_config(flip=False, crop_padding=3)
    sizes = model_sizes("resnet", config.model, {"in_channels": 1, "vocab_size": 9}, 3)
    assert sizes == {"in_channels": 1, "widths": [8, 16], "blocks_per_stage": 1, "dropout": 0.0, "num_outputs": 3}
    assert isinstance(build_model("resnet", **sizes), ResNetClassifier)


def test_text_or_table_data_is_refused_with_what_to_choose():
    with pytest.raises(ConfigError, match=r"model resnet reads images, and this data has text or table columns only"):
        model_sizes("resnet", small_config().model, {"vocab_size": 50}, 2)


@pytest.mark.slow  # ~10 s on a quiet machine, Lightning's import included
def test_it_learns_a_small_image_task_through_the_trainer():
    images, classes = bars(360)
    train, valid = EncodedInputs(None, None, None, images[:240]), EncodedInputs(None, None, None, images[240:])
    config = small_config(flip=True, crop_padding=2)  # mirrors and moves keep each class what it is
    model = build_model("resnet", **model_sizes("resnet", config.model, {"in_channels": 1}, 3))
    inputs = training_inputs(train, config.model, config.train.seed)
    assert isinstance(inputs, AugmentedImages)
    history = Trainer(config).fit(model, "multiclass", inputs, classes[:240], valid, classes[240:], None)
    assert len(history) == 6
    model.eval()
    with torch.no_grad():
        predicted = model(**valid.batch(list(range(len(valid))), None)).argmax(1).numpy()
    assert (predicted == classes[240:]).mean() >= 0.85  # chance is 1/3
