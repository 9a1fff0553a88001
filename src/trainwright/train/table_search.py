"""`--model auto` for a table: a linear model, gradient-boosted trees and the MLP, the best on validation kept.

Small tables (under 5,000 rows, no --valid file, train.ensemble auto) are where one validation split misleads:
each candidate is then trained on the same 5 folds, as the bagged MLP always was, and judged on its out-of-fold
predictions, so every row counts in the choice. The kept candidate is that bag of 5 fold models: it is the model
the out-of-fold figures describe (a refit on all rows would be a model nobody validated), and the bag costs
nothing more. Larger tables, or a --valid file: each candidate trains once on the same split.

The choice is by validation loss (log loss for classes), accuracy breaking a tie: loss is smooth where accuracy
on a few hundred rows moves in steps of a row, and it rewards the calibrated probabilities users read. The run
reports what was tried, with its figures, and what was kept, in metrics["search"].
"""

from __future__ import annotations

import time

from ..config import RunConfig
from ..errors import ConfigError
from ..log import logger
from .bagging import ensemble_size
from .fitting import fit_model
from .process import use_threads
from .resolve import resolve
from .splits import validation_split

CANDIDATES = ("table_linear", "lightgbm", "mlp")


def search_table(examples, roles, target, config: RunConfig, valid_set, sources: tuple[str, str]):
    """The artifact of the best candidate, with every candidate's figures in metrics["search"]."""
    bagged = ensemble_size(config, "mlp", len(examples), valid_set) > 1
    train_set = examples
    if not bagged:  # every candidate on the same split
        train_set, valid_set = validation_split(examples, target, valid_set, config)
    logger.info(f"model auto: trying {', '.join(CANDIDATES)}; the lowest validation loss "
                + ("on out-of-fold predictions (5 folds) " if bagged else "") + "is kept (--model NAME trains one)")
    limit = config.train.time_limit
    deadline = time.monotonic() + limit if limit else None
    tried, best = [], None
    for name in CANDIDATES:
        if name == "lightgbm" and target.task_ == "multilabel":
            tried.append({"model": name, "status": "skipped: multilabel targets"})
            continue
        left = {"time_limit": max(deadline - time.monotonic(), 1.0)} if deadline is not None else {}
        candidate = resolve(config, model=name, settings={"train": left})
        started = time.monotonic()
        artifact = fit_model(train_set, roles, target, candidate, valid_set, sources)
        use_threads(config.train.threads)
        valid = artifact.metrics["valid"]
        seconds = round(time.monotonic() - started, 1)
        tried.append({"model": name, "status": "trained", "seconds": seconds,
                      **{k: valid[k] for k in ("loss", "accuracy", "r2") if k in valid}})
        logger.info(f"model auto: {name}: {_describe(valid)} in {seconds:.1f}s")
        if best is None or _rank(valid) < _rank(best.metrics["valid"]):
            best = artifact
    if best is None:
        raise ConfigError("model auto: no candidate could be trained on this table; name one with --model.")
    kept = best.config.model.name
    for row in tried:
        row["kept"] = row["model"] == kept
    logger.info(f"model auto: kept {kept} ({_describe(best.metrics['valid'])} on validation)")
    best.metrics["search"] = tried
    return best


def _rank(metrics: dict) -> tuple:
    """Lower is better: the loss, then the accuracy (or R²) for a tie."""
    return (round(metrics["loss"], 6), -metrics.get("accuracy", metrics.get("r2", 0.0)))


def _describe(metrics: dict) -> str:
    shown = f"loss {metrics['loss']:.4f}"
    if "accuracy" in metrics:
        return f"{shown}, accuracy {metrics['accuracy']:.4f}"
    return f"{shown}, r2 {metrics['r2']:.4f}" if "r2" in metrics else shown
