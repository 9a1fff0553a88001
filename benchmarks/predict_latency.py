"""One text (or one record) per `predict` call, in-process: the table path against the list path, side by side
in one run.

  table path  what `Predictor.predict([text])` did before the list path: the text as a one-row DataFrame,
              cleaned by the Cleaner's table transform, joined and tokenized (`Predictor.outputs(Predictor.frame)`)
  list path   `Predictor.predict([text])` now: a text-only model cleans, joins and tokenizes plain lists
  model alone the forward pass on inputs encoded beforehand: what neither path can save

A model with table columns is given FILE's rows as records ({column: value}, every value a string as written,
`?` included), one per call: its table path builds, cleans and encodes a one-row DataFrame; its list path
cleans and encodes per-column lists and arrays.

Each of the first --rows texts (records) of FILE is predicted --repeats times by each path, the paths taking
turns on every call, so a change in the machine's load hits both alike; a warm-up of 50 calls each comes first.
Printed: median and p90 milliseconds per call, and calls per second at the median. Both paths must give the same
probabilities, bit for bit; the script checks that on every row it times.

Run from the project root:
    .venv/bin/python benchmarks/predict_latency.py [MODEL] [FILE] [--threads 1] [--rows 200] [--repeats 5]
        [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO / "runs" / "sst2"
DEFAULT_FILE = REPO.parent / "shared" / "data" / "text" / "sst2" / "test.csv"


def table_path(predictor, inputs: list):
    """`predict` as it was before the list path (classification): through a one-row table."""
    from trainwright import Predictions

    outputs = predictor.outputs(predictor.frame(inputs))
    return Predictions(labels=predictor.target.inverse(outputs.argmax(axis=1)), probabilities=outputs,
                       classes=list(predictor.target.classes_))


def list_path(predictor, inputs: list):
    return predictor.predict(inputs)


def model_alone(predictor, encoded):
    from trainwright.predictor import predict_encoded

    pad = predictor.preprocessing.tokenizer.pad if predictor.preprocessing.tokenizer is not None else None
    return predict_encoded(predictor.model, predictor.task, encoded, pad)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rows", type=int, default=200, help="texts timed, from the top of FILE")
    parser.add_argument("--repeats", type=int, default=5, help="calls per text and path")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    if not args.model.is_dir() or not args.file.is_file():
        print(f"Need a saved model ({args.model}) and a CSV of its inputs ({args.file}): train one with "
              "`trainwright train ../shared/data/text/sst2/train.csv --model lstm --out runs/sst2` (or on a table, "
              "e.g. ../shared/data/tabular/horse-colic.csv --target outcome).", file=sys.stderr)
        return 2

    import numpy as np
    import pandas as pd
    import torch

    import trainwright

    torch.set_num_threads(args.threads)
    predictor = trainwright.load(args.model)
    if predictor.preprocessing.text_only:
        kind = "text"
        inputs = pd.read_csv(args.file)[predictor.text_columns[0]].astype(str).tolist()[:args.rows]
    else:
        kind = "record"
        inputs = pd.read_csv(args.file, dtype=str, keep_default_na=False).to_dict("records")[:args.rows]
    paths = {"table path": table_path, "list path": list_path, "model alone": model_alone}
    encoded = [predictor.preprocessing.encode(predictor.frame([one])) for one in inputs]
    for _ in range(50):
        for name, run in paths.items():
            run(predictor, encoded[0] if name == "model alone" else inputs[:1])
    times = {name: [] for name in paths}
    for one, ready in zip(inputs, encoded):
        results = {}
        for _ in range(args.repeats):
            for name, run in paths.items():
                started = time.perf_counter()
                results[name] = run(predictor, ready if name == "model alone" else [one])
                times[name].append(time.perf_counter() - started)
        table, listed = results["table path"], results["list path"]
        if table.labels != listed.labels or not np.array_equal(table.probabilities, listed.probabilities):
            print(f"The paths disagree on {one!r}: {results}", file=sys.stderr)
            return 1

    figures = {}
    print(f"{args.model}: one {kind} per call, {len(inputs)} {kind}s x {args.repeats}, {args.threads} thread(s)")
    print(f"{'path':<12} {'p50 ms':>8} {'p90 ms':>8} {'calls/s':>9}")
    for name, seconds in times.items():
        p50, p90 = statistics.median(seconds) * 1000, statistics.quantiles(seconds, n=10)[-1] * 1000
        figures[name] = {"p50_ms": round(p50, 3), "p90_ms": round(p90, 3), "calls_per_s": round(1000 / p50)}
        print(f"{name:<12} {p50:8.3f} {p90:8.3f} {1000 / p50:9,.0f}")
    speedup = figures["table path"]["p50_ms"] / figures["list path"]["p50_ms"]
    print(f"speed-up at the median: x{speedup:.1f}; probabilities identical on every row")
    figures["speedup"] = round(speedup, 2)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
