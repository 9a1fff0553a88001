"""A real `trainwright.serve.serve(...)` in a subprocess on a free port, for tests that need real HTTP."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log: Path  # the server's stderr

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


@contextmanager
def live_server(model_dir: Path, log_dir: Path, port: int = 0, **options):
    """Start `serve(model_dir, port=port, threads=1, **options)` (port 0: a free one) and yield once it printed its
    URL; stop it (SIGTERM, a graceful shutdown) afterwards."""
    call = ", ".join([repr(str(model_dir)), f"port={port}", "threads=1", *(f"{k}={v!r}" for k, v in options.items())])
    env = {k: v for k, v in os.environ.items() if k != "TRAINWRIGHT_TOKEN"}
    log = log_dir / "server.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", f"from trainwright.serve import serve; serve({call})"],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    try:
        running = LiveServer(_announced_url(process, log), process, log)
        _wait_until_ready(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _announced_url(process: subprocess.Popen, log: Path, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            found = re.search(r"http://\S+/", line)
            if found:
                return found.group(0)
        if process.poll() is not None:
            break
    raise AssertionError(f"the server did not start:\n{log.read_text()[-3000:]}")


def _wait_until_ready(server: LiveServer, timeout: float = 90) -> None:
    """With several workers the URL is printed before uvicorn binds the socket and the workers load the model."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if httpx.get(server.url + "ready", timeout=30).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server is not ready:\n{server.log.read_text()[-3000:]}")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium on `url` with a fresh profile; `--virtual-time-budget` lets the page's fetch finish
    before `--dump-dom` or `--screenshot`."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=15000", *args, url]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
