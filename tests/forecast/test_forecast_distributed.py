"""A forecast run on several processes (torchrun, gloo on CPU): the series are shared among the processes, the
learned models train once with DDP, rank 0 alone saves; the baselines' results are those of one process, exactly,
and a process that fails stops every process with its message."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trainwright
from trainwright.errors import ConfigError
from trainwright.log import logger
from trainwright.train.forecast_ranks import Ranks, recorded

TESTS = Path(__file__).resolve().parents[1]
LAUNCH_VARIABLES = ("RANK", "LOCAL_RANK", "NODE_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK",
                    "MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID", "SLURM_NTASKS", "SLURM_PROCID",
                    "SLURM_JOB_NAME", "PL_GLOBAL_SEED")
BASELINES = ["naive", "seasonal_naive", "theta"]  # not ETS: its search of forms takes seconds a series
WITH_NBEATS = ["seasonal_naive", "theta", "nbeats"]


def write_panel(path: Path, series: int = 5, points: int = 48) -> Path:
    """Monthly series with a level, a trend, a yearly cycle and noise, `id,ds,y`; an odd number of them, so the
    processes' shares differ in size."""
    rng = np.random.default_rng(3)
    t = np.arange(points)
    dates = pd.date_range("2016-01-01", periods=points, freq="MS").strftime("%Y-%m-%d")
    pd.concat([pd.DataFrame({"id": f"s{k}", "ds": dates, "y": 50 + 5 * k + 0.3 * t + 6 * np.sin(2 * np.pi * t / 12 + k)
                             + rng.normal(0, 1 + k / 2, points)}) for k in range(series)]).to_csv(path, index=False)
    return path


def overrides(models: list[str], devices: int = 1) -> dict:
    return {"data": {"task": "forecast"}, "forecast": {"horizon": 6, "backtest": 2, "models": models},
            "model": {"hidden_size": 16},
            "train": {"epochs": 3, "threads": 1, "accelerator": "cpu", "devices": devices,
                      "strategy": "ddp" if devices > 1 else "auto"}}


SCRIPT = textwrap.dedent("""
    import json, os, sys
    import trainwright
    from trainwright.train import forecasting

    data, runs, results, overrides = sys.argv[1:5]
    overrides = json.loads(overrides)
    rank = os.environ["RANK"]
    report = {}

    def boom(series, config):
        raise ValueError(f"cannot fit {series.id}")

    kept = forecasting._backtest_baselines
    if rank == "1":
        forecasting._backtest_baselines = boom
    try:
        trainwright.train(data, out=os.path.join(runs, "failed"), config=trainwright.build_config(
            overrides=overrides["baselines"]))
    except trainwright.errors.TrainwrightError as e:
        report["failure"] = str(e)
    forecasting._backtest_baselines = kept
    for name in ("baselines", "nbeats"):
        result = trainwright.train(data, out=os.path.join(runs, name),
                                   config=trainwright.build_config(overrides=overrides[name]))
        report[name] = result.main_process
    with open(os.path.join(results, f"rank{rank}.json"), "w") as f:
        json.dump(report, f)
""")


def launch(tmp_path: Path, data: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """The script on two processes started by torchrun, as on one machine of a several-machine launch."""
    script = tmp_path / "forecast_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    results = tmp_path / "results"
    results.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARIABLES}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")])))
    wanted = json.dumps({"baselines": overrides(BASELINES, 2), "nbeats": overrides(WITH_NBEATS, 2)})
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                           str(script), str(data), str(tmp_path / "runs"), str(results), wanted],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, {p.stem: json.loads(p.read_text()) for p in results.iterdir()}


def read(run: Path) -> tuple[dict, dict]:
    record = json.loads((run / "forecast.json").read_text())
    return record, {s["id"]: s for s in record["series"]}


@pytest.mark.slow
def test_two_processes_forecast_like_one(tmp_path):
    data = write_panel(tmp_path / "panel.csv")
    proc, ranks = launch(tmp_path, data)

    assert sorted(ranks) == ["rank0", "rank1"]
    for rank in ranks.values():  # rank 1's share failed: both processes stopped on the same message, none hung
        assert "Process 1 of the 2 of this forecast run failed" in rank["failure"]
        assert "ValueError: cannot fit s1" in rank["failure"]
    assert ranks["rank0"]["baselines"] and ranks["rank0"]["nbeats"]  # rank 0 saved
    assert not ranks["rank1"]["baselines"] and not ranks["rank1"]["nbeats"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["baselines", "nbeats"]  # nothing else written

    for name, models in (("baselines", BASELINES), ("nbeats", WITH_NBEATS)):
        trainwright.train(data, out=tmp_path / "single" / name, config=trainwright.build_config(
            overrides=overrides(models)))
    # the baselines only: every choice, score, form and forecast is the one-process run's, to the last bit
    shared, single = (tmp_path / "runs" / "baselines", tmp_path / "single" / "baselines")
    assert read(shared)[0] == read(single)[0]
    assert (shared / "forecasts.csv").read_bytes() == (single / "forecasts.csv").read_bytes()

    # with N-BEATS, trained with DDP: the baselines' scores as exactly, N-BEATS within DDP's noise
    (_, shared), (_, single) = read(tmp_path / "runs" / "nbeats"), read(tmp_path / "single" / "nbeats")
    assert list(shared) == list(single)
    for key, one in single.items():
        two = shared[key]
        for model in ("seasonal_naive", "theta"):
            assert two["scores"][model] == one["scores"][model]
        assert two["scores"]["nbeats"]["mase"] == pytest.approx(one["scores"]["nbeats"]["mase"], rel=0.02)
        if two["model"] == one["model"] != "nbeats":
            assert two["forecast"] == one["forecast"] and two["model_form"] == one["model_form"]
        else:
            assert "nbeats" in (one["model"], two["model"])  # only a close call with N-BEATS may go the other way
    assert (tmp_path / "runs" / "nbeats" / "weights.safetensors").is_file() == any(
        s["model"] == "nbeats" for s in shared.values())


DYING = textwrap.dedent("""
    import json, os, sys
    import trainwright
    from trainwright.train import forecasting

    def dies(series, config):
        os._exit(3)  # killed, out of memory: no error to send

    if os.environ["RANK"] == "1":
        forecasting._backtest_baselines = dies
    trainwright.train(sys.argv[1], out=sys.argv[2], config=trainwright.build_config(overrides=json.loads(sys.argv[3])))
""")


@pytest.mark.slow
def test_a_process_that_dies_ends_the_others(tmp_path):
    """Rank 0 waits for rank 1's share in a collective; torchrun ends it when rank 1 exits, rather than letting it
    wait for the group's timeout."""
    data = write_panel(tmp_path / "panel.csv", series=2)
    script = tmp_path / "dying_script.py"
    script.write_text(DYING, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARIABLES}
    env.update(OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                           str(script), str(data), str(tmp_path / "run"), json.dumps(overrides(["naive"], 2))],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode != 0 and "exitcode  : 3" in proc.stderr
    assert not (tmp_path / "run").exists()


def test_lightnings_own_launcher_and_a_mismatched_launch_are_refused(tmp_path, monkeypatch):
    data = write_panel(tmp_path / "panel.csv", series=2)
    for name in LAUNCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="started by a launcher.*torchrun --nproc-per-node 2"):
        trainwright.train(data, out=tmp_path / "run", config=trainwright.build_config(overrides=overrides(
            BASELINES, devices=2)))
    monkeypatch.setenv("WORLD_SIZE", "2")  # torchrun's, without --devices 2
    with pytest.raises(ConfigError, match="started 2 processes, but --devices 1 --num-nodes 1 make 1"):
        trainwright.train(data, out=tmp_path / "run", config=trainwright.build_config(overrides=overrides(BASELINES)))
    assert not (tmp_path / "run").exists()


def test_one_process_maps_in_order_and_a_share_keeps_its_messages():
    assert Ranks().map(abs, [-3, 1, -2], workers=1) == [3, 1, 2] and Ranks().agree({"a": 1}) == {"a": 1}
    seen = []

    class Seen(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    def told(item):
        logger.info(f"fitting {item}")
        return item * 2

    handler = Seen()
    logger.addHandler(handler)
    try:
        assert recorded(told, 4) == (8, [(logging.INFO, "fitting 4")])
    finally:
        logger.removeHandler(handler)
    assert seen == []  # kept for rank 0 to tell, not told by the process that fitted it
