"""``zhibu done`` sent through the service's socket beside the same command writing the store
itself: what an operator waits for, each a whole process, median of many."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import Row
from bench.orgs import synthetic_config

RUNS = 15


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return time.perf_counter() - started


def bench_socket(work: Path) -> Row:
    """A service with its socket on a small org; a dues payment recorded per run, alternately
    through the socket (``forward``, as an operator without access to the store) and directly."""
    work.mkdir(parents=True, exist_ok=True)
    sock = work / "zhibu.sock"
    text = synthetic_config(10, 12).replace("[[units]]", f'[daemon]\nsocket = "{sock}"\n\n[[units]]', 1)
    config = work / "zhibu.toml"
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "ZHIBU_SIMULATE": "1"}
    env.pop("ZHIBU_CLOCK", None)
    service = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "--config", str(config), "run", "--interval", "1h"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    try:
        deadline = time.monotonic() + 120
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # the first tick creates the tasks
        keys = iter(f"zb{b:03d}/党费/2026Q1/zb{b:03d}m{m:03d}" for b in range(1, 11) for m in range(1, 13))
        remote, direct = [], []
        client = "import sys; from scheduler.cli.remote import forward; sys.exit(forward(__import__('pathlib').Path(sys.argv[1]), sys.argv[2:]))"
        for _ in range(RUNS):
            args = ["done", next(keys).replace("2026Q1", _quarter()), "--amount", "1"]
            remote.append(_timed([sys.executable, "-c", client, str(sock), *args], env))
            args = ["done", next(keys).replace("2026Q1", _quarter()), "--amount", "1"]
            direct.append(_timed([sys.executable, "-m", "scheduler.cli", "--config", str(config), *args], env))
    finally:
        service.terminate()
        service.wait(timeout=60)
    through, itself = statistics.median(remote), statistics.median(direct)
    ratio = through / itself
    return Row(
        "`done` through the socket",
        f"median of {RUNS}, a whole command each",
        f"{through * 1000:.0f} ms (client, socket, a served process, the record)",
        f"{itself * 1000:.0f} ms: the same `done` writing the store itself",
        f"{ratio:.2f}×",
        f"≤ 1.5× {'✓' if ratio <= 1.5 else '✗'}",
        "the socket adds a process start on the service's side, and saves the client's heavy imports",
    )


def _quarter() -> str:
    now = time.localtime()
    return f"{now.tm_year}Q{(now.tm_mon - 1) // 3 + 1}"
