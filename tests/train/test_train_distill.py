"""`distill`: a student learns the teacher's soft labels, on labeled and unlabeled text, and is compared with
it on accuracy and speed."""

import json

import pytest

import trainwright
from conftest import make_reviews

STUDENT = {"train": {"threads": 1, "epochs": 10, "learning_rate": 0.01},
           "model": {"embedding_dim": 16, "num_filters": 8}}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("distill")
    make_reviews(200, seed=3)[["review", "label"]].to_csv(folder / "train.csv", index=False)
    make_reviews(80, seed=4)[["review", "label"]].to_csv(folder / "test.csv", index=False)
    make_reviews(300, seed=5)[["review"]].to_csv(folder / "unlabeled.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def teacher(data, tiny_config):
    """A text-only LSTM (the large model here only by role)."""
    config = tiny_config.model_copy(deep=True)
    config.model.name = "lstm"
    return trainwright.train(data / "train.csv", out=data / "teacher", config=config).path


def test_student_learns_from_the_teacher_and_is_compared_with_it(teacher, data, tmp_path):
    config = trainwright.build_config(overrides=STUDENT)
    result = trainwright.distill(teacher, data / "train.csv", student="cnn", unlabeled=data / "unlabeled.csv",
                                 test=data / "test.csv", out=tmp_path / "student", config=config)
    figures = result.metrics["distillation"]
    assert figures["unlabeled_rows"] == 300 and figures["labeled_rows"] == 180  # 10% held out for validation
    assert result.metrics["training"]["n_train"] == 480
    teacher_test = figures["teacher"]["test"]["accuracy"]
    assert figures["student"]["test"]["accuracy"] >= teacher_test - 0.15
    assert figures["student"]["test"]["accuracy"] > 0.75
    assert figures["teacher"]["predictions_per_s"] > 0 and figures["speedup"] > 0
    assert json.loads((result.path / "model.json").read_text())["name"] == "cnn"
    student = trainwright.load(result.path)
    assert student.target_column == "label" and student.predict(["love it, superb"]).labels == ["pos"]


def test_a_linear_student_is_fitted_by_the_convex_solver_on_the_teachers_probabilities(teacher, data, tmp_path):
    config = trainwright.build_config(overrides={"train": {"threads": 1}})
    result = trainwright.distill(teacher, data / "train.csv", student="linear", unlabeled=data / "unlabeled.csv",
                                 test=data / "test.csv", out=tmp_path / "linear", config=config)
    assert len(result.history) == 1 and result.history[0]["samples"] == 480  # one solve over every row
    assert result.metrics["distillation"]["student"]["test"]["accuracy"] > 0.75
    assert trainwright.load(result.path).predict(["love it, superb"]).labels == ["pos"]


def test_soft_targets_mix_in_the_true_labels_by_alpha():
    import numpy as np

    from trainwright.train.distill import _student_targets

    soft = np.array([[0.8, 0.2], [0.4, 0.6], [0.5, 0.5]])
    truth = np.array([1, 1])  # the third row is unlabeled
    assert np.allclose(_student_targets("binary", soft, truth, 0.0), [0.2, 0.6, 0.5])
    assert np.allclose(_student_targets("binary", soft, truth, 0.5), [0.6, 0.8, 0.5])
    three = np.array([[0.7, 0.2, 0.1]])
    assert np.allclose(_student_targets("multiclass", three, np.array([2]), 1.0), [[0, 0, 1]])


def test_bad_requests_are_clear_errors(teacher, data, tmp_path, cli):
    result = cli("distill", teacher, data / "train.csv", "--student", "pretrained", "--out", tmp_path / "s")
    assert result.code == 3 and "--student pretrained" in result.stderr
    result = cli("distill", teacher, data / "train.csv", "--alpha", "2", "--out", tmp_path / "s")
    assert result.code == 3 and "between 0 and 1" in result.stderr
    make_reviews(20).drop(columns=["review"]).to_csv(tmp_path / "no_text.csv", index=False)
    result = cli("distill", teacher, data / "train.csv", "--unlabeled", tmp_path / "no_text.csv",
                 "--out", tmp_path / "s")
    assert result.code == 2 and "no_text.csv" in result.stderr and "review" in result.stderr


def test_augmented_texts_are_altered_copies_made_of_the_corpus_words():
    from trainwright.train.distill import augmented_texts

    texts = ["the plot was thin but the cast was superb", "a dull and lifeless film", "great fun"]
    made = augmented_texts(texts, copies=20, seed=0)
    assert len(made) == 60 and made == augmented_texts(texts, copies=20, seed=0)
    vocabulary = {word for text in texts for word in text.split()}
    assert all(made) and all(set(text.split()) <= vocabulary for text in made)
    assert sum(text not in texts for text in made) > 30  # most copies differ from their original
    assert any(len(text.split()) <= 5 < len(texts[0].split()) for text in made[::3])  # n-gram windows


def test_augment_adds_teacher_labelled_rows(teacher, data, tmp_path):
    config = trainwright.build_config(overrides={**STUDENT, "train": {**STUDENT["train"], "epochs": 2}})
    result = trainwright.distill(teacher, data / "train.csv", student="fasttext", augment=2,
                                 out=tmp_path / "augmented", config=config)
    assert result.metrics["distillation"]["unlabeled_rows"] == 2 * 180
    assert result.metrics["training"]["n_train"] == 3 * 180
