"""The arithmetic limit of training the seed LSTM on this CPU: FLOPs per sample against a measured matmul peak.

Training one sample costs, per token the LSTM reads, the four gates' matrix products W_ih·x (4H×E) and W_hh·h
(4H×H) forward, 2·4H·(E+H) FLOPs, and about twice that backward (gradients for the inputs and for the weights):
    flops/sample ≈ 3 · 8H(E+H) · tokens per sample
(the embedding lookup, gate nonlinearities and the head add a few percent, left out, so the limit is generous).
Tokens per sample are those of SST-2's training file under the seed tokenizer (maxlen 100), as the length-
bucketed batches pad little.

Two peaks, measured with torch at the given thread count, best of several runs:
  large GEMM  a 1024×1024 float32 matmul: what the CPU's vector units reach on ideal work;
  step GEMM   the LSTM step's own shape, (batch 32 × H) · (H × 4H): what such small products reach.
limit samples/s = peak FLOP/s / flops per sample. The seed's measured samples/s (from a run directory's
metrics, or --measured) is printed as a share of each.

    .venv/bin/python benchmarks/seed_limit.py --threads 1 [--run runs/sst2] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
TRAIN = REPO.parent / "shared" / "data" / "text" / "sst2" / "train.csv"


def gemm_flops_per_second(m: int, k: int, n: int, seconds: float = 1.0) -> float:
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(10):
        a @ b
    best = 0.0
    for _ in range(5):
        calls, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            a @ b
            calls += 1
        best = max(best, 2 * m * k * n * calls / elapsed)
    return best


def tokens_per_sample(maxlen: int) -> float:
    import pandas as pd

    from trainwright.config import TokenizerConfig
    from trainwright.text.tokenizer import TextTokenizer

    texts = pd.read_csv(TRAIN)["text"].astype(str).tolist()
    tokenizer = TextTokenizer(TokenizerConfig(num_words=10_000, maxlen=maxlen)).fit(texts)
    return sum(len(ids) for ids in tokenizer.transform(texts)) / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--maxlen", type=int, default=100)
    parser.add_argument("--run", type=Path, help="a seed run directory: its train samples/s is compared")
    parser.add_argument("--measured", type=float, help="measured train samples/s, instead of --run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    e, h = args.embedding_dim, args.hidden_size
    tokens = tokens_per_sample(args.maxlen)
    flops = 3 * 8 * h * (e + h) * tokens
    peaks = {"large GEMM": gemm_flops_per_second(1024, 1024, 1024),
             "step GEMM": gemm_flops_per_second(args.batch_size, h, 4 * h)}
    measured = args.measured
    if measured is None and args.run is not None:
        metrics = json.loads((args.run / "metrics.json").read_text())
        measured = metrics["training"].get("train_samples_per_s")
    result = {"threads": args.threads, "tokens_per_sample": tokens, "flops_per_sample": flops,
              "peaks_gflops": {k: v / 1e9 for k, v in peaks.items()},
              "limit_samples_per_second": {k: v / flops for k, v in peaks.items()}, "measured": measured}
    if args.json:
        print(json.dumps(result))
        return
    print(f"threads {args.threads}: {tokens:.1f} tokens/sample, {flops / 1e6:.2f} MFLOP per training sample")
    for name, peak in peaks.items():
        limit = peak / flops
        share = f", measured {measured:,.0f} = {measured / limit:.0%} of it" if measured else ""
        print(f"  {name:<10} {peak / 1e9:7.1f} GFLOP/s -> limit {limit:,.0f} samples/s{share}")


if __name__ == "__main__":
    main()
