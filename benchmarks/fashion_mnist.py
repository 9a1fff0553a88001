#!/usr/bin/env python3
"""Fashion-MNIST from PNG folders, trainwright vs. the same network in plain Keras, side by side in one run.

The IDX files are first written as a folder per class (fashion_folders.py, once, into a cache outside the
repository); then, one after another, never concurrently, each in a fresh measuring subprocess with the same
thread count:
  1. trainwright-resnet  `trainwright train TRAIN --test TEST --model resnet --epochs E --batch-size B`
  2. keras-resnet        benchmarks/keras_fashion_cnn.py in the Keras venv: the same network layer for layer, the
                         same augmentation, batch size, optimizer and epochs, read by image_dataset_from_directory
  3. trainwright-zero    `trainwright train TRAIN --test TEST --time-limit 900` (leave out: --skip-zero-config)
By default both trainwright and Keras hold out 10% for validation and stop early (val_loss, patience 2, best
weights restored), trainwright's defaults; --no-early-stop trains all E epochs on everything in both.

Reported for each: test accuracy, training images/s (images an epoch trained on / its time, validation included,
median over the epochs after the first, which pays for warm-up: Keras traces its graph and decodes the PNGs), fit
time, and measured from outside: wall time of the whole process, CPU time, peak RSS. Then trainwright / Keras:
the throughput ratio and the accuracy difference. A part that fails is named with its error, and the others run.
The last line is one JSON object with everything, also saved as results.json in the run folder.

Stdlib only; from the project root:
    python3 benchmarks/fashion_mnist.py --threads 2                      # the full benchmark
    python3 benchmarks/fashion_mnist.py --images 6000 --epochs 1 --skip-zero-config   # a quick check
Exit status: 0 if every part ran, 1 if one failed, 2 on a set-up problem (data or the Keras venv missing).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fashion_folders import DATA, DEFAULT_OUT, write_folders  # noqa: E402
from seed_vs_keras import child_env, error_tail, fmt, measure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
KERAS_SCRIPT = REPO / "benchmarks" / "keras_fashion_cnn.py"
DEFAULTS = {"keras_python": REPO / ".bench-venv" / "bin" / "python", "trainwright": REPO / ".venv" / "bin" / "trainwright",
            "out": REPO / "runs" / "bench"}
VENV_HINT = "python3 -m venv .bench-venv && .bench-venv/bin/pip install tensorflow-cpu"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2, help="threads for every system (default 2)")
    ap.add_argument("--epochs", type=int, default=10, help="epochs, trainwright's default (default 10)")
    ap.add_argument("--batch-size", type=int, default=32, help="batch size, trainwright's default (default 32)")
    ap.add_argument("--images", type=int, help="train on the first N training images only (a quick check)")
    ap.add_argument("--time-limit", type=float, default=900, help="zero-config's --time-limit (default 900)")
    ap.add_argument("--no-early-stop", action="store_true", help="all epochs on all training images, both systems")
    ap.add_argument("--skip-zero-config", action="store_true", help="leave out zero-config trainwright")
    ap.add_argument("--skip-resnet", action="store_true", help="leave out trainwright-resnet (the fixed settings)")
    ap.add_argument("--skip-keras", action="store_true", help="leave out Keras")
    ap.add_argument("--skip-trainwright", action="store_true", help="leave out both trainwright runs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA, help=f"folder of the IDX .gz files (default {DATA})")
    ap.add_argument("--cache", type=Path, default=DEFAULT_OUT, help=f"where the PNG folders go (default {DEFAULT_OUT})")
    ap.add_argument("--keras-python", type=Path, default=DEFAULTS["keras_python"],
                    help="python of the Keras venv (default .bench-venv/bin/python)")
    ap.add_argument("--trainwright", type=Path, default=DEFAULTS["trainwright"],
                    help="trainwright executable (default .venv/bin/trainwright)")
    ap.add_argument("--out", type=Path, default=DEFAULTS["out"], help="results go to OUT/<timestamp>/ (default runs/bench)")
    a = ap.parse_args(argv)
    if a.threads < 1 or a.epochs < 1 or a.batch_size < 1 or (a.images is not None and a.images < 1):
        ap.error("--threads, --epochs, --batch-size and --images must be at least 1")
    for key in ("keras_python", "trainwright", "cache", "data", "out"):  # absolute: the children run in REPO
        setattr(a, key, Path(os.path.abspath(getattr(a, key).expanduser())))
    return a


def preflight(a) -> None:
    if not a.skip_keras and not a.keras_python.exists():
        sys.exit(f"fashion_mnist: error: the Keras venv's python is not at {a.keras_python}.\n"
                 f"  Create it from the project root with:\n    {VENV_HINT}\n  or pass --keras-python, or --skip-keras.")


def run_dir_for(out: Path) -> Path:
    base = out / f"fashion-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir, n = base, 1
    while True:  # a fresh folder per run, so that trainwright's --out folders do not exist yet
        try:
            run_dir.mkdir(parents=True)
            return run_dir
        except FileExistsError:
            n += 1
            run_dir = base.with_name(f"{base.name}-{n}")


def steady_rate(epochs: list[tuple[int, float]]) -> float | None:
    """Images/s: median over the epochs after the first (all of them when there is only one)."""
    rates = [images / seconds for images, seconds in (epochs[1:] or epochs) if seconds > 0]
    return round(statistics.median(rates), 1) if rates else None


def run_trainwright(name: str, a, folders: dict, run_dir: Path, env: dict, options: list[str]) -> dict:
    out = run_dir / name
    cmd = [str(a.trainwright), "train", str(folders["train"]), "--test", str(folders["test"]), "--out", str(out),
           "--threads", str(a.threads), "--seed", str(a.seed), *options]
    m = measure(name, cmd, run_dir, env)
    r = {"system": name, "command": cmd, **m}
    if m["rc"] != 0:
        return {**r, "ok": False, "error": error_tail(m)}
    try:
        metrics = json.loads((out / "metrics.json").read_text())
        training = metrics["training"]
        r.update(test_accuracy=float(metrics["test"]["accuracy"]), fit_s=float(training["fit_s"]),
                 epochs_run=training.get("epochs_run"), n_train=training.get("n_train"),
                 model=json.loads((out / "model.json").read_text()).get("name") if (out / "model.json").is_file()
                 else None, train_samples_per_s=float(training["train_samples_per_s"]))
    except (OSError, ValueError, KeyError, TypeError) as e:
        return {**r, "ok": False, "error": f"trainwright exited 0 but {out / 'metrics.json'} is missing or lacks "
                                           f"test.accuracy / training.*: {type(e).__name__}: {e}"}
    try:  # the epochs themselves, for the same images/s as Keras's (metrics.json's figure is the same median)
        history = json.loads((out / "history.json").read_text())
        epochs = [(row.get("samples", r["n_train"]), row["seconds"]) for row in history]
        r.update(epoch_s=[s for _, s in epochs], train_samples_per_s=steady_rate(epochs) or r["train_samples_per_s"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {**r, "ok": True}


def run_keras(a, folders: dict, run_dir: Path, env: dict) -> dict:
    cmd = [str(a.keras_python), str(KERAS_SCRIPT), "--train", str(folders["train"]), "--test", str(folders["test"]),
           "--epochs", str(a.epochs), "--batch-size", str(a.batch_size), "--threads", str(a.threads),
           "--seed", str(a.seed)] + ([] if a.no_early_stop else ["--early-stop"])
    m = measure("keras-resnet", cmd, run_dir, env)
    r = {"system": "keras-resnet", "command": cmd, **m}
    if m["rc"] != 0:
        return {**r, "ok": False, "error": error_tail(m)}
    for line in reversed(Path(m["stdout"]).read_text(errors="replace").splitlines()):
        try:
            reported = json.loads(line)
        except ValueError:
            continue
        if isinstance(reported, dict) and "test_accuracy" in reported:
            epochs = [(reported["n_train"], s) for s in reported["epoch_s"]]
            return {**r, "ok": True, "keras_json": reported, "model": "resnet", "test_accuracy": reported["test_accuracy"],
                    "fit_s": reported["fit_s"], "epochs_run": reported["epochs_run"], "n_train": reported["n_train"],
                    "epoch_s": reported["epoch_s"], "train_samples_per_s": steady_rate(epochs)}
    return {**r, "ok": False, "error": "the Keras script printed no JSON result line\n" + error_tail(m)}


def table(results: list[dict]) -> str:
    rows = [("model", "model", "s"), ("test accuracy", "test_accuracy", ".4f"), ("train images/s", "train_samples_per_s", ",.1f"),
            ("fit time (s)", "fit_s", ".1f"), ("wall time (s)", "wall_s", ".1f"), ("CPU time (s)", "cpu_s", ".1f"),
            ("peak RSS (MB)", "peak_rss_mb", ",.0f"), ("epochs run", "epochs_run", "d"),
            ("train images", "n_train", "d")]
    measured = ("wall_s", "cpu_s", "peak_rss_mb")  # from outside: there even when the run failed
    head = ["", *[r["system"] + ("" if r["ok"] else " (FAILED)") for r in results]]
    body = [[label, *[fmt(r.get(key), spec) if r["ok"] or key in measured else "-" for r in results]]
            for label, key, spec in rows]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    line = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, body)])


def ratios(results: list[dict]) -> dict:
    keras = next((r for r in results if r["system"] == "keras-resnet" and r["ok"]), None)
    out = {}
    for r in results:
        if keras is None or not r["ok"] or not r["system"].startswith("trainwright"):
            continue
        out[f"{r['system']}/keras-resnet"] = {
            "throughput_ratio": round(r["train_samples_per_s"] / keras["train_samples_per_s"], 3),
            "accuracy_diff_pts": round(100 * (r["test_accuracy"] - keras["test_accuracy"]), 2),
            "fit_time_ratio": round(r["fit_s"] / keras["fit_s"], 3),
            "wall_time_ratio": round(r["wall_s"] / keras["wall_s"], 3),
        }
    return out


def main(argv=None) -> int:
    a = parse_args(argv)
    preflight(a)
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None  # timings mean little on a busy machine
    folders = write_folders(a.cache, a.images, a.data)
    run_dir = run_dir_for(a.out)
    env = child_env(a.threads)
    early = ["--no-early-stopping"] if a.no_early_stop else []

    results = []
    if not a.skip_trainwright and not a.skip_resnet:
        results.append(run_trainwright("trainwright-resnet", a, folders, run_dir, env,
                                       ["--model", "resnet", "--epochs", str(a.epochs),
                                        "--batch-size", str(a.batch_size), *early]))
    if not a.skip_keras:
        results.append(run_keras(a, folders, run_dir, env))
    if not a.skip_trainwright and not a.skip_zero_config:
        results.append(run_trainwright("trainwright-zero", a, folders, run_dir, env,
                                       ["--time-limit", f"{a.time_limit:g}"]))
    rat = ratios(results)

    print()
    print(f"Fashion-MNIST from PNG folders: {folders['train']} ({a.images or 'all'} training images), "
          f"test {folders['test']}; threads={a.threads}, epochs={a.epochs}, batch={a.batch_size}, seed={a.seed}, "
          f"{'no early stopping' if a.no_early_stop else 'early stopping on a 10% validation split'}")
    if a.epochs == 1:
        print("(one epoch: its images/s include the warm-up, Keras's graph tracing and PNG decoding)")
    print()
    print(table(results) if results else "(every part skipped)")
    for name, r in rat.items():
        print(f"{name}: throughput x{r['throughput_ratio']:.2f}, accuracy {r['accuracy_diff_pts']:+.2f} pts, "
              f"fit time x{r['fit_time_ratio']:.2f}, wall time x{r['wall_time_ratio']:.2f}")
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"\n{r['system']} FAILED (logs: {r['stderr']}, {r['stdout']}):\n{r['error']}")

    summary = {"benchmark": "fashion_mnist", "threads": a.threads, "epochs": a.epochs, "batch_size": a.batch_size,
               "images": a.images, "early_stop": not a.no_early_stop, "seed": a.seed,
               "folders": {k: str(v) for k, v in folders.items()}, "run_dir": str(run_dir),
               "host": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average_before": load_before},
               "results": {r["system"]: r for r in results}, "ratios": rat, "ok": not failed}
    (run_dir / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\n(full results: {run_dir / 'results.json'})")
    print(json.dumps(summary, separators=(",", ":")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
