"""The Optuna study behind `trainwright tune`: its storage, sampler and pruner, shared safely by several workers.

Every worker given the same storage URL and study name adds its trials to one study: the first creates it, the
others join it. The study remembers what it was started on (data checksums, settings, space): a worker that
brings other data or settings is refused rather than mixing trials that do not compare.
"""

from __future__ import annotations

import time
from pathlib import Path

import optuna

from ..errors import ConfigError
from ..log import logger

PRUNERS = ("median", "hyperband", "none")
SQLITE_BUSY_TIMEOUT_S = 60  # a worker waits this long for another's write lock before SQLite gives up
OPEN_ATTEMPTS = 5  # two workers creating the same new database at once can collide; try again
# A worker that dies (kill -9, power cut) leaves its trial "running"; without a heartbeat for this long, the next
# trial started on the study marks it failed.
HEARTBEAT_S, GRACE_S = 30, 120
# Median pruner: judge a trial only once 5 trials have finished, and from its 2nd epoch on (epochs count from 1):
# the first says little about where a slow starter ends, and many text models are at their best by the 2nd or 3rd.
MEDIAN_STARTUP_TRIALS, MEDIAN_FIRST_EPOCH = 5, 2


def default_storage(out: Path) -> str:
    return f"sqlite:///{(out / 'study.db').resolve()}"


def open_study(storage: str, name: str, direction: str, sampler, pruner, setup: dict) -> tuple[optuna.Study, bool]:
    """Create the study `name` in `storage`, or join it when it exists and was started with the same `setup`.
    Returns the study and whether this worker created it (exactly one does: the database refuses a second)."""
    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(1, OPEN_ATTEMPTS + 1):
        try:
            rdb = _rdb_storage(storage)
            try:
                study, created = optuna.create_study(storage=rdb, study_name=name, direction=direction,
                                                     sampler=sampler, pruner=pruner), True
            except optuna.exceptions.DuplicatedStudyError:
                study, created = optuna.load_study(storage=rdb, study_name=name, sampler=sampler, pruner=pruner), False
            break
        except (SQLAlchemyError, optuna.exceptions.StorageInternalError) as e:
            if attempt == OPEN_ATTEMPTS or not storage.startswith("sqlite"):
                raise ConfigError(f"Cannot open the study storage {storage}: {str(e).rstrip('.')}. Check the "
                                  "--storage URL (e.g. sqlite:///study.db or postgresql://user:pw@host/db).") from None
            time.sleep(0.5 * attempt)
        except (ImportError, ModuleNotFoundError, ValueError) as e:
            raise ConfigError(f"--storage {storage} cannot be used: {str(e).rstrip('.')}. Give an SQLAlchemy "
                              "database URL, e.g. sqlite:///study.db, with its driver installed.") from None
    if study.direction.name.lower() != direction:
        raise ConfigError(f"Study '{name}' in {storage} {study.direction.name.lower()}s its metric, this run would "
                          f"{direction} it; use another --study, or the stopping.monitor it was started with.")
    _check_setup(study, storage, name, setup)
    return study, created


def make_sampler(seed: int) -> optuna.samplers.BaseSampler:
    return TrialSeededSampler(seed)


def make_pruner(name: str | optuna.pruners.BasePruner, max_epochs: int) -> optuna.pruners.BasePruner:
    """The pruner named `name`; an Optuna pruner given from Python is used as it is."""
    if isinstance(name, optuna.pruners.BasePruner):
        return name
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_STARTUP_TRIALS,
                                           n_warmup_steps=MEDIAN_FIRST_EPOCH)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(max_epochs, 2), reduction_factor=3)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ConfigError(f"--pruner '{name}' is not one of {', '.join(PRUNERS)}.")


class TrialSeededSampler(optuna.samplers.BaseSampler):
    """A TPE sampler whose random draws are seeded by (seed, trial number): the same seed and history draw the
    same points, and workers sharing a study never draw the same random start-up points, since their trials
    have distinct numbers (one seeded sampler per worker would make them all try the same ones)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.inner = optuna.samplers.TPESampler(seed=seed)

    def before_trial(self, study, trial) -> None:
        self.inner = optuna.samplers.TPESampler(seed=(self.seed * 1_000_003 + trial.number) % 2 ** 32)
        self.inner.before_trial(study, trial)

    def infer_relative_search_space(self, study, trial):
        return self.inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self.inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self.inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study, trial, state, values) -> None:
        self.inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self.inner.reseed_rng()


def _rdb_storage(url: str) -> optuna.storages.RDBStorage:
    engine = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}} if url.startswith("sqlite") else {}
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.RDBStorage(url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_S,
                                      grace_period=GRACE_S)


def _check_setup(study, storage: str, name: str, setup: dict) -> None:
    """The first worker records `setup`; later ones must bring the same."""
    saved = study.user_attrs.get("setup")
    if saved is None:
        study.set_user_attr("setup", setup)
        return
    changed = sorted(key for key in set(saved) | set(setup) if saved.get(key) != setup.get(key))
    if changed:
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
        raise ConfigError(f"Study '{name}' in {storage} was started with another {shown}; its trials "
                          "would not compare with this run's. Use the same data and config, or another --study "
                          "(or --out).")
    logger.info(f"tune: joining study '{name}' ({len(study.trials)} trials so far)")
