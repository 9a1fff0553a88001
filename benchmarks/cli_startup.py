"""How long `trainwright --help` and `trainwright COMMAND --help` take, with `python -c 'import torch'` beside them.

Each is a fresh process, as a user's shell starts it (`python -m trainwright ...`, the console script's code
path); the figure is the median wall time over --repeats runs, after one untimed run that warms the disk cache.
The heavy libraries each help imported (torch, lightning, pandas, sklearn) are listed too: none is the aim.

Run from the project root, on a quiet machine:
    .venv/bin/python benchmarks/cli_startup.py [--repeats 5] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HEAVY = ("torch", "lightning", "pandas", "sklearn")
# Runs one help in-process as the console script would, then names the heavy modules it left in sys.modules.
_HELP = """
import sys
from trainwright.cli import main
sys.argv = ["trainwright", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(",".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
""".format(heavy=HEAVY)


def timed(command: list[str], repeats: int) -> tuple[float, str]:
    """Median seconds over `repeats` runs (one untimed run first), and the last run's stderr's last line."""
    subprocess.run(command, capture_output=True, check=False)
    times, last = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        last = (done.stderr.strip().splitlines() or [""])[-1]
    return statistics.median(times), last


def commands() -> list[str]:
    from trainwright import cli
    return [command.name or command.callback.__name__ for command in cli.app.registered_commands]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", dest="json_out", default=None, help="Also write the figures here.")
    args = parser.parse_args()
    rows = []
    baseline, _ = timed([sys.executable, "-c", "import torch"], args.repeats)
    rows.append({"what": "python -c 'import torch'", "seconds": baseline, "imported": "torch"})
    for name in [None, *commands()]:
        argv = ["--help"] if name is None else [name, "--help"]
        seconds, imported = timed([sys.executable, "-c", _HELP, *argv], args.repeats)
        rows.append({"what": "trainwright " + " ".join(argv), "seconds": seconds, "imported": imported or "-"})
    width = max(len(row["what"]) for row in rows)
    print(f"{'command':<{width}}  {'median s':>8}  heavy modules imported   "
          f"({args.repeats} runs, {os.cpu_count()} CPUs)")
    for row in rows:
        print(f"{row['what']:<{width}}  {row['seconds']:>8.2f}  {row['imported']}")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as file:
            json.dump({"repeats": args.repeats, "rows": rows}, file, indent=2)


if __name__ == "__main__":
    main()
