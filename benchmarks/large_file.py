#!/usr/bin/env python3
"""Training the seed model on files larger than memory: peak memory and tokenization time per row as the file
grows, the streaming path (`--stream`) beside reading the file whole (`--no-stream`), in one run.

SST-2's train.csv repeated to each size (written once to --workdir, never into the repo). Every row is trained on
(`--duplicates keep`): the repeats are the point, so that the file really has that many rows. For each size:

  stream        `trainwright train FILE --stream --valid dev.csv --model lstm --duplicates keep --epochs 1`,
                a fresh cache: reads, cleans and tokenizes the file, then trains one full epoch
  stream again  the same with --time-limit (training cut short): the cleaned texts and token ids are reused
  whole         `--no-stream` with --time-limit: the file read into memory (the baseline), training cut short

Each run is measured from outside by a wrapper process (resource.getrusage(RUSAGE_CHILDREN): peak RSS of the
largest process, wall time). Scan and tokenization times and the per-chunk microseconds per row are what the run
records in OUT/metrics.json ("streaming"). Run from the project root:

    .venv/bin/python benchmarks/large_file.py --threads 1
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SST2 = ROOT.parent / "shared" / "data" / "text" / "sst2"

_WRAPPER = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
with open(sys.argv[2], "w") as log:
    rc = subprocess.call(sys.argv[3:], stdout=log, stderr=subprocess.STDOUT)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"rc": rc, "wall_s": time.perf_counter() - started, "peak_mb": ru.ru_maxrss / 1024}, open(sys.argv[1], "w"))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000], help="rows per file")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "trainwright-large-file")
    parser.add_argument("--cut", type=float, default=20, help="--time-limit of the runs whose training is cut")
    parser.add_argument("--skip-whole", action="store_true", help="no --no-stream baseline")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        data = _repeated_sst2(args.workdir, size)
        cache = args.workdir / f"cache-{size}"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        runs = [("stream", ["--stream"]), ("stream again", ["--stream", "--time-limit", str(args.cut)])]
        if not args.skip_whole:
            runs.append(("whole", ["--no-stream", "--time-limit", str(args.cut)]))
        for name, extra in runs:
            out = args.workdir / f"run-{size}-{name.replace(' ', '-')}"
            command = [sys.executable, "-m", "trainwright", "train", str(data), "--valid", str(SST2 / "dev.csv"),
                       "--model", "lstm", "--duplicates", "keep", "--epochs", "1", "--threads", str(args.threads),
                       "--cache-dir", str(cache), "--out", str(out), *extra]
            rows.append({"rows": size, "path": name, **_measure(command, args.workdir / f"{out.name}.log"),
                         **_figures(out)})
            _print(rows[-1])
    _table(rows)
    print(json.dumps(rows))
    return 0 if all(r["rc"] == 0 for r in rows) else 1


def _repeated_sst2(workdir: Path, size: int) -> Path:
    path = workdir / f"sst2-{size}.csv"
    if not path.is_file():
        lines = (SST2 / "train.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        header, body = lines[0], lines[1:]
        with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as handle:
            handle.write(header)
            for start in range(0, size, len(body)):
                handle.writelines(body[:size - start])
        path.with_suffix(".tmp").rename(path)
    return path


def _measure(command: list[str], log: Path) -> dict:
    result = log.with_suffix(".json")
    subprocess.run([sys.executable, "-c", _WRAPPER, str(result), str(log), *command], check=True, cwd=ROOT)
    measured = json.loads(result.read_text())
    if measured["rc"]:
        print(f"failed: {' '.join(command)}; see {log}", file=sys.stderr)
    return measured


def _figures(out: Path) -> dict:
    try:
        metrics = json.loads((out / "metrics.json").read_text())
    except FileNotFoundError:
        return {}
    streaming = metrics.get("streaming", {})
    chunks = streaming.get("tokenize_chunks_us_per_row") or []
    return {"trained_rows": metrics["training"]["n_train"], "samples_per_s": metrics["training"]["train_samples_per_s"],
            "fit_s": metrics["training"]["fit_s"], "val_accuracy": metrics["valid"]["accuracy"],
            "scan_s": streaming.get("scan_s"), "scan": streaming.get("scan"), "tokens": streaming.get("token_cache"),
            "tokenize_s": streaming.get("tokenize_s"), "us_per_row": streaming.get("tokenize_us_per_row"),
            "chunk_us_min": min(chunks, default=None), "chunk_us_max": max(chunks, default=None)}


def _print(row: dict) -> None:
    print(f"{time.strftime('%H:%M:%S')} {row['rows']:,} rows, {row['path']}: peak {row['peak_mb']:,.0f} MB, "
          f"wall {row['wall_s']:.0f} s", flush=True)


def _table(rows: list[dict]) -> None:
    def cell(value, spec="{}"):
        return "—" if value is None else spec.format(value)

    print("\n| rows | path | peak RSS | wall | scan | tokenize | µs/row (chunks min–max) | trained rows | "
          "samples/s | val acc |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        chunks = (f"{cell(r.get('us_per_row'), '{:.1f}')} ({cell(r.get('chunk_us_min'), '{:.1f}')}–"
                  f"{cell(r.get('chunk_us_max'), '{:.1f}')})")
        scan = cell(r.get("scan_s"), "{:.0f} s") + (" (reused)" if r.get("scan") == "reused" else "")
        tokens = cell(r.get("tokenize_s"), "{:.0f} s") + (" (reused)" if r.get("tokens") == "reused" else "")
        print(f"| {r['rows']:,} | {r['path']} | {r['peak_mb'] / 1024:.2f} GB | {r['wall_s']:.0f} s | {scan} | "
              f"{tokens} | {chunks} | {cell(r.get('trained_rows'), '{:,}')} | "
              f"{cell(r.get('samples_per_s'), '{:,.0f}')} | {cell(r.get('val_accuracy'), '{:.4f}')} |")


if __name__ == "__main__":
    sys.exit(main())
