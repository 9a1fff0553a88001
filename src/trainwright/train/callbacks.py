"""Small callbacks with named hooks: restore the best weights, record and tell each epoch's figures, and show
the batches of the epoch under way."""

from __future__ import annotations

import copy
import math
import time
from contextlib import ExitStack

import lightning as L
import torch
from lightning.pytorch.callbacks import Checkpoint

from ..log import logger
from ..progress import progress_bar


class RestoreBestWeights(L.Callback):
    """Keep a copy of the weights at the best `monitor` value and put them back when training ends."""

    def __init__(self, monitor: str = "val_loss", mode: str = "min"):
        self.monitor = monitor
        self.sign = 1 if mode == "min" else -1
        self.best = None
        self.best_epoch = None
        self.last_epoch = None
        self.state = None

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        if self.monitor not in metrics:
            raise KeyError(f"cannot restore best weights: no metric '{self.monitor}'; "
                           f"available: {', '.join(sorted(metrics))}")
        value = float(metrics[self.monitor]) * self.sign
        self.last_epoch = trainer.current_epoch + 1
        if self.best is None or value < self.best:
            self.best, self.best_epoch = value, trainer.current_epoch + 1
            self.state = copy.deepcopy(pl_module.state_dict())

    def state_dict(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch, "last_epoch": self.last_epoch, "state": self.state}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch, self.last_epoch = state["best"], state["best_epoch"], state["last_epoch"]
        self.state = state["state"]

    def on_fit_end(self, trainer, pl_module):
        if self.state is not None:
            pl_module.load_state_dict(self.state)
            if self.best_epoch != self.last_epoch:
                logger.info(f"restored the weights of epoch {self.best_epoch} (best {self.monitor} "
                            f"{self.best * self.sign:.4f})")


class EpochLog(L.Callback):
    """Per-epoch metrics and wall time in `history`, and one line per epoch for the user."""

    def __init__(self, label: str = ""):
        self.label = label
        self.history: list[dict] = []
        self._start = 0.0

    def state_dict(self) -> dict:
        return {"history": self.history}

    def load_state_dict(self, state: dict) -> None:
        self.history = list(state["history"])

    def on_train_epoch_start(self, trainer, pl_module):
        self._start = time.perf_counter()
        self._samples = 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self._samples += len(batch[1])  # (inputs, targets): an epoch cut short by train.time_limit counts true

    def on_train_epoch_end(self, trainer, pl_module):
        seconds = time.perf_counter() - self._start
        row = {"epoch": trainer.current_epoch + 1, "seconds": round(seconds, 3), "samples": self._samples}
        row.update({k: round(float(v), 5) for k, v in sorted(trainer.callback_metrics.items())})
        self.history.append(row)
        figures = "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k not in ("epoch", "seconds", "samples"))
        # the epochs planned when this one ended (a time limit may have cut them), read by the diagnosis
        row["epochs_planned"] = trainer.max_epochs
        logger.info(f"{self.label}epoch {row['epoch']}/{trainer.max_epochs}  {figures}  ({seconds:.1f}s)")


class BatchProgress(L.Callback):
    """A bar over the training batches of the current epoch, on an interactive stderr only (elsewhere EpochLog's
    lines are all there is). It goes away before the epoch's line is printed. Each batch only sets a number; rich
    redraws a few times a second on its own thread, so the bar costs training next to nothing."""

    def __init__(self, label: str = ""):
        self.label = label
        self._bar = ExitStack()
        self._update = None

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.is_global_zero:
            self._update = self._bar.enter_context(
                progress_bar(f"{self.label}epoch {trainer.current_epoch + 1}/{trainer.max_epochs}"))

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self._update is not None:
            total = trainer.num_training_batches
            self._update(batch_idx + 1, total if math.isfinite(total) else None)

    def on_validation_start(self, trainer, pl_module):
        self._close()  # the epoch's batches are done; validation follows, then the epoch's line

    def on_train_epoch_end(self, trainer, pl_module):
        self._close()

    def on_exception(self, trainer, pl_module, exception):
        self._close()

    def _close(self):
        self._update = None
        self._bar.close()


SLOWER = 1.05  # planning for epochs this much slower than so far, so the last one ends inside the limit
LENGTHEN = 1.1  # a plan grows only when this many times as many epochs fit


class EpochsWithinTimeLimit(L.Callback):
    """With train.time_limit and a decaying learning rate: as many epochs as fit in the limit (the configured
    epochs at most), re-planned at each epoch's end from the mean epoch so far, and the decay fitted to them. The
    limit then ends training on a settled, validated epoch, not in the middle of a high learning rate. Every
    process takes the first one's plan, so all stop together."""

    def __init__(self, seconds: float, label: str = ""):
        self.seconds = seconds
        self.label = label
        self._start = 0.0
        self._first_epoch = 0
        self._configured = 0  # the configured epochs: a plan never goes past them

    def on_train_start(self, trainer, pl_module):
        self._start, self._first_epoch = time.monotonic(), trainer.current_epoch
        self._configured = trainer.max_epochs

    def on_train_epoch_end(self, trainer, pl_module):
        done = trainer.current_epoch + 1
        elapsed = time.monotonic() - self._start
        per_epoch = elapsed / max(1, done - self._first_epoch)
        fit = done + int(max(0.0, self.seconds - elapsed) // (per_epoch * SLOWER))
        planned = trainer.strategy.broadcast(max(done, min(self._configured, fit)), src=0)
        # shortened at once, to stay inside the limit; lengthened only by a tenth or more (a machine that got
        # quieter, or the first epoch's warm-up), so that the decay does not swing with the load
        if planned == trainer.max_epochs or trainer.max_epochs < planned <= LENGTHEN * trainer.max_epochs:
            return
        trainer.fit_loop.max_epochs = planned
        pl_module.plan_epochs(planned, trainer.num_training_batches // trainer.accumulate_grad_batches)
        logger.info(f"{self.label}{planned} epochs fit in the time limit ({self.seconds:.0f} s, "
                    f"{per_epoch:.1f} s an epoch): the learning rate decays over them")


class EpochCheckpoint(Checkpoint):
    """The last finished epoch saved to `file` for --resume, when saving costs little: after the first epoch,
    then once the training since the last save has taken SAVE_EVERY times as long as that save took.

    A small model's epoch can be shorter than writing its tables and optimizer state (fastText on TREC: 0.3 s an
    epoch, 0.25 s a save), and a save each epoch then costs near half the training; now at most a tenth. A run
    killed between saves resumes from the last one, repeats those few epochs and ends the same. Lightning runs
    checkpoint callbacks last, so the save holds each callback's state of this epoch; it writes the file whole
    (a temporary file moved into place), so a kill -9 mid-save leaves the previous one."""

    SAVE_EVERY = 10

    def __init__(self, file, clock=time.monotonic):
        self.file = file
        self.clock = clock
        self.saved_at: float | None = None  # when the last save ended
        self.save_seconds = 0.0

    def on_train_epoch_end(self, trainer, pl_module):
        started = self.clock()
        due = self.saved_at is None or started - self.saved_at >= self.SAVE_EVERY * self.save_seconds
        if trainer.strategy.broadcast(due):  # data-parallel: every process saves (a barrier) or none does
            trainer.save_checkpoint(self.file)
            self.saved_at = self.clock()
            self.save_seconds = self.saved_at - started


class RandomState(L.Callback):
    """Saves torch's random generator with each checkpoint and puts it back on resume, so that dropout draws
    the same masks after a resume as in an uninterrupted run."""

    def state_dict(self) -> dict:
        return {"torch": torch.get_rng_state()}

    def load_state_dict(self, state: dict) -> None:
        torch.set_rng_state(state["torch"])


class ReportToTrial(L.Callback):
    """`trainwright tune`: tell an Optuna trial each epoch's validation `monitor` value, and stop training when its
    pruner says the trial is doing worse than the others did at that epoch. Stopping (rather than raising
    optuna.TrialPruned here) lets the run end as usual, best weights restored, so the pruned trial is saved and
    shows in the leaderboard; the caller raises TrialPruned once it is saved."""

    def __init__(self, trial, monitor: str, mode: str):
        self.trial = trial
        self.monitor = monitor
        self.sign = 1 if mode == "min" else -1
        self.values: list[float] = []
        self.pruned_at: int | None = None

    @property
    def best(self) -> float | None:
        finite = [v for v in self.values if math.isfinite(v)]
        return min(finite, key=lambda v: self.sign * v) if finite else None

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking or self.monitor not in trainer.callback_metrics:
            return  # an unknown monitor is reported by the early-stopping set-up, with the metrics to choose from
        value = float(trainer.callback_metrics[self.monitor])
        epoch = trainer.current_epoch + 1
        self.values.append(value)
        self.trial.report(value, epoch)
        # a diverged trial (loss NaN or infinite) will not recover: stop it whatever the pruner says
        if not math.isfinite(value) or self.trial.should_prune():
            self.pruned_at = epoch
            trainer.should_stop = True


class StopWhenBehind(L.Callback):
    """Stop a candidate of `--model auto` whose validation accuracy fell this epoch while its best is still below
    the leading candidate's: past its best and behind, it cannot win, and early stopping would spend `patience`
    more epochs to find that out."""

    def __init__(self, leader_accuracy: float):
        self.leader = leader_accuracy
        self.best = None

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking or "val_accuracy" not in trainer.callback_metrics:
            return
        accuracy = float(trainer.callback_metrics["val_accuracy"])
        if self.best is not None and accuracy < self.best and self.best < self.leader:
            logger.info(f"stopped: validation accuracy fell to {accuracy:.4f}, best {self.best:.4f}, behind the "
                        f"leading candidate's {self.leader:.4f}")
            trainer.should_stop = True
        self.best = accuracy if self.best is None else max(self.best, accuracy)

    def state_dict(self) -> dict:  # a resumed candidate decides as the uninterrupted one would
        return {"best": self.best}

    def load_state_dict(self, state: dict) -> None:
        self.best = state["best"]
