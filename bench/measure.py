"""What every benchmark shares: a result row, memory and CPU of a process, timing."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent


SHANGHAI = ZoneInfo("Asia/Shanghai")


UTC = ZoneInfo("UTC")


ZHIBU = [sys.executable, "-m", "scheduler.cli"]


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    size: str
    zhibu: str
    baseline: str
    ratio: str
    goal: str
    note: str = ""


def rss_mb(pid: int | None = None, field: str = "VmRSS") -> float:
    """Resident set size in MB of ``pid`` (default: this process); ``field="VmHWM"`` gives its peak."""
    path = f"/proc/{pid or os.getpid()}/status"
    for line in Path(path).read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far, with those of the children it has
    waited for (``zhibu run`` ticks in a child process)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """:func:`cpu_seconds` of ``pid`` and of all its live descendants (a service's warm worker
    and the ticks it forked and reaped)."""
    total = cpu_seconds(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            total += tree_cpu_seconds(int(stat.parent.name))
    return total


def tick_figures(line: str) -> tuple[float, float]:
    """The CPU seconds and peak MB of a tick's process, as its ``INFO tick …`` line reports them."""
    found = re.search(r"CPU ([\d.]+) s, peak (\d+) MB", line)
    if not found:
        raise RuntimeError(f"no CPU and peak in the tick line: {line!r}")
    return float(found.group(1)), float(found.group(2))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _percentile(values: Sequence[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]
