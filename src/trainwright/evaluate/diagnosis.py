"""What a run's own learning curves say: overfitting (and when it began), underfitting, which defense acted, and
what to try next. Deterministic: the same history, metrics and config give the same sentences.

    d = diagnose(history, metrics, config)   # history.json rows, metrics.json, config.json (dict or RunConfig)
    d.verdict       # "overfitting" | "underfitting" | "good_fit" | "diverged" | "no_history"
    d.lines         # plain sentences, grounded in the curves
    d.next_steps    # concrete settings to try
    d.facts         # the numbers behind them, per model (an ensemble has one entry per member)

The train/validation gap is read at the kept epoch and at the last one. "Overfitting": training loss kept
falling while validation loss rose 10% or more above its minimum, or stalled with a gap of 10 points or more (and
is above training loss). "Underfitting": training accuracy is barely above always predicting the most common class
(multilabel: subset accuracy under a third, as no constant guess matches many label sets; regression: the
standardized training loss explains under a third of the variance), or both losses were still clearly falling,
short of a near-perfect training fit, when the epoch limit was reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

RISE = 0.10  # relative rise of validation loss over its minimum that counts as overfitting
GAP = 0.10  # train/validation gap at the last epoch (accuracy, or standardized MSE) that counts as overfitting
STILL_FALLING = 0.01  # relative drop of validation loss over the last two epochs that counts as still improving
SATURATED = 0.98  # training accuracy (regression: 1 - standardized MSE) past which more epochs cannot help much
HEADLINES = {
    "overfitting": "Overfitting: the model fits its training data far better than new data.",
    "underfitting": "Underfitting: the model has not yet learned what it could from its training data.",
    "good_fit": "Good fit: validation loss settled and training and validation agree.",
    "diverged": "Training diverged: the loss became infinite or NaN.",
    "no_history": "No training history was saved with this run.",
}


@dataclass
class Diagnosis:
    verdict: str  # a key of HEADLINES
    lines: list[str]
    next_steps: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    headline: str = ""  # one sentence for a banner: the verdict, with this run's epochs

    def __post_init__(self):
        self.headline = self.headline or HEADLINES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "headline": self.headline, "lines": self.lines,
                "next_steps": self.next_steps, "facts": self.facts}


def diagnose(history: list[dict], metrics: dict | None = None, config: Any = None) -> Diagnosis:
    """Diagnose a run from its per-epoch `history`, its `metrics` and its resolved `config` (either schema:
    `train.early_stopping` of older runs, or the `stopping` section)."""
    settings = _Settings.read(config)
    metrics = metrics or {}
    if "hamming_loss" in (metrics.get("valid") or {}):  # a multilabel run whose config does not say so
        settings.task = "multilabel"
    groups = _by_model(history)
    if settings.model in ("linear", "table_linear", "lightgbm") and groups and all(len(r) == 1 for r in groups):
        # fitted by one convex solve (train/convex.py) or by LightGBM (train/boosting.py): no epochs to read
        settings.convex, settings.early_stopping, settings.restore_best, settings.max_epochs = True, False, False, 1
    planned = [rows[-1].get("epochs_planned") for rows in groups]
    if groups and all(planned) and not settings.convex:  # the epochs a time limit left, not those configured
        settings.max_epochs = max(planned)
    if not groups:
        return Diagnosis("no_history", [("No per-epoch history was saved with this run (history.json is missing "
                                         "or empty), so there are no learning curves to read.")])
    baseline = _baseline(metrics.get("valid", {}))
    members = [_read_curve(rows, settings, baseline) for rows in groups]
    facts = {"task_metric": "accuracy" if members[0]["metric"] else None, "baseline": baseline,
             "settings": settings.__dict__, "members": members}
    if len(members) == 1:
        verdict, lines = _single(members[0], settings)
    else:
        verdict, lines = _ensemble(members, settings)
    facts["verdict"] = verdict
    headline = _headline(verdict, members, settings)
    kept = [leak["column"] for leak in metrics.get("leakage", []) if leak.get("kept")]
    if kept:  # scores that a leak makes look good must not read as a good fit
        headline = f"Probable leakage: {', '.join(kept)} alone gives the target away and was trained on. {headline}"
    return Diagnosis(verdict, _leakage_lines(metrics) + lines, _next_steps(verdict, members, settings, metrics),
                     facts, headline)


def _leakage_lines(metrics: dict) -> list[str]:
    """What training said about columns that alone give the target away (metrics["leakage"])."""
    lines = []
    for leak in metrics.get("leakage", []):
        what = (f"Probable leakage: column '{leak['column']}' alone predicts the target with validation AUC "
                f"{leak['auc']:.2f}; the best other column alone reaches {leak['best_other']:.2f}.")
        lines.append(what + (" It was trained on because it was named with --feature: the scores above overstate "
                             "how the model does on new data." if leak.get("kept") else
                             f" It was left out of training (--feature {leak['column']} keeps it)."))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Reading the curves


@dataclass
class _Settings:
    max_epochs: int = 10
    early_stopping: bool = True
    restore_best: bool = True
    patience: int = 2
    min_delta: float = 0.0
    monitor: str = "val_loss"
    minimize: bool = True
    model: str = "lstm"
    dropout: float = 0.0
    mlp_dropout: float = 0.1
    weight_decay: float = 0.0
    task: str = ""  # data.task; multilabel runs log subset accuracy
    convex: bool = False  # the linear model, fitted by one convex solve rather than epochs

    @classmethod
    def read(cls, config: Any) -> _Settings:
        if hasattr(config, "model_dump"):
            config = config.model_dump()
        config = config if isinstance(config, dict) else {}
        train, model = config.get("train") or {}, config.get("model") or {}
        stop, reg = config.get("stopping"), config.get("regularization") or {}
        if isinstance(stop, dict):  # current schema: restoring needs early stopping on
            enabled = bool(stop.get("enabled", True))
            restore, patience = enabled and bool(stop.get("restore_best", True)), stop.get("patience", 2)
            monitor, mode, delta = stop.get("monitor", "val_loss"), stop.get("mode", "auto"), stop.get("min_delta", 0)
        else:  # runs saved before the stopping section: train.early_stopping / train.restore_best
            enabled, restore = bool(train.get("early_stopping", True)), bool(train.get("restore_best", True))
            patience, monitor, mode, delta = train.get("patience", 2), "val_loss", "min", 0.0
        minimize = mode == "min" or (mode == "auto" and "loss" in monitor)
        return cls(int(train.get("epochs", 10)), enabled, restore, int(patience), float(delta or 0), monitor,
                   minimize, str(model.get("name", "lstm")), float(model.get("dropout", 0.0) or 0),
                   float(model.get("mlp_dropout", 0.1) or 0),
                   float(reg.get("weight_decay", train.get("weight_decay", 0.0)) or 0),
                   str((config.get("data") or {}).get("task") or ""))


def _by_model(history: list[dict]) -> list[list[dict]]:
    """The rows of each model (one for a single model), each with train and validation loss."""
    groups: dict[int, list[dict]] = {}
    for row in history or []:
        if isinstance(row, dict) and "train_loss" in row and "val_loss" in row and "epoch" in row:
            groups.setdefault(int(row.get("model", 1)), []).append(row)
    return [sorted(rows, key=lambda r: r["epoch"]) for _, rows in sorted(groups.items())]


def _baseline(valid: dict) -> float | None:
    """Accuracy of always predicting the most common validation class, from the confusion matrix."""
    matrix = (valid.get("confusion_matrix") or {}).get("matrix")
    if not matrix:
        return None
    totals = [sum(row) for row in matrix]
    return max(totals) / sum(totals) if sum(totals) else None


def _read_curve(rows: list[dict], s: _Settings, baseline: float | None) -> dict:
    epochs = [int(r["epoch"]) for r in rows]
    train, val = [float(r["train_loss"]) for r in rows], [float(r["val_loss"]) for r in rows]
    metric = "accuracy" if all("val_accuracy" in r and "train_accuracy" in r for r in rows) else None
    facts: dict[str, Any] = {"model": rows[0].get("model"), "epochs_run": epochs[-1], "metric": metric,
                             "train_loss": train, "val_loss": val}
    bad = [e for e, t, v in zip(epochs, train, val) if not (math.isfinite(t) and math.isfinite(v))]
    if bad:
        return {**facts, "diverged_at": bad[0]}
    low = min(range(len(val)), key=lambda i: (val[i], i))  # first epoch with the lowest validation loss
    kept = _kept_index(rows, s) if s.restore_best else len(rows) - 1
    stopped = s.early_stopping and epochs[-1] < s.max_epochs
    rise = val[-1] / val[low] - 1 if val[low] > 0 else 0.0
    facts.update(best_epoch=epochs[low], best_val_loss=val[low], final_val_loss=val[-1], rise=rise,
                 rising_from=epochs[low] + 1 if low < len(val) - 1 and rise > 0 else None,
                 kept_epoch=epochs[kept], kept_train_loss=train[kept], kept_val_loss=val[kept], stopped_early=stopped,
                 restored=s.restore_best and kept != len(rows) - 1,
                 loss_gap_kept=val[kept] - train[kept], loss_gap_last=val[-1] - train[-1])
    if metric:
        ta, va = [float(r["train_accuracy"]) for r in rows], [float(r["val_accuracy"]) for r in rows]
        facts.update(train_accuracy=ta, val_accuracy=va, gap_kept=ta[kept] - va[kept], gap_last=ta[-1] - va[-1])
    # Overfitting: validation loss climbed well above its minimum, or stalled while training pulled far ahead.
    stalled = low < len(val) - 1 and train[-1] < train[low]
    gap = facts["gap_last"] if metric else val[-1] - train[-1]  # regression: share of the target's variance
    # ... but not while validation loss is still below training loss: that rise is noise, not memorization.
    facts["overfit"] = stalled and val[-1] > train[-1] and (rise >= RISE or gap >= GAP)
    # A training metric near its ceiling leaves little to learn, however the loss still moves.
    saturated = facts["train_accuracy"][-1] >= SATURATED if metric else train[-1] <= 1 - SATURATED
    facts["still_falling"] = (not stopped and not saturated and epochs[-1] >= s.max_epochs and len(val) >= 3
                              and low == len(val) - 1 and val[-1] < val[-3] * (1 - STILL_FALLING)
                              and train[-1] < train[-3])
    facts["exact_match"] = bool(metric) and s.task == "multilabel"  # accuracy: every label of a row right
    facts["weak_fit"] = _weak_fit(facts, baseline)
    if not s.early_stopping and facts["overfit"]:
        facts["would_stop"] = _simulate_stopping(val, epochs, s)
    return facts


def _kept_index(rows: list[dict], s: _Settings) -> int:
    """The epoch restore-best keeps: the first best value of the monitored metric (val_loss if not logged)."""
    key = s.monitor if all(s.monitor in r for r in rows) else "val_loss"
    sign = 1 if (s.minimize or key == "val_loss") else -1
    return min(range(len(rows)), key=lambda i: (sign * float(rows[i][key]), i))


def _weak_fit(facts: dict, baseline: float | None) -> bool:
    if facts["metric"]:
        chance = 0.0 if facts["exact_match"] else baseline if baseline is not None else 0.5
        return facts["train_accuracy"][-1] < chance + (1 - chance) / 3
    return facts["train_loss"][-1] > 2 / 3  # regression: MSE on the standardized target, 1.0 = predicting the mean


def _simulate_stopping(val: list[float], epochs: list[int], s: _Settings) -> dict | None:
    """Where early stopping on validation loss (the run's patience and min_delta) would have stopped and which
    epoch it would have kept, as Lightning's EarlyStopping counts: `patience` epochs without improvement."""
    best, wait = val[0], 0
    best_i = 0
    for i in range(1, len(val)):
        if val[i] < best - s.min_delta:
            best, best_i, wait = val[i], i, 0
        else:
            wait += 1
            if wait >= max(s.patience, 1):
                return {"stop_epoch": epochs[i], "kept_epoch": epochs[best_i], "kept_val_loss": val[best_i]}
    return None


# ---------------------------------------------------------------------------------------------------------------
# Sentences


def _single(f: dict, s: _Settings) -> tuple[str, list[str]]:
    if "diverged_at" in f:
        return "diverged", [(f"The loss became NaN or infinite at epoch {f['diverged_at']}: the learning rate "
                             "is probably too high for this model.")]
    lines = []
    if f["overfit"] and f["rise"] >= RISE:
        lines.append(f"Validation loss was lowest at epoch {f['best_epoch']} ({_l(f['best_val_loss'])}) and rose "
                     f"from epoch {f['rising_from']} on: by epoch {f['epochs_run']} it was {_l(f['final_val_loss'])}, "
                     f"{_times(f['rise'])} its minimum, while training loss fell to {_l(f['train_loss'][-1])}.")
    elif f["overfit"]:
        lines.append(f"Validation loss stopped improving after epoch {f['best_epoch']} ({_l(f['best_val_loss'])}; "
                     f"{_l(f['final_val_loss'])} at epoch {f['epochs_run']}) while training loss kept falling, "
                     f"to {_l(f['train_loss'][-1])}.")
    elif f["rising_from"] and f["rise"] > 0.005:
        lines.append(f"Validation loss was lowest at epoch {f['best_epoch']} ({_l(f['best_val_loss'])}) and then "
                     f"levelled off ({_l(f['final_val_loss'])} at epoch {f['epochs_run']}, +{f['rise']:.0%}).")
    elif f["best_epoch"] != f["epochs_run"]:
        lines.append(f"Validation loss reached its lowest, {_l(f['best_val_loss'])}, at epoch {f['best_epoch']} and "
                     f"stayed there ({_l(f['final_val_loss'])} at epoch {f['epochs_run']}).")
    elif not s.convex:
        lines.append(f"Validation loss fell to {_l(f['final_val_loss'])} at the last epoch ({f['epochs_run']}).")
    lines.append(_gap_sentence(f))
    lines.append(_defense_sentence(f, s))
    if f["still_falling"]:
        lines.append(f"Both losses were still falling when the {s.max_epochs}-epoch limit was reached: "
                     "the model had more to learn.")
    if f["weak_fit"]:
        lines.append(_weak_sentence(f))
    verdict = "overfitting" if f["overfit"] else "underfitting" if f["still_falling"] or f["weak_fit"] else "good_fit"
    return verdict, lines


def _times(rise: float) -> str:
    return f"{1 + rise:.1f} times" if rise >= 1 else f"+{rise:.0%} over"


def _gap_sentence(f: dict) -> str:
    kept, last = f["kept_epoch"], f["epochs_run"]
    if f["metric"]:
        ta, va = f["train_accuracy"], f["val_accuracy"]
        text = (f"Train/validation gap at epoch {last}: accuracy {ta[-1]:.1%} against {va[-1]:.1%} "
                f"({_points(f['gap_last'])}), loss {_l(f['train_loss'][-1])} against {_l(f['val_loss'][-1])}")
        if kept != last:
            gap = f["gap_kept"]
            text += (f"; at the kept epoch {kept} the gap was {gap * 100:.1f} points" if gap >= 0 else
                     f"; at the kept epoch {kept} validation was {-gap * 100:.1f} points ahead")
        return text + "."
    text = (f"Train/validation gap at epoch {last}: loss {_l(f['train_loss'][-1])} against "
            f"{_l(f['val_loss'][-1])}")
    if kept != last:
        text += f"; at the kept epoch {kept}, {_l(f['kept_train_loss'])} against {_l(f['kept_val_loss'])}"
    return text + "."


def _l(loss: float) -> str:
    """A loss with three decimals, or two significant digits when it is that small."""
    return f"{loss:.3f}" if abs(loss) >= 0.01 else f"{loss:.2g}"


def _points(gap: float) -> str:
    return f"{gap * 100:.1f} points" if gap >= 0 else f"validation {-gap * 100:.1f} points ahead"


def _defense_sentence(f: dict, s: _Settings) -> str:
    last, kept, kept_loss = f["epochs_run"], f["kept_epoch"], f["kept_val_loss"]
    if s.convex and s.model == "lightgbm":
        return "LightGBM's boosting rounds, stopped when the validation loss stopped improving; the best kept."
    if s.convex:
        return "One convex solve (scikit-learn), its regularization strength chosen on the validation rows."
    if f["stopped_early"]:
        text = f"Early stopping stopped at epoch {last} of {s.max_epochs}"
        if f["restored"]:
            return text + f" and restored epoch {kept} (validation loss {_l(kept_loss)})."
        return text + ("; the weights are the last epoch's." if not s.restore_best else ", at the best epoch.")
    if s.early_stopping:
        text = f"Early stopping was on but did not trigger: all {last} epochs ran"
        if f["restored"]:
            return text + f", and restore-best kept epoch {kept} (validation loss {_l(kept_loss)})."
        return text + "."
    if f["restored"]:
        return f"Early stopping was off; all {last} epochs ran and restore-best kept epoch {kept}."
    if f["overfit"]:
        return (f"No defense acted: early stopping and restore-best were off, so all {last} epochs ran and the "
                f"saved weights are epoch {last}'s (validation loss {_l(f['final_val_loss'])}), not epoch "
                f"{f['best_epoch']}'s ({_l(f['best_val_loss'])}).")
    return f"Early stopping and restore-best were off; the saved weights are the last epoch's ({last})."


def _weak_sentence(f: dict) -> str:
    if f["exact_match"]:
        return (f"Training accuracy is only {f['train_accuracy'][-1]:.1%} (rows with every label right): the model "
                "fits even its training data poorly.")
    if f["metric"]:
        return (f"Training accuracy is only {f['train_accuracy'][-1]:.1%}, barely above always predicting the most "
                "common class: the model fits even its training data poorly.")
    return (f"Training loss is still {f['train_loss'][-1]:.2f} on the standardized target (1.0 is predicting the "
            "mean): the model fits even its training data poorly.")


def _ensemble(members: list[dict], s: _Settings) -> tuple[str, list[str]]:
    n = len(members)
    diverged = [m for m in members if "diverged_at" in m]
    if diverged:
        return "diverged", [(f"The loss became NaN or infinite in {_models(diverged)}: the learning rate is "
                             "probably too high for this model.")]
    stopped = [m for m in members if m["stopped_early"]]
    lines = [f"{n} models, each early-stopped on its own fold; the validation metrics are their out-of-fold "
             "predictions." if s.early_stopping else f"{n} models, each validated on its own fold."]
    if not s.convex:  # a solver's or LightGBM's fit has no epochs to keep
        per_model = ", ".join(f"{m['kept_epoch']} of {m['epochs_run']}" for m in members)
        lines.append(f"Epoch kept of epochs run, model by model: {per_model}.")
    if stopped:
        lines.append(f"Early stopping stopped {len(stopped)} of {n} ({_models(stopped)}); the others ran all "
                     f"{s.max_epochs} epochs." if len(stopped) < n else f"Early stopping stopped all {n}.")
    if all(m.get("gap_kept") is not None for m in members):
        widest = max(members, key=lambda m: (abs(m["gap_kept"]), -m["model"]))
        lines.append(f"Training and validation accuracy at the kept epochs are "
                     f"{sum(abs(m['gap_kept']) for m in members) / n * 100:.1f} points apart on average, "
                     f"{abs(widest['gap_kept']) * 100:.1f} at most (model {widest['model']}).")
    else:
        lines.append(f"Training and validation loss at the kept epochs: "
                     f"{_l(sum(m['kept_train_loss'] for m in members) / n)} against "
                     f"{_l(sum(m['kept_val_loss'] for m in members) / n)} on average.")
    over = [m for m in members if m["overfit"]]
    falling = [m for m in members if m["still_falling"]]
    weak = [m for m in members if m["weak_fit"]]
    if over:
        lines.append(f"Validation loss stalled or rose while training loss fell in {_models(over)} "
                     f"(at most +{max(m['rise'] for m in over):.0%} over its minimum).")
    if falling:
        lines.append(f"Both losses were still falling at the {s.max_epochs}-epoch limit in {_models(falling)}.")
    if weak:
        lines.append(f"Training accuracy is low in {_models(weak)}." if weak[0]["exact_match"] else
                     f"Training accuracy is barely above the most common class in {_models(weak)}.")
    half = n / 2
    verdict = ("overfitting" if len(over) >= half else
               "underfitting" if len(falling) + len(weak) >= half else "good_fit")
    return verdict, lines


def _headline(verdict: str, members: list[dict], s: _Settings) -> str:
    if verdict in ("diverged", "no_history"):
        return HEADLINES[verdict]
    if len(members) > 1:
        n = len(members)
        if verdict == "overfitting":
            return f"Overfitting in {sum(m['overfit'] for m in members)} of {n} models."
        if verdict == "underfitting":
            count = sum(m["still_falling"] or m["weak_fit"] for m in members)
            return f"Underfitting in {count} of {n} models: they had more to learn."
        gaps = [abs(m["gap_kept"]) for m in members if m.get("gap_kept") is not None]
        if gaps and (gap := _wide_gap(members)):
            return (f"Validation settled, with a wide gap: the {n} models' training accuracy is {gap * 100:.1f} "
                    "points above validation on average at their kept epochs.")
        return (f"Good fit: the {n} models' training and validation accuracy are {sum(gaps) / n * 100:.1f} "
                "points apart on average at their kept epochs." if gaps else HEADLINES[verdict])
    f = members[0]
    if verdict == "overfitting":
        if f["restored"]:
            return (f"Overfitting after epoch {f['best_epoch']}, caught: "
                    f"{'early stopping' if f['stopped_early'] else 'restore-best'} kept epoch {f['kept_epoch']}.")
        if f["kept_epoch"] == f["epochs_run"] and f["epochs_run"] > f["best_epoch"]:
            return (f"Overfitting after epoch {f['best_epoch']}, and nothing stopped it: the saved model is epoch "
                    f"{f['epochs_run']}'s, not the best epoch's.")
        return f"Overfitting after epoch {f['best_epoch']}."
    if verdict == "underfitting":
        if f["still_falling"]:
            return (f"Underfitting: validation loss was still falling when the {s.max_epochs}-epoch limit ended "
                    "training.")
        return "Underfitting: the model fits even its training data poorly."
    if gap := _wide_gap(members):
        return (f"Validation settled, with a wide gap: training accuracy is {gap * 100:.1f} points above "
                f"validation at the kept epoch {f['kept_epoch']}.")
    if f.get("gap_kept") is not None:
        return (f"Good fit: training and validation accuracy are {abs(f['gap_kept']) * 100:.1f} points apart at "
                f"the kept epoch {f['kept_epoch']}.")
    return "Good fit: validation loss settled close to the training loss."


def _wide_gap(members: list[dict]) -> float | None:
    """The mean train/validation accuracy gap at the kept epochs when it is GAP or more, else None. A settled
    validation loss with such a gap is no overfitting curve (a solver's or LightGBM's fit, chosen on validation,
    has none), but neither is it training and validation agreeing."""
    gaps = [m["gap_kept"] for m in members if m.get("gap_kept") is not None]
    gap = sum(gaps) / len(gaps) if gaps and len(gaps) == len(members) else 0.0
    return gap if gap >= GAP else None


def _models(members: list[dict]) -> str:
    numbers = [str(m["model"]) for m in members]
    return ("model " if len(numbers) == 1 else "models ") + (
        numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1])


# ---------------------------------------------------------------------------------------------------------------
# Next steps


def _next_steps(verdict: str, members: list[dict], s: _Settings, metrics: dict) -> list[str]:
    if verdict == "diverged":
        return ["Lower the learning rate: `--learning-rate 0.0003`.", "Clip gradients: `--gradient-clip 1.0`."]
    if verdict == "no_history":
        return []
    first = members[0]
    rows = (metrics.get("training") or {}).get("n_train")
    text_model = s.model not in ("mlp", "ensemble", "lightgbm", "table_linear")
    pretrained = s.model == "pretrained"
    steps = []
    if verdict == "overfitting":
        if not s.early_stopping:
            would = first.get("would_stop")
            then = (f": it would have stopped at epoch {would['stop_epoch']} and kept epoch {would['kept_epoch']} "
                    f"(validation loss {_l(would['kept_val_loss'])} instead of {_l(first['final_val_loss'])})"
                    if would else "")
            steps.append(f"Turn early stopping back on (the default; drop `--no-early-stopping`){then}.")
        else:
            steps.append("Keep early stopping and restore-best on: they are what keeps the best epoch here.")
        if pretrained:
            steps.append("Fine-tuning overfits within few epochs: a lower learning rate (`--learning-rate 2e-5`), "
                         "or keep the lower layers fixed (`--freeze-layers 2`).")
        elif text_model:
            steps.append(f"Raise dropout: `--dropout {_more_dropout(s.dropout)}` (now {s.dropout:g}); "
                         "`--embedding-dropout 0.1` also drops whole words.")
        else:
            steps.append(f"Raise dropout: `model.mlp_dropout: {_more_dropout(s.mlp_dropout)}` in a --config file "
                         f"(now {s.mlp_dropout:g}).")
        decay = f"{max(s.weight_decay * 10, 0.01):g}"
        steps.append(f"Add L2 weight decay: `--weight-decay {decay}` (`regularization.weight_decay`; now "
                     f"{s.weight_decay:g}).")
        data = f" (it trained on {rows:,} rows)" if rows else ""
        if pretrained:
            steps.append(f"More training data{data} helps most; or teach its knowledge to a small model on "
                         "more (unlabeled or augmented) text with `trainwright distill`.")
        else:
            steps.append(f"More training data{data} helps most; otherwise a smaller model "
                         f"({'`--hidden-size 32`' if text_model else '`model.mlp_hidden_sizes: [32, 16]`'}) or "
                         "a pretrained one, which needs less data to generalize.")
    elif verdict == "underfitting":
        if any(m.get("still_falling") for m in members):
            steps.append(f"Train longer: `--epochs {s.max_epochs * 2}`; early stopping still keeps the best epoch.")
        steps.append("A bigger model: " + ("`--hidden-size 128 --embedding-dim 128`, or a pretrained model"
                                             if text_model else "`model.mlp_hidden_sizes: [128, 64]`") + ".")
        if s.dropout > 0 or s.weight_decay > 0:
            steps.append("Less regularization: lower `--dropout` / `--weight-decay`.")
        steps.append("A higher learning rate if the curves fall slowly: `--learning-rate 0.003`.")
    else:
        if any(m.get("still_falling") for m in members):
            steps.append(f"Some models were still improving: `--epochs {s.max_epochs * 2}` may gain a little.")
        if gap := _wide_gap(members):
            steps.append(f"Training accuracy runs {gap * 100:.1f} points ahead of validation: the model learns "
                         "patterns that do not carry to new rows. More rows help most; so do fewer, more "
                         "informative columns (`trainwright doctor` names identifiers and near-constant ones).")
        else:
            steps.append("Training and validation agree, so gains now come from more or better data (more rows, "
                         "more informative columns) or a bigger or pretrained model.")
        if s.early_stopping:
            steps.append("Keep early stopping on: it costs nothing when the model does not overfit.")
    return steps


def _more_dropout(current: float) -> str:
    return f"{min(0.5, max(0.3, current + 0.2)):g}"
