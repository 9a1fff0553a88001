"""k-fold cross-validation: the protocol for benchmarks that ship without a split.

Each fold's held-out part is its test set; the model of each fold is fitted exactly as `train` fits one
(cleaning, validation split for early stopping, ensemble) on the other parts. Each metric is reported as mean
and standard deviation over the folds; the per-fold results are saved as JSON and CSV.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import numpy as np
import pandas as pd

from ..config import RunConfig
from ..destination import check_folder, claim_folder
from ..errors import DataError
from ..evaluate.evaluation import evaluate_examples
from ..log import logger
from .distributed import single_process
from .run import fit_artifact, prepare
from .splits import make_folds


@dataclass
class CrossValidation:
    path: Path  # the folder holding cv.json and cv.csv
    folds: list[dict]  # per fold: its sizes and test metrics
    summary: dict  # metric -> {"mean", "std"}


def cross_validate(data: str | Path, *, folds: int = 5, out: str | Path = "runs/cv",
                   config: RunConfig | str | Path | None = None) -> CrossValidation:
    """k-fold cross-validation of the configured model on `data` (seed: config.train.seed), stratified by class
    where the classes allow it (not for multilabel label sets or regression)."""
    check_folder(out, "cv")  # before any work: a folder that is not ours is refused
    config, roles, examples, target = prepare(data, config)
    single_process(config, "Cross-validation")
    y = target.transform(examples.target, str(data))
    if len(y) < folds:
        raise DataError(f"{data}: {len(y)} usable rows for {folds}-fold cross-validation; each fold needs at least "
                        "one row. Use a smaller --cv, or add rows.")
    splits = make_folds(y, target.task_, folds, config.train.seed)
    logger.info(f"cross-validation: {folds} folds of {len(examples)} rows"
                + (" (stratified)" if target.task_ in ("binary", "multiclass") else ""))
    results = []
    for k, (train_rows, test_rows) in enumerate(splits):
        L.seed_everything(config.train.seed, verbose=False)
        # the resolved configuration is frozen: every fold reads the same one
        artifact = fit_artifact(examples.subset(train_rows), roles, target, config, None,
                                (str(data), str(data)))
        metrics = evaluate_examples(artifact.predictor(), examples.subset(test_rows), f"{data} (fold {k + 1})")
        metrics.pop("confusion_matrix", None)  # per-class tables have no mean over folds
        metrics.pop("per_label", None)
        results.append({"fold": k + 1, "n_train": len(train_rows), "n_test": len(test_rows),
                        "epochs_run": artifact.metrics["training"]["epochs_run"], **metrics})
        figures = ", ".join(f"{key} {value:.4f}" for key, value in metrics.items() if isinstance(value, float))
        logger.info(f"fold {k + 1}/{folds}: {figures}")
    summary = _summarize(results)
    return CrossValidation(path=_save(results, summary, config, Path(out)), folds=results, summary=summary)


def _summarize(results: list[dict]) -> dict:
    keys = [k for k, v in results[0].items() if isinstance(v, float)]
    return {k: {"mean": float(np.mean([r[k] for r in results])), "std": float(np.std([r[k] for r in results]))}
            for k in keys}


def _save(results: list[dict], summary: dict, config: RunConfig, out: Path) -> Path:
    claim_folder(out, "cv")
    content = {"folds": results, "summary": summary, "config": config.model_dump()}
    for name, text in (("cv.json", json.dumps(content, indent=2, ensure_ascii=False) + "\n"),
                       ("cv.csv", pd.DataFrame(results).to_csv(index=False))):
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=out)  # written whole or not at all
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, out / name)
    return out.resolve()
