#!/usr/bin/env python3
"""Seed model, trainwright vs. the Keras original, side by side on SST-2 with the same thread count.

Runs, one after another (never concurrently), each in a fresh measuring subprocess:
  1. trainwright   `trainwright train TRAIN --valid DEV --test TEST --out DIR --threads N --seed S --model lstm`
                   (default model = the seed config: 10 epochs, batch 32, early stopping on val loss, best weights)
  2. keras-es      ../shared/bench/keras_seed.py --padding pre --early-stop   (the like-for-like baseline)
  3. keras-plain   ../shared/bench/keras_seed.py --padding pre, a plain 10 epochs   (skip with --skip-plain)

then prints a plain-text table (test accuracy, training samples/s, fit time, wall time, CPU time, peak RSS,
epochs run), the trainwright/keras ratios, and a final single JSON line with everything.

Wall time, CPU time and peak RSS are measured from outside, the same way for every system: a small wrapper
process runs the command and reads resource.getrusage(RUSAGE_CHILDREN) after it exits (peak RSS is that of the
largest single process in the tree, not a sum). Wall time therefore includes interpreter start-up, importing
torch / TensorFlow, reading the data and tokenizing. Samples/s and fit time are what each system reports itself
(samples/s = samples an epoch trained on / its time, median over epochs, first epoch excluded).

Stdlib only: run it with any python3 from the project root, e.g.
    python3 benchmarks/seed_vs_keras.py --threads 1
Exit status: 0 if every system ran, 1 if one failed (the table is still printed), 2 on a set-up problem.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULTS = {
    "data": "../shared/data/text/sst2",
    "keras_python": ".bench-venv/bin/python",
    "keras_script": "../shared/bench/keras_seed.py",
    "trainwright": ".venv/bin/trainwright",
    "out": "runs/bench",
}
VENV_HINT = "python3 -m venv .bench-venv && .bench-venv/bin/pip install tensorflow-cpu pandas scikit-learn"

# Runs argv[4:] with stdout/stderr to files, then writes wall time and the child's rusage to argv[1] as JSON.
# A fresh wrapper per system keeps RUSAGE_CHILDREN from mixing the systems' numbers.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
result_path, out_path, err_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t0 = time.perf_counter()
with open(out_path, "wb") as out, open(err_path, "wb") as err:
    try:
        rc = subprocess.call(cmd, stdout=out, stderr=err)
    except OSError as e:
        err.write(("cannot run %r: %s\n" % (cmd[0], e)).encode())
        rc = 127
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
kb = ru.ru_maxrss / 1024 if sys.platform == "darwin" else ru.ru_maxrss  # macOS reports bytes, Linux KiB
with open(result_path, "w") as f:
    json.dump({"rc": rc, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": kb / 1024}, f)
"""


def die(msg: str) -> None:
    print(f"seed_vs_keras: error: {msg}", file=sys.stderr)
    sys.exit(2)


def resolve(value: str | None, key: str) -> Path:
    """Defaults are relative to the repository root; paths given on the command line are relative to the cwd.
    Symlinks are not followed (a venv's bin/python must stay inside the venv)."""
    if value is None:
        return Path(os.path.abspath(REPO / DEFAULTS[key]))
    return Path(os.path.abspath(Path(value).expanduser()))


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Train the seed model (Embedding 64 -> LSTM 64 -> Dense) with trainwright and with the Keras "
        "original on SST-2, same thread count, and print a side-by-side comparison.",
        epilog="Default paths are relative to the repository root; paths you pass are relative to the current "
        "directory. Keras venv set-up: " + VENV_HINT,
    )
    ap.add_argument("--threads", type=int, default=1, help="threads for both systems (default 1)")
    ap.add_argument("--data", help=f"folder with train.csv, dev.csv, test.csv (default {DEFAULTS['data']})")
    ap.add_argument("--keras-python", help=f"python of the Keras venv (default {DEFAULTS['keras_python']})")
    ap.add_argument("--keras-script", help=f"Keras reference script (default {DEFAULTS['keras_script']})")
    ap.add_argument("--trainwright", help=f"trainwright executable (default {DEFAULTS['trainwright']})")
    ap.add_argument("--out", help=f"results go to OUT/<timestamp>/ (default {DEFAULTS['out']})")
    ap.add_argument("--seed", type=int, default=0, help="random seed for both systems (default 0)")
    ap.add_argument("--skip-plain", action="store_true",
                    help="skip the plain 10-epoch Keras run (keep only Keras with early stopping)")
    ap.add_argument("--skip-trainwright", action="store_true",
                    help="run only the Keras side (e.g. before trainwright's CLI exists)")
    a = ap.parse_args(argv)
    if a.threads < 1:
        ap.error("--threads must be >= 1")
    return a


def preflight(a, data: Path, keras_python: Path, keras_script: Path, trainwright: Path) -> dict:
    missing = [n for n in ("train.csv", "dev.csv", "test.csv") if not (data / n).is_file()]
    if missing:
        die(f"data not found: {', '.join(str(data / n) for n in missing)}\n"
            f"  Expected SST-2 as CSV (columns label,text) in {data}; pass another folder with --data.")
    if not keras_script.is_file():
        die(f"Keras reference script not found: {keras_script} (pass --keras-script)")
    if not keras_python.exists():
        die(f"Keras venv python not found: {keras_python}\n"
            f"  Create the venv from the project root with:\n    {VENV_HINT}\n"
            f"  or pass another interpreter with --keras-python.")
    probe = subprocess.run(
        [str(keras_python), "-c", "import tensorflow as tf, pandas, sklearn; print(tf.__version__)"],
        capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if probe.returncode != 0:
        tail = (probe.stderr.strip().splitlines() or ["?"])[-1]
        die(f"the Keras venv at {keras_python} cannot import tensorflow/pandas/scikit-learn ({tail}).\n"
            f"  Install them with:\n    {VENV_HINT}")
    tf_version = probe.stdout.strip().splitlines()[-1]
    if not a.skip_trainwright and not (trainwright.is_file() and os.access(trainwright, os.X_OK)):
        die(f"trainwright executable not found: {trainwright}\n"
            f"  Install the project into its venv (python3 -m venv .venv && .venv/bin/pip install -e .), "
            f"pass another one with --trainwright, or use --skip-trainwright to run only the Keras side.")
    return {"tensorflow": tf_version}


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def measure(name: str, cmd: list[str], run_dir: Path, env: dict) -> dict:
    """Run cmd in a fresh wrapper; return rc, wall_s, cpu_s, peak_rss_mb and the log paths."""
    out, err, res = run_dir / f"{name}.stdout", run_dir / f"{name}.stderr", run_dir / f"{name}.rusage.json"
    print(f"[{time.strftime('%H:%M:%S')}] running {name}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-c", _WRAPPER, str(res), str(out), str(err), *cmd], env=env, check=True,
                   cwd=REPO)
    m = json.loads(res.read_text())
    print(f"[{time.strftime('%H:%M:%S')}] {name} finished: rc={m['rc']} wall={m['wall_s']:.1f}s",
          file=sys.stderr, flush=True)
    m["stdout"], m["stderr"] = str(out), str(err)
    return m


def error_tail(m: dict, n: int = 15) -> str:
    lines = []
    for p in (m["stderr"], m["stdout"]):
        try:
            lines += Path(p).read_text(errors="replace").strip().splitlines()[-n:]
        except OSError:
            pass
    return "\n".join(lines[-n:]) or f"exit status {m['rc']}, no output"


def run_trainwright(a, trainwright: Path, data: Path, run_dir: Path, env: dict) -> dict:
    tw_out = run_dir / "trainwright"
    cmd = [str(trainwright), "train", str(data / "train.csv"), "--valid", str(data / "dev.csv"),
           "--test", str(data / "test.csv"), "--out", str(tw_out), "--threads", str(a.threads),
           "--seed", str(a.seed), "--model", "lstm"]  # the seed model (text alone defaults to auto)
    m = measure("trainwright", cmd, run_dir, env)
    r = {"system": "trainwright", "command": cmd, **m}
    if m["rc"] != 0:
        return {**r, "ok": False, "error": error_tail(m)}
    try:
        metrics = json.loads((tw_out / "metrics.json").read_text())
        test, training = metrics["test"], metrics["training"]
        r.update(test_accuracy=float(test["accuracy"]), test_loss=test.get("loss"),
                 train_samples_per_s=float(training["train_samples_per_s"]), fit_s=float(training["fit_s"]),
                 epochs_run=training.get("epochs_run"), n_train=training.get("n_train"),
                 metrics_json=str(tw_out / "metrics.json"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        return {**r, "ok": False, "error": f"trainwright exited 0 but {tw_out / 'metrics.json'} is missing or "
                                           f"lacks test.accuracy / training.*: {type(e).__name__}: {e}"}
    return {**r, "ok": True}


def run_keras(name: str, a, keras_python: Path, keras_script: Path, data: Path, run_dir: Path, env: dict,
              early_stop: bool) -> dict:
    cmd = [str(keras_python), str(keras_script), "--train", str(data / "train.csv"), "--valid",
           str(data / "dev.csv"), "--test", str(data / "test.csv"), "--threads", str(a.threads),
           "--seed", str(a.seed), "--padding", "pre"] + (["--early-stop"] if early_stop else [])
    m = measure(name, cmd, run_dir, env)
    r = {"system": name, "command": cmd, **m}
    if m["rc"] != 0:
        return {**r, "ok": False, "error": error_tail(m)}
    reported = None
    for line in reversed(Path(m["stdout"]).read_text(errors="replace").splitlines()):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "test_accuracy" in obj:
            reported = obj
            break
    if reported is None:
        return {**r, "ok": False, "error": "the Keras script printed no JSON result line\n" + error_tail(m)}
    r.update(test_accuracy=reported["test_accuracy"], test_loss=reported.get("test_loss"),
             train_samples_per_s=reported["train_samples_per_s"], fit_s=reported["fit_s"],
             epochs_run=reported.get("epochs_run"), n_train=reported.get("n_train"), keras_json=reported)
    return {**r, "ok": True}


def fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def table(results: list[dict]) -> str:
    rows = [
        ("test accuracy", "test_accuracy", ".4f"),
        ("train samples/s", "train_samples_per_s", ",.1f"),
        ("fit time (s)", "fit_s", ".1f"),
        ("wall time (s)", "wall_s", ".1f"),
        ("CPU time (s)", "cpu_s", ".1f"),
        ("peak RSS (MB)", "peak_rss_mb", ",.0f"),
        ("epochs run", "epochs_run", "d"),
        ("train samples", "n_train", "d"),
    ]
    head = ["", *[r["system"] + ("" if r["ok"] else " (FAILED)") for r in results]]
    body = [[label, *[fmt(r.get(key), spec) if r["ok"] or key in ("wall_s", "cpu_s", "peak_rss_mb") else "-"
                      for r in results]] for label, key, spec in rows]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    line = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, body)])


def ratios(tw: dict, keras: list[dict]) -> dict:
    out = {}
    if not tw.get("ok"):
        return out
    for k in keras:
        if not k.get("ok"):
            continue
        out[f"vs_{k['system']}"] = {
            "throughput_ratio": round(tw["train_samples_per_s"] / k["train_samples_per_s"], 3),
            "accuracy_diff_pts": round(100 * (tw["test_accuracy"] - k["test_accuracy"]), 2),
            "fit_time_ratio": round(tw["fit_s"] / k["fit_s"], 3),
            "wall_time_ratio": round(tw["wall_s"] / k["wall_s"], 3),
            "peak_rss_ratio": round(tw["peak_rss_mb"] / k["peak_rss_mb"], 3),
        }
    return out


def main(argv=None) -> int:
    a = parse_args(argv)
    data, keras_python = resolve(a.data, "data"), resolve(a.keras_python, "keras_python")
    keras_script, trainwright = resolve(a.keras_script, "keras_script"), resolve(a.trainwright, "trainwright")
    info = preflight(a, data, keras_python, keras_script, trainwright)

    base = resolve(a.out, "out") / time.strftime("%Y%m%d-%H%M%S")
    run_dir, n = base, 1
    while True:  # a fresh folder per run; trainwright gets a --out that does not exist yet
        try:
            run_dir.mkdir(parents=True)
            break
        except FileExistsError:
            n += 1
            run_dir = base.with_name(f"{base.name}-{n}")
    ncpu = os.cpu_count() or 1
    if a.threads > ncpu:
        print(f"warning: --threads {a.threads} > {ncpu} CPUs on this machine", file=sys.stderr)
    env = child_env(a.threads)

    results = []
    if not a.skip_trainwright:
        results.append(run_trainwright(a, trainwright, data, run_dir, env))
    results.append(run_keras("keras-es", a, keras_python, keras_script, data, run_dir, env, early_stop=True))
    if not a.skip_plain:
        results.append(run_keras("keras-plain", a, keras_python, keras_script, data, run_dir, env, early_stop=False))

    tw = next((r for r in results if r["system"] == "trainwright"), {})
    keras = [r for r in results if r["system"].startswith("keras")]
    rat = ratios(tw, keras)

    print()
    print(f"Seed model (Embedding 64 -> LSTM 64 -> Dense), SST-2 at {data}, threads={a.threads}, seed={a.seed}")
    print("keras-es = Keras with EarlyStopping(val_loss, patience=2, restore best), like trainwright's default; "
          "keras-plain = Keras, a plain 10 epochs")
    print()
    print(table(results))
    if rat:
        print()
        for name, r in rat.items():
            print(f"trainwright / {name[3:]}: throughput x{r['throughput_ratio']:.2f}, "
                  f"accuracy {r['accuracy_diff_pts']:+.2f} pts, fit time x{r['fit_time_ratio']:.2f}, "
                  f"wall time x{r['wall_time_ratio']:.2f}, peak RSS x{r['peak_rss_ratio']:.2f}")
    n_trains = {r["n_train"] for r in results if r.get("ok") and r.get("n_train") is not None}
    if len(n_trains) > 1:
        print(f"\nnote: the systems trained on different numbers of rows: {sorted(n_trains)}")
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"\n{r['system']} FAILED (logs: {r['stderr']}, {r['stdout']}):\n{r['error']}")

    summary = {
        "benchmark": "seed_vs_keras", "threads": a.threads, "seed": a.seed, "data": str(data),
        "run_dir": str(run_dir), "host": {"cpus": ncpu, "platform": platform.platform(),
                                          "python": platform.python_version(), **info},
        "results": {r["system"]: r for r in results}, "ratios": rat, "ok": not failed,
    }
    (run_dir / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\n(full results: {run_dir / 'results.json'})")
    print(json.dumps(summary, separators=(",", ":")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
