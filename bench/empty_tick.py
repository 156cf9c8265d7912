"""A tick with nothing to do under ``zhibu run`` (forked by the warm worker, the config kept
parsed) beside the same tick in a cold process (``zhibu tick --now``: an interpreter started,
the libraries imported, the config and roster parsed)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from bench.daemon import _daemon, _wait_for_line
from bench.measure import SHANGHAI, ZHIBU, Row, rss_mb, tree_cpu_seconds
from bench.orgs import Size, write_org

TICKS = 6


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_empty_tick(size: Size, work: Path, store: str = "sqlite:///zhibu.db", server: int | None = None) -> Row:
    """The service's CPU (service, warm worker and tick together) per tick that finds nothing to
    do, after a first tick created the window; then ``zhibu tick`` as a cold process at the same
    instants. The first tick runs from the command line, as service.md advises for a large
    organization: a province's first window outlasts the service's tick budget. With ``server``
    (a local PostgreSQL's postmaster), that server's CPU per tick is reported beside."""
    org = work / "org"
    config = write_org(size, org, store=store)
    instant = work / "now"
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # after the morning's digests
    env = {**{k: v for k, v in os.environ.items() if k != "ZHIBU_CLOCK"}, "ZHIBU_SIMULATE": "1"}
    first = [*ZHIBU, "--config", str(config), "tick", "--now", start.isoformat(), "-q"]
    subprocess.run(first, env=env, check=True, capture_output=True)  # the whole window created
    instant.write_text(start.isoformat(), encoding="utf-8")
    service = _daemon(org, f"file:{instant}", "5m")
    try:
        _wait_for_line(service, f"INFO tick {start:%Y-%m-%d %H:%M}")  # the service's first: nothing to do
        warm: list[float] = []
        served: list[float] = []

        def spent() -> tuple[float, float]:
            return tree_cpu_seconds(service.pid), tree_cpu_seconds(server) if server else 0.0

        for n in range(1, TICKS + 1):
            moment = start + timedelta(minutes=5 * n)
            before = spent()
            instant.write_text(moment.isoformat(), encoding="utf-8")
            line, ticks = _ticks_until(service, f"INFO tick {moment:%Y-%m-%d %H:%M}")
            after = spent()
            warm.append((after[0] - before[0]) / ticks)
            served.append((after[1] - before[1]) / ticks)
        worker = worker_mb(service.pid)
    finally:
        service.terminate()
        service.wait(timeout=60)
    cold: list[float] = []
    for n in range(TICKS + 1, 2 * TICKS + 1):
        moment = start + timedelta(minutes=5 * n)
        before = _children_cpu()
        subprocess.run(
            [*ZHIBU, "--config", str(config), "tick", "--now", moment.isoformat(), "-q"],
            env=env,
            check=True,
            capture_output=True,
        )
        cold.append(_children_cpu() - before)
    warm_cpu, cold_cpu = statistics.median(warm), statistics.median(cold)
    met = "✓" if warm_cpu <= 0.3 else "✗"
    on_server = f"; the PostgreSQL server {statistics.median(served):.2f} s CPU per tick beside" if server else ""
    return Row(
        "a tick with nothing to do",
        f"{size.name}" + (" on PostgreSQL" if server else ""),
        f"{warm_cpu:.2f} s CPU (median of {TICKS} steps of the clock, per tick; service, warm worker and the forked tick together;"
        f" last line: {line.split('INFO ', 1)[-1].strip()}); the warm worker holds {worker:.0f} MB{on_server}",
        f"{cold_cpu:.2f} s CPU: `zhibu tick --now` as a cold process at the same instants",
        f"{cold_cpu / warm_cpu:.1f}× less CPU" if warm_cpu else "-",
        f"≤ 0.3 s CPU {met}",
    )


def _ticks_until(process: subprocess.Popen[str], marker: str) -> tuple[str, int]:
    """Read the service's lines up to the one with ``marker``; it and how many ticks logged (on a
    stepped clock the timer fires every half second, each time a tick)."""
    assert process.stdout is not None
    ticks = 0
    for line in process.stdout:
        ticks += "INFO tick " in line
        if marker in line:
            return line, ticks
    raise RuntimeError(f"zhibu run exited before {marker!r}")


def worker_mb(service: int) -> float:
    """The resident MB of the warm worker of the service ``service`` (0 when it has none)."""
    workers = [
        int(p.parent.name)
        for p in Path("/proc").glob("[0-9]*/cmdline")
        if b"scheduler.service.warm" in _read(p) and _parent(int(p.parent.name)) == service
    ]
    return rss_mb(workers[0]) if workers else 0.0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0
