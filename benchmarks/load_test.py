"""Load test of `trainwright serve`: throughput and latency over HTTP at 1, 8 and 64 concurrent clients.

For each model (and backend) the script starts `trainwright serve MODEL --backend B` on 127.0.0.1, waits until
/ready answers, then runs the load from a second process (this script with --client): C clients, each on its own
keep-alive connection, send POST /predict with ONE text each (SST-2 test sentences, in turn) until a fixed
number of requests has been answered. One text per request is the hard case: every prediction pays for a whole
HTTP request, and only the server's micro-batching can group them. With --records FILE (a table model), each
request carries one row of FILE instead, as a record of the model's columns: numbers as JSON numbers (null for
`?`), categories as the strings written.

Figures per concurrency level: predictions/s (requests answered / wall time), p50/p95/p99 latency (from writing
the request to reading the whole response, in the client), errors (non-200 answers and broken connections).
Client and server share this machine's cores: the client takes some of the CPU the server could use.

Run from the project root, on a quiet machine:
    .venv/bin/python benchmarks/load_test.py runs/sst2 runs/sst2-pretrained:torch runs/sst2-pretrained:onnx
        [--clients 1 8 64] [--requests 2000] [--threads 1] [--json results.json]
MODEL:onnx serves the graph written by `trainwright export MODEL --format onnx [--quantize int8]`.
--baseline DIR serves each model a second time with the trainwright package of DIR/src (a checkout of an
earlier commit, say), right after the first, so that old and new code meet the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO.parent / "shared" / "data" / "text" / "sst2" / "test.csv"
TRAINWRIGHT = Path(sys.executable).with_name("trainwright")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/ready", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} was not ready after {timeout:.0f} s")


# ----------------------------------------------------------------------------------------------- the client

async def _one_client(port: int, bodies: list[bytes], next_index, latencies: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (i := next_index()) is not None:
            body = bodies[i % len(bodies)]
            request = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body)) + body
            start = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if b" 200 " not in status:
                errors.append(status.decode(errors="replace").strip())
    except (OSError, asyncio.IncompleteReadError) as e:
        errors.append(f"connection: {e}")
    finally:
        writer.close()


async def _load(port: int, clients: int, requests: int, bodies: list[bytes]) -> dict:
    counter = iter(range(requests))
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*[_one_client(port, bodies, lambda: next(counter, None), latencies, errors)
                           for _ in range(clients)])
    wall = time.perf_counter() - start
    ms = np.array(latencies) * 1000
    return {"clients": clients, "requests": len(latencies), "seconds": wall, "predictions_per_s": len(ms) / wall,
            "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "p99_ms": float(np.percentile(ms, 99)), "errors": len(errors), "first_error": errors[0] if errors else None}


def run_client(port: int, clients: int, requests: int, records: Path | None = None) -> dict:
    import pandas as pd

    if records is None:
        inputs = pd.read_csv(TEXTS)["text"].tolist()
    else:
        inputs = request_records(port, pd.read_csv(records, dtype=str, keep_default_na=False))
    bodies = [json.dumps({"inputs": [one]}).encode() for one in inputs]
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_load(port, clients, min(200, requests), bodies))  # warm-up: connections, caches, allocator
    return asyncio.run(_load(port, clients, requests, bodies))


def request_records(port: int, table) -> list[dict]:
    """The table's rows as the served model's request schema (its /metadata) takes them: its columns only, numbers
    as JSON numbers (null for `?` and other non-numbers), categories and texts as the strings written."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metadata", timeout=10) as answer:
        columns = json.load(answer)["inputs"]

    def number(text: str) -> float | None:
        try:
            value = float(text)
        except ValueError:
            return None
        return value if np.isfinite(value) else None

    return [{**{c: row[c] for c in columns["text"] + columns["categorical"]},
             **{c: number(row[c]) for c in columns["numeric"]}} for row in table.to_dict("records")]


# ----------------------------------------------------------------------------------------------- the driver

def serve_and_load(model: str, backend: str, levels: list[int], requests: int, threads: int,
                   records: Path | None = None, source: Path | None = None) -> list[dict]:
    """source: serve with the trainwright package of this src folder (the baseline), not the installed one."""
    port = free_port()
    command = [str(TRAINWRIGHT), "serve", model, "--port", str(port), "--backend", backend, "--threads", str(threads)]
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), *filter(None, [env.get("PYTHONPATH")])])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    label = backend if source is None else f"{backend}, baseline"
    try:
        wait_ready(f"http://127.0.0.1:{port}", server)
        rows = []
        for clients in levels:
            extra = ["--records", str(records)] if records is not None else []
            client = subprocess.run([sys.executable, __file__, "--client", str(port), "--clients", str(clients),
                                     "--requests", str(requests), *extra], capture_output=True, text=True, check=True)
            row = json.loads(client.stdout)
            rows.append({"model": model, "backend": label, **row})
            print(f"  {model} [{label}] {clients:>3} clients: {row['predictions_per_s']:8.0f} pred/s  "
                  f"p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f}  p99 {row['p99_ms']:6.2f}  "
                  f"errors {row['errors']}", flush=True)
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", default=["runs/sst2"], help="MODEL or MODEL:BACKEND (torch, onnx)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--threads", type=int, default=1, help="the server's torch/ONNX threads")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--records", type=Path, help="a CSV whose rows the requests carry, one each (table models)")
    parser.add_argument("--baseline", type=Path, help="also serve each model with the trainwright of DIR/src")
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)  # internal: be the load process
    args = parser.parse_args()
    if args.client:
        print(json.dumps(run_client(args.client, args.clients[0], args.requests, args.records)))
        return
    kind = "record" if args.records else "text"
    print(f"Load test: {args.requests} requests per level, one {kind} per request, server threads {args.threads}, "
          f"{os.cpu_count()} cores shared by client and server")
    rows = []
    for spec in args.models:
        model, _, backend = spec.partition(":")
        rows += serve_and_load(model, backend or "torch", args.clients, args.requests, args.threads, args.records)
        if args.baseline:
            rows += serve_and_load(model, backend or "torch", args.clients, args.requests, args.threads, args.records,
                                   args.baseline / "src")
    print()
    print("| model | backend | clients | predictions/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['backend']} | {r['clients']} | {r['predictions_per_s']:,.0f} | {r['p50_ms']:.2f} "
              f"| {r['p95_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
