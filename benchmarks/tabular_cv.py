"""trainwright's defaults against scikit-learn baselines on tabular data with missing values, same folds.

For each dataset: 5-fold stratified cross-validation (seed 0), and for Pima also the stratified 80/20 split
(random_state 0); --repeats N repeats both with seeds 0 .. N-1 (N × 5 folds, N splits), since on a few hundred
rows which rows land in a test fold moves accuracy by more than the systems differ. trainwright trains on the raw rows of the training part, written as CSV exactly as they are in
the file, three ways: zero-config (model auto: linear, lightgbm and mlp, the best kept), --model lightgbm and
--model linear. The baselines get the same rows, with `?` read as missing: logistic regression (median
imputation + scaling) and HistGradientBoosting (native missing values). Prints accuracy and ROC AUC as mean ±
std over the folds, each system's wall time per fit, and one JSON line.

Run from the project root:
    .venv/bin/python benchmarks/tabular_cv.py [--data ../shared/data/tabular] [--threads 1] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import trainwright

DATASETS = {  # file, target, columns that are not features
    "pima": ("pima-indians-diabetes.csv", "outcome", []),
    "horse-colic": ("horse-colic.csv", "surgical_lesion", ["hospital_number"]),
}
SPLITS = {"pima": ("5-fold", "80/20"), "horse-colic": ("5-fold",)}
TRAINWRIGHT = {  # system -> settings beside the command line's
    "trainwright zero-config": {},
    "trainwright lightgbm": {"model": {"name": "lightgbm"}},
    "trainwright linear": {"model": {"name": "linear"}},
}


def baselines() -> dict:
    return {
        "logistic regression": make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                                             LogisticRegression(max_iter=2000)),
        "hist gradient boosting": HistGradientBoostingClassifier(random_state=0),
    }


def run_trainwright(train: pd.DataFrame, test: pd.DataFrame, target: str, settings: dict, work: Path):
    path = work / "train.csv"
    train.to_csv(path, index=False)
    overrides = {"data": {"target": target}}
    for section, values in settings.items():
        overrides.setdefault(section, {}).update(values)
    config = trainwright.build_config(overrides=overrides)
    result = trainwright.train(path, out=work / "model", config=config)
    predictor = trainwright.load(result.path)
    probabilities = predictor.predict(test.drop(columns=[target])).probabilities
    positive = predictor.target.classes_.index(sorted(predictor.target.classes_)[-1])
    return probabilities[:, positive], result.metrics["cleaning"]


def evaluate(name: str, raw: pd.DataFrame, target: str, dropped: list[str], settings: dict, split: str,
             repeats: int = 1) -> dict:
    numeric = raw.drop(columns=[target, *dropped]).apply(pd.to_numeric, errors="coerce")  # `?` -> NaN
    labels = raw[target].to_numpy()
    positive = np.sort(np.unique(labels))[-1]
    y = (labels == positive).astype(int)
    scores = {system: {"accuracy": [], "roc_auc": []} for system in [*TRAINWRIGHT, *baselines()]}
    parts = []
    for seed in range(repeats):
        if split == "80/20":
            parts.append(train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed))
        else:
            parts += StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(numeric, y)
    seconds = {system: 0.0 for system in scores}
    for fold, (train_rows, test_rows) in enumerate(parts):
        for system, model in baselines().items():
            started = time.perf_counter()
            model.fit(numeric.iloc[train_rows], y[train_rows])
            probability = model.predict_proba(numeric.iloc[test_rows])[:, 1]
            seconds[system] += time.perf_counter() - started
            _score(scores[system], y[test_rows], probability)
        for system, extra in TRAINWRIGHT.items():
            merged = {section: {**settings.get(section, {}), **extra.get(section, {})}
                      for section in {*settings, *extra}}
            with tempfile.TemporaryDirectory() as work:
                started = time.perf_counter()
                probability, cleaning = run_trainwright(raw.iloc[train_rows], raw.iloc[test_rows], target, merged,
                                                        Path(work))
                seconds[system] += time.perf_counter() - started
            _score(scores[system], y[test_rows], probability)
            if fold == 0 and extra == {}:
                print(f"{name} {split}, fold 1 cleaning: " + "; ".join(cleaning))
    return {system: {metric: (float(np.mean(v)), float(np.std(v))) for metric, v in s.items()}
            | {"seconds_per_fit": round(seconds[system] / len(parts), 2)} for system, s in scores.items()}


def _score(into: dict, truth: np.ndarray, probability: np.ndarray) -> None:
    into["accuracy"].append(accuracy_score(truth, probability >= 0.5))
    into["roc_auc"].append(roc_auc_score(truth, probability))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/tabular"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=list(DATASETS), help="one dataset")
    parser.add_argument("--repeats", type=int, default=1, help="repeat each split with seeds 0 .. N-1")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="a trainwright setting other than the default (YAML value), e.g. train.epochs=50")
    args = parser.parse_args()
    settings: dict = {"train": {"threads": args.threads}}
    for item in args.set:
        key, value = item.split("=", 1)
        section, name = key.split(".", 1)
        settings.setdefault(section, {})[name] = yaml.safe_load(value)
    logging.getLogger("trainwright").setLevel(logging.ERROR)
    results = {}
    for name, (file, target, dropped) in DATASETS.items():
        if args.only and name != args.only:
            continue
        raw = pd.read_csv(args.data / file, dtype=str, keep_default_na=False)  # exactly as written
        for split in SPLITS[name]:
            results[f"{name} {split}"] = evaluate(name, raw, target, dropped, settings, split, args.repeats)
    seeds = "seed 0" if args.repeats == 1 else f"seeds 0-{args.repeats - 1}, each"
    print(f"\n5-fold stratified CV and Pima's stratified 80/20 split ({seeds}), trainwright settings {settings}: "
          "mean ± std over the test folds; time: wall seconds per fit")
    print(f"{'dataset':<18} {'system':<24} {'accuracy':>15} {'ROC AUC':>15} {'s/fit':>7}")
    for name, systems in results.items():
        for system, r in systems.items():
            acc, auc = r["accuracy"], r["roc_auc"]
            print(f"{name:<18} {system:<24} {acc[0]:>8.3f} ± {acc[1]:.3f} {auc[0]:>8.3f} ± {auc[1]:.3f} "
                  f"{r['seconds_per_fit']:>7}")
    print(json.dumps({"benchmark": "tabular_cv", "settings": settings, "repeats": args.repeats, "results": results}))


if __name__ == "__main__":
    main()
