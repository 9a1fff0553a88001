"""`trainwright tune`: the command-line face of `tune`, registered on the app in cli.py.

The table of trials goes to stdout; progress (each trial's settings and outcome) to stderr through the log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ..cli_options import Threads, TrainingTable, Valid


def tune(
    data: TrainingTable,
    valid: Valid = None,
    test: Optional[Path] = typer.Option(None, help="Test table, evaluated once on the retrained best."),
    trials: int = typer.Option(20, min=0, help="Trials this worker runs; 0: none, only retrain the study's best."),
    timeout: Optional[float] = typer.Option(None, min=1, help="Seconds after which no new trial starts [none]."),
    storage: Optional[str] = typer.Option(
        None, help="Optuna database URL shared by workers, e.g. sqlite:///study.db or postgresql://... "
                   "[sqlite:///OUT/study.db]."),
    study: Optional[str] = typer.Option(None, help="Study name in the storage; workers join it [OUT's name]."),
    config: Optional[Path] = typer.Option(None, help="YAML config; its tune.space changes what is searched."),
    model: Optional[str] = typer.Option(
        None, help="Model to tune: lstm, bilstm, gru, cnn, fasttext, linear, transformer, pretrained, mlp or "
                   "lstm+mlp [the config's; auto: text alone searches linear, fasttext, cnn and bilstm]."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to save trials and best "
                                                               "[default: runs/DATA-NAME-tune]."),
    pruner: str = typer.Option("median", help="Stops trials doing worse than the others at the same epoch: "
                                              "median, hyperband or none."),
    threads: Threads = None,
    seed: Optional[int] = typer.Option(None, help="Seed of the runs and of the sampler [0]."),
    retrain: bool = typer.Option(True, "--retrain/--no-retrain",
                                 help="Retrain the study's best at the end and save it at OUT/best; with "
                                      "workers sharing a study, the last to finish does it."),
) -> None:
    """Search the model's settings on DATA (Optuna), then retrain the best and save it at OUT/best."""
    from .tune import tune as run_tune

    out_dir = out_dir or Path("runs") / f"{data.stem}-tune"
    result = run_tune(data, valid=valid, test=test, out=out_dir, trials=trials, timeout=timeout, storage=storage,
                      study=study, config=config, model=model, pruner=pruner, seed=seed, threads=threads,
                      retrain=retrain)
    console = Console()
    console.print(trials_table(result.trials, result.best_trial))
    err = Console(stderr=True)
    err.print(f"Trials: {out_dir / 'trials.csv'}; their runs: {out_dir / 'trials'} (trainwright compare "
              f"{out_dir / 'trials'}/*)", markup=False, highlight=False, soft_wrap=True)
    if result.best is None:
        console.print(f"Best: trial {result.best_trial}, {result.metric} {result.best_value:.4f}; not retrained: "
                      f"{result.not_retrained}.", soft_wrap=True)
        return
    figures = ", ".join(f"{split} accuracy {result.metrics[split]['accuracy']:.4f}"
                        for split in ("valid", "test") if "accuracy" in result.metrics.get(split, {}))
    console.print(f"Best: trial {result.best_trial} ({result.metric} {result.best_value:.4f}), retrained"
                  + (f": {figures}" if figures else "") + f". Model saved to [bold]{result.best}[/bold]",
                  soft_wrap=True)


def trials_table(rows: list[dict], best: int | None) -> Table:
    """Trial, state, the ranking metric, validation accuracy, epochs, seconds and settings (last: the widest);
    the best trial in bold green, pruned and failed ones dimmed."""
    metric = rows[0]["metric"] if rows else "value"
    accuracy = any(row.get("valid_accuracy") is not None for row in rows)
    one_model = len({row["settings"].get("model.name") for row in rows}) == 1
    table = Table(title="Trials", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for title in ("trial", "state", metric, *(["val acc"] if accuracy else []), "epochs", "s", "settings"):
        table.add_column(title, justify="left" if title in ("state", "settings") else "right",
                         no_wrap=title != "settings", overflow="fold")
    for row in rows:
        settings = {k: v for k, v in row["settings"].items() if not (one_model and k == "model.name")}
        state = row["state"] + (f" @{row['pruned_at_epoch']}" if row.get("pruned_at_epoch") else "")
        cells = [str(row["trial"]), state, _number(row["value"], "{:.4f}"),
                 *([_number(row.get("valid_accuracy"), "{:.4f}")] if accuracy else []),
                 _number(row.get("epochs"), "{}"), _number(row.get("seconds"), "{:.0f}"),
                 _settings(settings) + (f" ({row['error'][:100]})" if row.get("error") else "")]
        style = "bold green" if row["trial"] == best else "dim" if row["state"] != "complete" else None
        table.add_row(*cells, style=style)
    return table


def _settings(settings: dict) -> str:
    """'cnn lr 0.0012 batch 64 dropout 0.41': the model (when it is searched), then short names."""
    short = {"learning_rate": "lr", "batch_size": "batch", "embedding_dim": "emb", "hidden_size": "hidden",
             "embedding_dropout": "emb_dropout", "weight_decay": "wd"}
    parts = []
    for key, value in settings.items():
        name = key.split(".", 1)[-1]
        if key == "model.name":
            parts.append(str(value))
        else:
            parts.append(f"{short.get(name, name)} {value:.3g}" if isinstance(value, float) else
                         f"{short.get(name, name)} {value}")
    return " ".join(parts)


def _number(value, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)
