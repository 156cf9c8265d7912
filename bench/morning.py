"""A tick's memory on a digest morning: the tick forked from the warm worker under ``zhibu run``
(what it adds to the worker, and its resident peak counting the worker's pages it maps) beside
the same morning's tick as a cold process (``zhibu tick --now``)."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path

from bench.daemon import _daemon, _wait_for_line
from bench.digests import with_mail_channel
from bench.empty_tick import worker_mb
from bench.measure import SHANGHAI, ZHIBU, Row
from bench.orgs import Size, write_org

EVE = datetime(2026, 3, 29, 9, 0, tzinfo=SHANGHAI)  # a Sunday: the window created, no digest
MORNING = datetime(2026, 3, 30, 8, 31, tzinfo=SHANGHAI)  # Monday: a month's and a quarter's end near


def _cold_peak(config: Path, moment: datetime) -> float:
    """The peak resident MB of ``zhibu tick --now moment`` as a process of its own."""
    env = {**{k: v for k, v in os.environ.items() if k != "ZHIBU_CLOCK"}, "ZHIBU_SIMULATE": "1"}
    command = [*ZHIBU, "--config", str(config), "tick", "--now", moment.isoformat(), "-q"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"zhibu tick failed ({process.returncode})")
    return usage.ru_maxrss / 1024


def bench_morning(size: Size, work: Path) -> Row:
    """The morning's tick under the service, then the same in a cold process on a second copy of
    the org (the same deterministic org, its window created by a cold tick the evening before)."""
    served = write_org(size, work / "served")
    with_mail_channel(served)
    instant = work / "now"
    instant.write_text(EVE.isoformat(), encoding="utf-8")
    service = _daemon(served.parent, f"file:{instant}", "5m")
    try:
        _wait_for_line(service, f"INFO tick {EVE:%Y-%m-%d %H:%M}")
        instant.write_text(MORNING.isoformat(), encoding="utf-8")
        line = _wait_for_line(service, f"INFO tick {MORNING:%Y-%m-%d %H:%M}")
        worker = worker_mb(service.pid)
    finally:
        service.terminate()
        service.wait(timeout=60)
    found = re.search(r"(\d+) messages queued.*peak (\d+) MB, own (\d+) MB", line)
    if not found:
        raise RuntimeError(f"no figures in the tick line: {line!r}")
    queued, peak, own = (int(value) for value in found.groups())
    cold = write_org(size, work / "cold")
    with_mail_channel(cold)
    _cold_peak(cold, EVE)
    cold_peak = _cold_peak(cold, MORNING)
    met = ["✓" if figure <= 100 else "✗" for figure in (peak, cold_peak)]
    return Row(
        "a tick's memory, digest morning",
        f"{size.name} ({MORNING:%Y-%m-%d %H:%M}, {queued:,} messages queued)",
        f"the tick forked from the warm worker: own {own} MB (its private pages at its end); resident peak {peak} MB"
        f" counting the worker's pages it maps; the worker holds {worker:.0f} MB",
        f"{cold_peak:.0f} MB: the same morning's `zhibu tick --now` as a cold process (its peak)",
        f"{cold_peak / own:.1f}× less" if own else "-",
        f"≤ 100 MB: {met[0]} under the service (its resident peak), {met[1]} as a cold process",
    )
