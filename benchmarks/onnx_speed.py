"""PyTorch fp32 against ONNX fp32 and ONNX int8 for one saved model: accuracy, throughput and latency.

The model is exported first, as `trainwright export MODEL --format onnx --quantize int8` does, into MODEL/onnx/
(--no-export: use the export already there). Then, in this one process and at one thread count (--threads:
torch.set_num_threads, RAYON_NUM_THREADS for the tokenizer, onnxruntime's intra-op threads):

  torch fp32  trainwright.load(MODEL): the saved weights
  onnx fp32   MODEL/onnx/model.onnx
  onnx int8   MODEL/onnx/model.int8.onnx

Figures per backend, on the labeled FILE:
  accuracy            on every labeled row, and its difference from torch in points (trainwright.export.check,
                      the code behind `export --check`); same labels: share of rows predicted as torch predicts them
  predictions/s       the whole file through Predictor.outputs (read once; cleaning, tokenizing, length-sorted
                      batches of 256, the model), best of --repeats after a warm-up; backends take turns each
                      repeat, so a change in the machine's load hits all of them alike
  model only/s        the same batches without reading, cleaning and tokenizing (encoded once beforehand):
                      what the backend itself changes
  p50 latency (ms)    Predictor.predict([one text]) for each of the first --latency-rows rows, the backends taking
                      turns on each row; median (and p90) per backend
  speed-up            torch's time / the backend's time

Run from the project root, on a quiet machine:
    .venv/bin/python benchmarks/onnx_speed.py [MODEL] [FILE] [--threads 1] [--repeats 3] [--latency-rows 200]
        [--no-export] [--json results.json]
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

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO / "runs" / "sst2-pretrained"
DEFAULT_FILE = REPO.parent / "shared" / "data" / "text" / "sst2" / "test.csv"


def predictors(model_dir: Path, threads: int) -> dict:
    """backend -> Predictor, the ONNX ones on the graphs in model_dir/onnx/."""
    import trainwright
    from trainwright.models.onnx import FP32_FILE, INT8_FILE, ONNX_DIRECTORY, OnnxModel

    reference = trainwright.load(model_dir)
    result = {"torch fp32": reference}
    for backend, name in (("onnx fp32", FP32_FILE), ("onnx int8", INT8_FILE)):
        path = model_dir / ONNX_DIRECTORY / name
        if path.is_file():
            result[backend] = trainwright.Predictor(OnnxModel(path, threads=threads), reference.preprocessing,
                                                    reference.target, reference.config)
        else:
            print(f"note: {path} is missing; {backend} is left out (export with --quantize int8)")
    return result


def throughput(predictors: dict, frame, repeats: int) -> dict:
    """backend -> predictions per second over the whole frame, best of `repeats` after a warm-up."""
    best = {backend: 0.0 for backend in predictors}
    for predictor in predictors.values():
        predictor.outputs(frame.head(256))  # warm-up: first-call allocations, onnxruntime's arena
    for _ in range(repeats):
        for backend, predictor in predictors.items():
            started = time.perf_counter()
            predictor.outputs(frame)
            best[backend] = max(best[backend], len(frame) / (time.perf_counter() - started))
    return best


def model_throughput(predictors: dict, frame, repeats: int) -> dict:
    """backend -> rows per second through the model alone: the rows encoded once, then predict_encoded (the
    length-sorted, padded batches of 256 that Predictor runs), best of `repeats`."""
    from trainwright.predictor import predict_encoded

    any_predictor = next(iter(predictors.values()))
    stages = any_predictor.preprocessing
    encoded = stages.encode(frame)
    pad = stages.tokenizer.pad if stages.tokenizer is not None else None
    best = {backend: 0.0 for backend in predictors}
    for _ in range(repeats):
        for backend, predictor in predictors.items():
            started = time.perf_counter()
            predict_encoded(predictor.model, predictor.task, encoded, pad, predictor.batch_size)
            best[backend] = max(best[backend], len(frame) / (time.perf_counter() - started))
    return best


def latency(predictors: dict, texts: list[str]) -> dict:
    """backend -> (p50, p90) milliseconds of predict([text]), over `texts`, the backends taking turns."""
    times = {backend: [] for backend in predictors}
    for predictor in predictors.values():
        predictor.predict(texts[:5])
    for text in texts:
        for backend, predictor in predictors.items():
            started = time.perf_counter()
            predictor.predict([text])
            times[backend].append((time.perf_counter() - started) * 1000)
    return {backend: (statistics.median(t), statistics.quantiles(t, n=10)[-1]) for backend, t in times.items()}


def table(rows: list[dict]) -> str:
    torch_row = rows[0]
    lines = ["| backend | accuracy | vs torch (points) | same labels | predictions/s | speed-up | model only/s "
             "| speed-up | p50 latency (ms) | p90 (ms) | speed-up | file (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        same = "—" if row["same_labels"] is None else f"{row['same_labels']:.2%}"
        difference = "—" if row["difference"] is None else f"{row['difference']:+.2f}"
        lines.append(
            f"| {row['backend']} | {row['accuracy']:.4f} | {difference} | {same} | {row['per_second']:,.0f} | "
            f"{row['per_second'] / torch_row['per_second']:.2f}× | {row['model_per_second']:,.0f} | "
            f"{row['model_per_second'] / torch_row['model_per_second']:.2f}× | {row['p50_ms']:.2f} | "
            f"{row['p90_ms']:.2f} | {torch_row['p50_ms'] / row['p50_ms']:.2f}× | {row['megabytes']:.1f} |")
    return "\n".join(lines)


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL, help=f"model directory ({DEFAULT_MODEL})")
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help=f"labeled file ({DEFAULT_FILE})")
    ap.add_argument("--threads", type=int, default=1, help="threads for every backend (default 1)")
    ap.add_argument("--repeats", type=int, default=3, help="whole-file passes per backend (default 3)")
    ap.add_argument("--latency-rows", type=int, default=200, help="single-example calls per backend (default 200)")
    ap.add_argument("--no-export", action="store_true", help="use MODEL/onnx as it is")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)  # before the tokenizer's thread pool starts
    import torch

    torch.set_num_threads(args.threads)
    import trainwright
    from trainwright.export.check import compare_backends, read_check_file
    from trainwright.export import export_onnx
    from trainwright.log import logger

    logger.setLevel("ERROR")  # the data readers' notes about skipped rows are not figures
    if not args.no_export:
        started = time.perf_counter()
        report = export_onnx(args.model, quantize="int8")
        print(f"exported in {time.perf_counter() - started:.1f} s:\n  " + "\n  ".join(report.summary()))
    backends = predictors(args.model, args.threads)
    examples = read_check_file(args.file, backends["torch fp32"])
    scores = compare_backends(backends, examples, str(args.file))
    speed = throughput(backends, examples.inputs, args.repeats)
    model_speed = model_throughput(backends, examples.inputs, args.repeats)
    texts = examples.inputs.head(args.latency_rows).to_dict("records")
    delays = latency(backends, texts)
    rows = []
    for score in scores:
        model = backends[score.backend].model
        size = sum(p.stat().st_size for p in args.model.rglob("*.safetensors")) if score.backend == "torch fp32" \
            else model.path.stat().st_size
        rows.append({"backend": score.backend, "accuracy": score.value, "difference": score.difference,
                     "same_labels": score.same_labels, "max_probability_difference": score.max_difference,
                     "per_second": speed[score.backend], "model_per_second": model_speed[score.backend],
                     "p50_ms": delays[score.backend][0],
                     "p90_ms": delays[score.backend][1], "megabytes": size / 1e6})
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, torch "
               f"{torch.__version__}, onnxruntime {__import__('onnxruntime').__version__}")
    print(f"\n{args.model} on {args.file} ({len(examples.inputs):,} labeled rows), {args.threads} thread(s); "
          f"{machine}\n")
    print(table(rows))
    expected = trainwright.load_artifact(args.model).metrics.get("test", {}).get("accuracy")
    if expected is not None:
        print(f"\n(test accuracy recorded at training: {expected:.4f})")
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "onnx_speed", "model": str(args.model), "file": str(args.file),
                                         "threads": args.threads, "machine": machine, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
