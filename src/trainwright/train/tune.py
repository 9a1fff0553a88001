"""`trainwright tune`: search a model's settings with Optuna, then retrain the best and save it.

    result = tune("train.csv", valid="dev.csv", test="test.csv", out="runs/sst2-tune", trials=20)
    result.best            # runs/sst2-tune/best, an ordinary saved model
    result.trials          # one row per trial: settings, state, validation figure

Each trial trains an ordinary run, saved at OUT/trials/trial-NNN, on the same training and validation rows; its
validation `stopping.monitor` (the metric early stopping watches: val_loss unless set) is reported to the pruner
each epoch, and a trial doing worse than the others did at that epoch is stopped there (pruned) and saved as it
is. A trial that fails is recorded with its error, and the study goes on. A new study's first trial is the
model's defaults (each model's, when the model is searched); then TPE (seeded) picks each trial's settings from
the space of tune_space.py. The trials of the whole study, every worker's, are written to
OUT/trials.csv and OUT/trials.json.

Workers: every `tune` given the same --storage URL and --study name adds its --trials to one study. A worker
that finishes while others still run trials leaves the best to them: the last one to finish retrains the study's
best (one at a time, and not again if OUT/best already holds it). `retrain=False` (--no-retrain) never retrains;
`tune ... --trials 0` runs no trial and retrains the study's best.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import lightning as L
from pydantic import ValidationError

from ..artifact import Artifact, fingerprint, save_artifact
from ..config import DataConfig, RunConfig, build_config
from ..destination import check_folder, claim_folder
from ..errors import ConfigError
from ..evaluate.evaluation import evaluate_examples
from ..extras import require
from ..log import logger
from .callbacks import ReportToTrial
from .distributed import single_process
from .columns import read_labeled
from .process import use_threads
from .resolve import resolve
from .run import fit_artifact, prepare
from .tune_space import Space, apply_settings, resolve_space

RUNS = "trials"  # OUT/trials/trial-NNN
BEST = "best"  # OUT/best
NOT_IN_SETUP = ("train.threads", "train.accelerator")  # may differ between workers: speed, not results


@dataclass
class TuneResult:
    path: Path  # OUT
    study: str
    storage: str
    metric: str  # the validation metric trials are ranked by, e.g. val_loss
    direction: str  # minimize or maximize
    trials: list[dict]  # every trial of the study, see tune_trials.trial_rows
    best_trial: int | None = None
    best_value: float | None = None
    best_settings: dict = field(default_factory=dict)
    best: Path | None = None  # OUT/best, when retrained
    metrics: dict = field(default_factory=dict)  # the retrained best's: valid (and test)
    not_retrained: str | None = None  # why the best was not retrained, when it was not


@dataclass
class TuneData:
    """The tables and what was inferred from them, read once and shared by every trial."""

    roles: object
    examples: object
    target: object
    data: DataConfig  # the data section with the target, text and feature columns resolved
    default_model: str  # the model for these inputs when none is named ("auto": text alone)
    valid_set: object
    sources: tuple[str, str]
    fingerprint: dict


def tune(data: str | Path, *, valid: str | Path | None = None, test: str | Path | None = None,
         out: str | Path = "runs/tune", trials: int = 20, timeout: float | None = None, storage: str | None = None,
         study: str | None = None, config: RunConfig | str | Path | None = None, model: str | None = None,
         pruner="median", seed: int | None = None, threads: int | None = None,
         retrain: bool = True) -> TuneResult:
    """Run `trials` trials (and at most `timeout` seconds) of the study `study` in `storage` [OUT/study.db], then
    retrain the study's best settings on DATA and save them at OUT/best, with test metrics when `test` is given.
    `seed` seeds both the runs and the sampler; `model` fixes the model (else the config's, else searched for
    text alone); `pruner` is median, hyperband, none, or an optuna.pruners object. See the module docstring for
    workers sharing a study."""
    for module in ("optuna", "sqlalchemy", "filelock"):  # missing: a message naming the extra, before any work
        require(module, "trainwright tune")
    from .tune_study import default_storage, make_pruner, make_sampler, open_study

    out = check_folder(out, "tune")  # before any work: a folder that is not ours is refused
    with _quiet_optuna():
        base = _base_config(config, model, seed, threads)
        single_process(base, "tune")
        tables = read_tables(data, valid, base)
        claim_folder(out, "tune")
        space = resolve_space(base, tables.default_model, str(config) if isinstance(config, (str, Path)) else "config")
        _tell_space(space)
        stop = base.stopping
        direction = "minimize" if stop.direction == "min" else "maximize"
        storage = storage or default_storage(out)
        name = study or out.resolve().name
        opened, created = open_study(storage, name, direction, make_sampler(base.train.seed),
                                     make_pruner(pruner, _max_epochs(base, tables, space)), _setup(base, tables))
        logger.info(f"tune: study '{name}' in {storage}; {trials} trials" + (f" or {timeout:.0f}s" if timeout else "")
                    + f", ranked by {stop.monitor} ({direction})")
        if created:  # its first trials: the defaults, see Space.starting_points (by one worker, so only once)
            for point in space.starting_points(lambda m: trial_config(base, tables, {"model.name": m})):
                opened.enqueue_trial(point)
        rows = run_trials(opened, Objective(base, tables, space, out, name), trials, timeout, out)
        result = TuneResult(out, name, storage, stop.monitor, direction, rows)
        _take_best(opened, result)
        result.not_retrained = "--no-retrain" if not retrain else _others_running(opened)
        if result.not_retrained:
            logger.info(f"tune: the best is not retrained here: {result.not_retrained}")
        else:
            result.best, result.metrics = retrain_best(base, tables, result, test, out / BEST)
        return result


def run_trials(study, objective: Objective, trials: int, timeout: float | None, out: Path) -> list[dict]:
    """Run this worker's trials; a failing one is recorded and the next starts. Returns every trial of the study
    (all workers') as written to OUT/trials.csv, which is written even when interrupted."""
    from .tune_trials import trial_rows, write_trials

    try:
        if trials > 0:
            study.optimize(objective, n_trials=trials, timeout=timeout, catch=(Exception,), gc_after_trial=True)
    finally:
        rows = trial_rows(study, objective.base.stopping.monitor)
        write_trials(rows, out)
    return rows


def _others_running(study) -> str | None:
    """Why this worker should leave retraining to another: trials still running (this worker's are done, so they
    are other workers'). Trials of a worker that died, without a heartbeat for a while, are marked failed first."""
    import optuna

    optuna.storages.fail_stale_trials(study)
    running = sum(t.state.name == "RUNNING" for t in study.get_trials(deepcopy=False))
    if running:
        return (f"{running} trial(s) of other workers still running; the last worker to finish retrains it (or run "
                "tune with --trials 0 afterwards)")
    return None


def _take_best(study, result: TuneResult) -> None:
    if not any(t.state.name == "COMPLETE" for t in study.get_trials(deepcopy=False)):
        raise ConfigError(_nothing_complete(result.study, result.trials, result.path))
    best = study.best_trial
    result.best_trial, result.best_value = best.number, best.value
    result.best_settings = best.user_attrs.get("settings", dict(best.params))
    logger.info(f"tune: best trial {best.number}: {result.metric} {best.value:.4f} with "
                + _describe(result.best_settings))


class Objective:
    """One trial: settings from the space, an ordinary run trained and saved at OUT/trials/trial-NNN."""

    def __init__(self, base: RunConfig, tables: TuneData, space: Space, out: Path, study: str):
        self.base, self.tables, self.space, self.out, self.study = base, tables, space, out, study
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, trial) -> float:
        import optuna

        settings = self.space.sample(trial)
        run = self.out / RUNS / f"trial-{trial.number:03d}"
        for key, value in (("settings", settings), ("run", str(run)), ("worker", self.worker)):
            trial.set_user_attr(key, value)
        logger.info(f"tune: trial {trial.number}: {_describe(settings)}")
        stop = self.base.stopping
        record = {"study": self.study, "trial": trial.number, "settings": settings, "metric": stop.monitor}
        artifact, report = self._train(trial, settings, run, record)
        # the saved model is the best epoch's when early stopping restores it, else the last epoch's
        value = report.best if stop.enabled and stop.restore_best else (report.values or [None])[-1]
        state = "pruned" if report.pruned_at else "complete"
        artifact.metrics["tune"] = {**record, "state": state, "value": value, "pruned_at_epoch": report.pruned_at}
        save_artifact(artifact, run)
        trial.set_user_attr("epochs", len(artifact.history))
        if "accuracy" in artifact.metrics["valid"]:
            trial.set_user_attr("valid_accuracy", artifact.metrics["valid"]["accuracy"])
        figure = f"{stop.monitor} {value:.4f}" if value is not None else f"no {stop.monitor}"
        if report.pruned_at:
            trial.set_user_attr("pruned_at_epoch", report.pruned_at)
            logger.info(f"tune: trial {trial.number} pruned at epoch {report.pruned_at} ({figure})")
            raise optuna.TrialPruned(f"pruned at epoch {report.pruned_at}")
        logger.info(f"tune: trial {trial.number} complete: {figure}, {len(artifact.history)} epochs")
        return value

    def _train(self, trial, settings: dict, run: Path, record: dict) -> tuple[Artifact, ReportToTrial]:
        """The trial's model, trained with its epochs reported to the pruner. On an error, the trial's run
        directory and the study keep the error, and the exception goes on to Optuna, which marks the trial
        failed and starts the next."""
        from .tune_trials import save_failed_run

        config = trial_config(self.base, self.tables, settings)
        report = ReportToTrial(trial, self.base.stopping.monitor, self.base.stopping.direction)
        try:
            artifact = fit(config, self.tables, callbacks=[report])
            if not report.values:
                raise ConfigError(f"stopping.monitor '{report.monitor}' was never logged; use val_loss or "
                                  "val_accuracy.")
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
            trial.set_user_attr("error", error[:2000])
            save_failed_run(run, config, {**record, "state": "failed", "error": error})
            logger.warning(f"tune: trial {trial.number} failed: {error}")
            raise
        return artifact, report


def retrain_best(base: RunConfig, tables: TuneData, result: TuneResult, test, out: Path) -> tuple[Path, dict]:
    """The best trial's settings trained again on the same rows (so the same model, on the same machine and
    threads), evaluated on `test` when given, and saved at `out`. One worker at a time; a worker finding the same
    best already saved there (by another finishing at the same moment) keeps it."""
    from filelock import FileLock

    out.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(out.parent / f".{out.name}.lock"):
        saved = _saved_best(out, result, test)
        if saved is not None:
            logger.info(f"tune: {out} already holds trial {result.best_trial}'s model")
            return out.resolve(), saved
        logger.info(f"tune: retraining trial {result.best_trial}'s settings into {out}")
        config = trial_config(base, tables, result.best_settings)
        artifact = fit(config, tables)
        if test is not None:
            test_set = read_labeled(test, tables.roles, config)
            artifact.metrics["test"] = evaluate_examples(artifact.predictor(), test_set, str(test))
        artifact.metrics["tune"] = {"study": result.study, "state": f"best (trial {result.best_trial})",
                                    "best_trial": result.best_trial, "settings": result.best_settings,
                                    "metric": result.metric, "value": result.best_value}
        return save_artifact(artifact, out), artifact.metrics


def _saved_best(out: Path, result: TuneResult, test) -> dict | None:
    """The metrics of `out` when it is already this study's best trial retrained (with test metrics if asked)."""
    try:
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tune = metrics.get("tune") or {}
    same = tune.get("study") == result.study and tune.get("best_trial") == result.best_trial
    return metrics if same and (test is None or "test" in metrics) else None


def read_tables(data, valid, base: RunConfig) -> TuneData:
    """Read DATA (and --valid) once, resolving the columns and the task as `trainwright train` does."""
    resolved, roles, examples, target = prepare(data, base.model_copy(deep=True))
    valid_set = read_labeled(valid, roles, resolved) if valid is not None else None
    default_model = resolved.model.name
    if default_model == "auto" and not roles.text:  # a table: its model with settings worth searching
        default_model = "mlp"
    return TuneData(roles=roles, examples=examples, target=target, data=resolved.data,
                    default_model=default_model, valid_set=valid_set,
                    sources=(str(data), str(valid or data)), fingerprint=fingerprint(data, len(examples)))


def trial_config(base: RunConfig, tables: TuneData, settings: dict) -> RunConfig:
    """The base config with the data section resolved, `settings` set, and the model's presets for the rest:
    a new, frozen configuration (resolve.py). A pretrained model is located when the trial trains."""
    config = base.derive({"data": tables.data}).thawed()
    apply_settings(config, settings)
    return resolve(config, locate_pretrained=False)


def fit(config: RunConfig, tables: TuneData, callbacks=()) -> Artifact:
    """Train one model, seeded as `trainwright train` seeds it, on the shared rows."""
    use_threads(config.train.threads)
    L.seed_everything(config.train.seed, verbose=False)
    artifact = fit_artifact(tables.examples, tables.roles, tables.target, config, tables.valid_set, tables.sources,
                            callbacks=callbacks)
    artifact.data = {"train": {**tables.fingerprint, "rows_used": artifact.metrics["training"]["n_train"]}}
    return artifact


@contextmanager
def _quiet_optuna():
    """Optuna's own INFO lines (study created, trial finished) repeat what our log says about each trial; its
    warnings that the heartbeat (a dead worker's trials marked failed) is experimental say nothing to users."""
    optuna = require("optuna", "trainwright tune")
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _base_config(config, model: str | None, seed: int | None, threads: int | None) -> RunConfig:
    base = config.thawed() if isinstance(config, RunConfig) else build_config(
        Path(config) if config else None)
    for flag, section, key, value in (("--model", "model", "name", model), ("--seed", "train", "seed", seed),
                                      ("--threads", "train", "threads", threads)):
        if value is not None:
            try:
                setattr(getattr(base, section), key, value)
            except ValidationError as e:
                raise ConfigError(f"{flag} {value!r}: {e.errors()[0]['msg']}.") from None
    if model is not None and "model.name" in base.tune.space:
        logger.info(f"tune: --model {model} given: tune.space 'model.name' is not searched")
        base.tune.space = {k: v for k, v in base.tune.space.items() if k != "model.name"}
    if not base.stopping.monitor.startswith("val_"):
        raise ConfigError(f"tune ranks trials by stopping.monitor, '{base.stopping.monitor}' is not a validation "
                          "metric; set it to val_loss or val_accuracy.")
    if base.train.ensemble not in ("auto", 1):
        raise ConfigError(f"tune trains one model per trial: remove train.ensemble ({base.train.ensemble}) or set "
                          "it to 1.")
    base.train.ensemble = 1
    return base


def _setup(base: RunConfig, tables: TuneData) -> dict:
    """What a study's trials depend on; every worker joining the study must bring the same."""
    settings = {f"{section}.{key}": value for section, values in base.model_dump(mode="json").items()
                for key, value in values.items() if f"{section}.{key}" not in NOT_IN_SETUP}
    return {"training data": tables.fingerprint["sha256"], "validation data": _checksum(tables.sources[1]),
            **settings}


def _checksum(path: str) -> str:
    return fingerprint(path, 0)["sha256"]


def _max_epochs(base: RunConfig, tables: TuneData, space: Space) -> int:
    """The most epochs a trial may run (Hyperband's budget)."""
    epochs = [trial_config(base, tables, {"model.name": model}).train.epochs for model in space.models]
    searched = space.shared.get("train.epochs")
    if searched is not None:
        epochs.append(int(max(searched.choices) if searched.choices else searched.high))
    return max(epochs)


def _tell_space(space: Space) -> None:
    logger.info("tune: searching " + "; ".join(space.describe()))
    if space.fixed:
        logger.info(f"tune: not searched, as your config sets them: {', '.join(space.fixed)}")


def _describe(settings: dict) -> str:
    """'model lstm, learning_rate 0.00206, batch_size 16'."""
    names = {key: "model" if key == "model.name" else key.split(".", 1)[1] for key in settings}
    return ", ".join(f"{names[key]} {value:.3g}" if isinstance(value, float) else f"{names[key]} {value}"
                     for key, value in settings.items())


def _nothing_complete(name: str, rows: list[dict], out: Path) -> str:
    if not rows:
        return f"Study '{name}' has no trials yet: run tune with --trials 1 or more."
    counts = {state: sum(row["state"] == state for row in rows) for state in ("failed", "pruned", "running")}
    errors = [row["error"] for row in rows if row.get("error")]
    summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    first = f" First error: {errors[0]}" if errors else ""
    return (f"No trial of study '{name}' completed ({summary}), so there is no best to retrain. See "
            f"{out / 'trials.csv'}.{first}")
