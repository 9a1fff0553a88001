#!/usr/bin/env python3
"""Transfer learning on few pictures: Fashion-MNIST with N training pictures per class (default 100, 1,000 in
all), the pretrained EfficientNet-Lite0 fine-tuned against the from-scratch CNN trained on the same pictures,
both scored on the full 10,000-picture test set, side by side in one run.

The PNG folders come from fashion_folders.py (written once into a cache outside the repository); the first N
pictures of each class are linked into a folder of their own. Then, one after another, each in a measuring
subprocess with the same thread count:
  1. scratch      `trainwright train FEW --test TEST`                        (zero-config: the residual CNN)
  2. pretrained   `trainwright train FEW --test TEST --pretrained imagenet`  (EfficientNet-Lite0, ImageNet weights)
Reported: test accuracy, fit time, wall time, peak RSS; then the difference in points.

Stdlib only; from the project root:
    python3 benchmarks/fashion_transfer.py --threads 2
    python3 benchmarks/fashion_transfer.py --per-class 20 --test-images 1000   # a quick check
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fashion_folders import DATA, DEFAULT_OUT, write_folders  # noqa: E402
from seed_vs_keras import child_env, error_tail, measure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--per-class", type=int, default=100, help="training pictures per class (default 100)")
    ap.add_argument("--test-images", type=int, help="score on the first N test pictures only (a quick check)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cache", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--trainwright", type=Path, default=REPO / ".venv" / "bin" / "trainwright")
    ap.add_argument("--out", type=Path, default=REPO / "runs" / "bench")
    return ap.parse_args(argv)


def few(source: Path, target: Path, count: int | None) -> Path:
    """The first `count` pictures of each class of `source` (all with None), linked into `target`."""
    for klass in sorted(p for p in source.iterdir() if p.is_dir()):
        (target / klass.name).mkdir(parents=True, exist_ok=True)
        for picture in sorted(klass.glob("*.png"))[:count]:
            link = target / klass.name / picture.name
            if not link.exists():
                os.symlink(picture, link)
    return target


def run(name: str, a, train: Path, test: Path, run_dir: Path, env: dict, options: list[str]) -> dict:
    out = run_dir / name
    cmd = [str(a.trainwright), "train", str(train), "--test", str(test), "--out", str(out),
           "--threads", str(a.threads), "--seed", str(a.seed), *options]
    m = measure(name, cmd, run_dir, env)
    if m["rc"] != 0:
        return {"system": name, "ok": False, "error": error_tail(m), **m}
    metrics = json.loads((out / "metrics.json").read_text())
    return {"system": name, "ok": True, "test_accuracy": float(metrics["test"]["accuracy"]),
            "fit_s": float(metrics["training"]["fit_s"]), "model": json.loads((out / "model.json").read_text())["name"],
            **m}


def main(argv=None) -> int:
    a = parse_args(argv)
    folders = write_folders(a.cache, None, a.data)
    train = few(folders["train"], a.cache / f"train-{a.per_class}-per-class", a.per_class)
    test = folders["test"] if not a.test_images else few(folders["test"], a.cache / f"test-{a.test_images // 10}-per-class",
                                                        a.test_images // 10)
    run_dir = a.out / f"fashion-transfer-{a.per_class}"
    run_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(a.threads)
    results = [run("scratch", a, train, test, run_dir, env, []),
               run("pretrained", a, train, test, run_dir, env, ["--pretrained", "imagenet"])]
    print(f"\n{'system':<12} {'model':<20} {'test acc':>9} {'fit s':>8} {'wall s':>8} {'peak MB':>8}")
    for r in results:
        if r["ok"]:
            print(f"{r['system']:<12} {r['model']:<20} {r['test_accuracy']:>9.4f} {r['fit_s']:>8.1f} "
                  f"{r['wall_s']:>8.1f} {r['peak_rss_mb']:>8.0f}")
        else:
            print(f"{r['system']:<12} failed: {r['error']}")
    if all(r["ok"] for r in results):
        gain = 100 * (results[1]["test_accuracy"] - results[0]["test_accuracy"])
        print(f"\npretrained − scratch: {gain:+.1f} points on {a.per_class} pictures per class")
    summary = {"per_class": a.per_class, "threads": a.threads, "results": results}
    (run_dir / "results.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(json.dumps(summary, default=str))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
