"""Distillation: a large trained model (the teacher) teaches a small one (the student).

The student learns the teacher's class probabilities ("soft labels", Hinton et al. 2015) on the labeled rows
and, when given, on unlabeled text too, which is where most of the gain comes from: the teacher labels text no
one annotated. Without unlabeled text, `augment` makes some from the training texts as Tang et al. (2019) did to
distill BERT into a BiLSTM: words dropped or swapped for other words of the corpus, and shorter n-gram windows;
the teacher labels each. `alpha` mixes the true labels into the labeled rows' targets. A pretrained teacher
also lends the student its tokenizer and word embeddings (`teacher_embeddings`: "freeze" them, so words the
training rows never show keep their meaning — 2.8 points better than "tune" on SST-2 — or "tune" them), so the
student starts knowing which words mean alike instead of learning it from a few thousand rows. The student is
saved as an ordinary model; its metrics hold the comparison with the teacher (accuracy, predictions per second).
"""

from __future__ import annotations

import time
from pathlib import Path

import lightning as L
import numpy as np
import pandas as pd
import torch

from ..artifact import HF_DIRECTORY, Artifact, fingerprint, load_artifact, save_artifact
from ..config import RunConfig, build_config
from ..data import read_table
from ..data.layout import Layout
from ..data.examples import labeled_examples
from ..data.schema import ColumnRoles, require_column
from ..destination import check_folder
from ..errors import ConfigError
from ..evaluate.evaluation import evaluate_examples, prediction_record
from ..evaluate.metrics import compute_metrics
from ..log import logger
from ..predictor import predict_encoded
from ..preprocessing import Preprocessing
from .distributed import single_process
from .building import build, fit_stages
from .process import use_threads
from .resolve import resolve
from .run import TrainResult
from .splits import validation_split
from .trainer import Trainer


EMBEDDING_MODES = ("freeze", "tune", "off")


def distill(teacher: str | Path, data: str | Path, *, student: str = "cnn", unlabeled: str | Path | None = None,
            valid: str | Path | None = None, test: str | Path | None = None, out: str | Path = "runs/student",
            config: RunConfig | str | Path | None = None, alpha: float = 0.0, augment: int = 0,
            teacher_embeddings: str = "freeze") -> TrainResult:
    """Train a `student` model on `teacher`'s soft labels for `data` (and `unlabeled`, and `augment` altered
    copies of each training text); save it to `out`."""
    if teacher_embeddings not in EMBEDDING_MODES:
        raise ConfigError(f"teacher_embeddings is one of {', '.join(EMBEDDING_MODES)}; got {teacher_embeddings!r}.")
    if not 0 <= alpha <= 1:
        raise ConfigError(f"alpha is the weight of the true labels, between 0 and 1; got {alpha}.")
    teacher_artifact = load_artifact(teacher)
    check_folder(out, "model")  # before any work: a folder that is not ours is refused
    task = teacher_artifact.target.task_
    if task == "regression":
        raise ConfigError(f"{teacher} is a regression model; distillation here needs class probabilities.")
    config = _student_config(config, student, teacher_artifact)
    single_process(config, "distill")
    embeddings = _word_embeddings(teacher_artifact) if teacher_embeddings != "off" else None
    if embeddings is not None:  # the teacher's tokenizer, and its embedding width
        changes = {"tokenizer": {"level": "pretrained"}}
        if "embedding_dim" in type(config.model).model_fields:  # linear has no word vectors
            changes["model"] = {"embedding_dim": embeddings.shape[1]}
        config = config.derive(changes)
    use_threads(config.train.threads)
    L.seed_everything(config.train.seed, verbose=False)
    teacher_stages, target = teacher_artifact.preprocessing, teacher_artifact.target
    roles = ColumnRoles(target=teacher_stages.target_column, text=teacher_stages.text,
                        numeric=teacher_stages.numeric, categorical=teacher_stages.categorical)
    examples = _read_labeled(data, roles, config)
    valid_set = _read_labeled(valid, roles, config) if valid is not None else None
    train_set, valid_set = validation_split(examples, target, valid_set, config)
    extra = _read_unlabeled(unlabeled, roles, config) if unlabeled is not None else None
    if augment:
        if len(roles.text) != 1 or roles.numeric or roles.categorical:
            raise ConfigError("augment works on one text column alone; pass --unlabeled text instead.")
        column = roles.text[0]
        made = pd.DataFrame({column: augmented_texts(train_set.inputs[column].astype(str).tolist(), augment,
                                                     config.train.seed)})
        extra = made if extra is None else pd.concat([extra, made], ignore_index=True)

    started = time.perf_counter()
    teacher_dir = Path(teacher) / HF_DIRECTORY if embeddings is not None else None
    stages = Preprocessing(roles, config, pretrained_dir=teacher_dir)
    fit_stages(stages, train_set, str(data))
    frame = train_set.inputs if extra is None else pd.concat([train_set.inputs, extra], ignore_index=True)
    teacher_predictor = teacher_artifact.predictor()
    logger.info(f"distill: {teacher_artifact.model_name} teacher labels {len(frame)} rows "
                f"({len(train_set)} labeled, {0 if extra is None else len(extra)} unlabeled)")
    soft = teacher_predictor.outputs(frame, str(data))
    targets = _student_targets(task, soft, target.transform(train_set.target, str(data)), alpha)
    model = build(stages, target, config, len(frame), len(valid_set))
    if embeddings is not None:
        _start_from(model, embeddings, freeze=teacher_embeddings == "freeze")
    valid_inputs = stages.encode(valid_set.inputs, str(valid or data))
    valid_truth = target.transform(valid_set.target, str(valid or data))
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    history = Trainer(config).fit(model, task, stages.encode(frame, str(data)), targets, valid_inputs, valid_truth,
                                  pad)
    fit_seconds = time.perf_counter() - started

    outputs = predict_encoded(model, task, valid_inputs, pad)
    artifact = Artifact(config=config, model_name=student, model=model, preprocessing=stages, target=target,
                        history=history, validation=prediction_record(task, target.classes_, valid_set.inputs,
                                                                      valid_truth, outputs, roles.text))
    student_predictor = artifact.predictor()
    comparison = {"valid": (valid_set, str(valid or data))}
    if test is not None:
        comparison["test"] = (_read_labeled(test, roles, config), str(test))
    artifact.metrics = {
        "valid": compute_metrics(task, valid_truth, outputs, target.classes_),
        "training": {"epochs_run": len(history), "n_train": len(frame), "fit_s": round(fit_seconds, 2),
                     "models": 1, "validation": "held-out rows"},
        "cleaning": stages.cleaning_summary,
        "distillation": _compare(teacher, teacher_predictor, student_predictor, comparison, len(train_set),
                                 0 if extra is None else len(extra), alpha),
    }
    if test is not None:
        artifact.metrics["test"] = artifact.metrics["distillation"]["student"]["test"]
    artifact.data = {"train": fingerprint(data, len(train_set))}
    path = save_artifact(artifact, out)
    return TrainResult(path=path, metrics=artifact.metrics, history=history)


def _student_config(config, student: str, teacher: Artifact) -> RunConfig:
    if not isinstance(config, RunConfig):
        config = build_config(Path(config) if config else None)
    if student in ("auto", "pretrained", "mlp", "lstm+mlp"):
        raise ConfigError(f"--student {student}: choose a text model trained from scratch "
                          "(cnn, lstm, bilstm, gru, fasttext, linear or transformer).")
    stages = teacher.preprocessing
    roles = ColumnRoles(target=stages.target_column, text=stages.text, numeric=stages.numeric,
                        categorical=stages.categorical)
    return resolve(config, roles, task=teacher.target.task_, model=student)


def _word_embeddings(teacher: Artifact):
    """The pretrained teacher's input word embeddings (vocabulary, width), or None for another teacher."""
    network = getattr(teacher.model, "network", None)
    if network is None:
        return None
    return network.get_input_embeddings().weight.detach().clone()


def _start_from(model: torch.nn.Module, embeddings: torch.Tensor, freeze: bool) -> None:
    """Copy `embeddings` into the student's token embedding, which has the same (vocabulary, width)."""
    for module in model.modules():
        if isinstance(module, torch.nn.Embedding) and module.weight.shape == embeddings.shape:
            with torch.no_grad():
                module.weight.copy_(embeddings)
            module.weight.requires_grad_(not freeze)
            logger.info(f"distill: the student starts from the teacher's {embeddings.shape[0]} word embeddings")
            return
    logger.warning("distill: this student has no token embedding of the teacher's size; it starts from scratch.")


def _read_labeled(path, roles: ColumnRoles, config: RunConfig):
    frame = read_table(path, config.data.encoding, Layout.of(config.data))
    return labeled_examples(frame, roles.text, roles.target, str(path), roles.numeric + roles.categorical)


def _read_unlabeled(path, roles: ColumnRoles, config: RunConfig) -> pd.DataFrame:
    frame = read_table(path, config.data.encoding, Layout.of(config.data))
    for column in roles.text:
        require_column(frame, column, str(path))
    columns = [c for c in roles.inputs if c in frame.columns]
    return frame[columns].reindex(columns=roles.inputs).reset_index(drop=True)


def _student_targets(task: str, soft: np.ndarray, truth: np.ndarray, alpha: float) -> np.ndarray:
    """Float targets per row: the teacher's probabilities, with `alpha` of the true label mixed into the
    labeled rows (the first len(truth)). binary: P(positive) (n,); multiclass/multilabel: (n, classes)."""
    targets = soft[:, 1].copy() if task == "binary" else soft.copy()
    labeled = len(truth)
    if alpha:
        hard = truth.astype(float) if task != "multiclass" else np.eye(soft.shape[1])[truth]
        targets[:labeled] = (1 - alpha) * targets[:labeled] + alpha * hard
    return targets.astype("float32")


def _compare(teacher_path, teacher, student, splits: dict, labeled: int, unlabeled: int, alpha: float) -> dict:
    """Accuracy of both models on each split, and their prediction speed on the largest split."""
    result = {"teacher_path": str(teacher_path), "labeled_rows": labeled, "unlabeled_rows": unlabeled,
              "alpha": alpha, "teacher": {}, "student": {}}  # unlabeled rows include augmented ones
    for name, (examples, source) in splits.items():
        result["teacher"][name] = evaluate_examples(teacher, examples, source)
        result["student"][name] = evaluate_examples(student, examples, source)
    examples = max((e for e, _ in splits.values()), key=len)
    for side, predictor in (("teacher", teacher), ("student", student)):
        result[side]["predictions_per_s"] = round(predictions_per_second(predictor, examples.inputs), 1)
    result["speedup"] = round(result["student"]["predictions_per_s"] / result["teacher"]["predictions_per_s"], 1)
    return result


def augmented_texts(texts: list[str], copies: int, seed: int, p_drop: float = 0.1, p_swap: float = 0.1,
                    p_window: float = 0.25) -> list[str]:
    """`copies` altered versions of each text: each word dropped with p_drop or replaced by a random word of the
    corpus with p_swap; then, with p_window, only a window of 1-5 consecutive words kept."""
    rng = np.random.default_rng(seed)
    corpus = [word for text in texts for word in text.split()] or [""]
    result = []
    for _ in range(copies):
        for text in texts:
            words = []
            for word in text.split():
                roll = rng.random()
                if roll < p_drop:
                    continue
                words.append(corpus[rng.integers(len(corpus))] if roll < p_drop + p_swap else word)
            if words and rng.random() < p_window:
                size = int(rng.integers(1, 6))
                start = int(rng.integers(max(1, len(words) - size + 1)))
                words = words[start:start + size]
            result.append(" ".join(words) or text)
    return result


def predictions_per_second(predictor, frame: pd.DataFrame, repeats: int = 2) -> float:
    """Rows per second through the whole Predictor (cleaning, tokenizing, forward), best of `repeats`."""
    predictor.outputs(frame.head(64))  # warm-up: first calls allocate
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        predictor.outputs(frame)
        best = min(best, time.perf_counter() - started)
    return len(frame) / best
