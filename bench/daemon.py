"""The service over a simulated year, and the naive design (an APScheduler job per reminder)."""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.materialize import rule_sources
from bench.measure import UTC, ZHIBU, Row, _percentile, rss_mb, tick_figures, tree_cpu_seconds
from bench.orgs import Size, write_org

# what the synthetic tasks are called: the catalogue's aliases and titles, people with names


def _daemon(org: Path, clock: str, interval: str) -> subprocess.Popen[str]:
    """`zhibu run` on ``org`` with the simulated clock ``clock`` (a ZHIBU_CLOCK value)."""
    return subprocess.Popen(
        [*ZHIBU, "--config", str(org / "zhibu.toml"), "run", "--interval", interval],
        env={**os.environ, "ZHIBU_SIMULATE": "1", "ZHIBU_CLOCK": clock},  # a simulation store: its clock may move
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _running_clock(start: str, speed: float = 1) -> str:
    """A clock from ``start`` running ``speed`` times real time."""
    return f"{start}@{time.time():.0f}x{speed:.0f}"


def _wait_for_line(process: subprocess.Popen[str], marker: str) -> str:
    """Read the daemon's output until a line containing ``marker`` and return it; fail if it exits first."""
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        if marker in line:
            return line
        tail = [*tail[-20:], line]
    raise RuntimeError(f"zhibu run exited before {marker!r}:\n{''.join(tail)}")


def remind(key: str, step: str) -> None:
    """What a naive design's job would call (never run here)."""


def _rss_after(code: str) -> float:
    """The RSS (MB) of a fresh interpreter once ``code`` ran: what a process costs before it holds any data."""
    probe = f"{code}\nimport re\nprint(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def bench_naive(size: Size, work: Path, sample: int = 20_000) -> Row:
    """One APScheduler job per reminder of a year in a SQLAlchemyJobStore: the time to create
    them (the naive daemon's start-up) and the memory of holding them, measured on ``sample``
    jobs and scaled to the year's count; vs `zhibu run` started on the same org."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    occurrences = (o for source in rule_sources(size, work / "org", date(2026, 12, 31)) for o in source())
    reminders: list[tuple[str, str, datetime]] = []
    total = 0
    for occurrence in occurrences:
        for step in occurrence.reminders:
            total += 1
            if len(reminders) < sample:
                reminders.append((occurrence.key, step.name, step.at))
    future = datetime(2030, 1, 1, tzinfo=UTC)
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{work / 'jobs.db'}")})
    scheduler.start(paused=True)
    start = time.perf_counter()
    for index, (key, step, at) in enumerate(reminders):
        scheduler.add_job(remind, "date", run_date=max(at, future), args=(key, step), id=f"{index}")
    per_job = (time.perf_counter() - start) / len(reminders)
    scheduler.shutdown(wait=False)
    job_bytes = (work / "jobs.db").stat().st_size / len(reminders)
    memory = BackgroundScheduler(jobstores={"default": MemoryJobStore()})
    memory.start(paused=True)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for index, (key, step, at) in enumerate(reminders):
        memory.add_job(remind, "date", run_date=max(at, future), args=(key, step), id=f"{index}")
    per_job_mb = (tracemalloc.get_traced_memory()[0] - before) / len(reminders) / 2**20
    tracemalloc.stop()
    memory.shutdown(wait=False)

    # zhibu run on the same org, from an empty store: until its first tick is done
    org = work / "org"
    for name in ("zhibu.db", "zhibu.db-wal", "zhibu.db-shm"):
        (org / name).unlink(missing_ok=True)
    began = time.perf_counter()
    process = _daemon(org, _running_clock("2026-03-02T08:00+08:00"), "1d")
    first = _wait_for_line(process, "tick 2026-03-02")
    startup = time.perf_counter() - began
    # the service between ticks, and during its busiest tick: itself plus that tick's process
    zhibu_rss = rss_mb(process.pid)
    zhibu_peak = zhibu_rss + tick_figures(first)[1]
    process.terminate()
    process.wait(timeout=60)
    store_mb = (org / "zhibu.db").stat().st_size / 2**20
    naive_startup = per_job * total
    jobs_mb = per_job_mb * total
    # both sides as whole processes: the naive daemon's interpreter with APScheduler and SQLAlchemy
    # imported, plus its jobs, all the time; zhibu's service between ticks, and during a tick the
    # service plus the tick's process (a tick from an empty store is the busiest of a year)
    naive_floor = _rss_after(
        "import apscheduler.schedulers.background, apscheduler.jobstores.memory, apscheduler.jobstores.sqlalchemy"
    )
    naive_mb = naive_floor + jobs_mb
    return Row(
        "naive: a job per reminder",
        f"{size.name}, {total:,} reminders a year",
        f"start {startup:.1f} s; RSS {zhibu_rss:.0f} MB between ticks (the service),"
        f" {zhibu_peak:.0f} MB during the first tick (the service + the tick's process at its peak);"
        f" store {store_mb:.0f} MB",
        f"start {naive_startup / 60:.0f} min ({per_job * 1000:.1f} ms/job), RSS {naive_mb:,.0f} MB all the time"
        f" ({naive_floor:.0f} MB the interpreter and libraries, {jobs_mb:,.0f} MB of jobs in a MemoryJobStore),"
        f" {job_bytes * total / 2**20:,.0f} MB job table",
        f"{naive_startup / startup:.0f}× start; {naive_mb / zhibu_rss:.0f}× between ticks,"
        f" {naive_mb / zhibu_peak:.0f}× during a tick",
        "≥ 50× smaller",
        f"naive figures scaled from {len(reminders):,} jobs; zhibu: first tick from an empty store",
    )


def bench_daemon(size: Size, work: Path, days_per_tick: int = 1) -> Row:
    """`zhibu run` through 2026 on a stepped clock: the benchmark writes 09:00 of each day (or every
    ``days_per_tick`` days: after the 08:30 digest, so each tick also composes the day's digests)
    and waits for that tick to finish before moving the clock on. RSS at each tick, CPU per tick,
    then the CPU it uses while waiting (real clock, between two ticks)."""
    org = work / "org"
    write_org(size, org)
    instant = work / "now"
    day = date(2026, 1, 1)
    instant.write_text(f"{day}T09:00+08:00", encoding="utf-8")
    before_year = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = _daemon(org, f"file:{instant}", "1d")
    ticks: list[float] = []
    rss: list[float] = []
    peaks: list[float] = []
    messages = 0
    while day.year == 2026:
        instant.write_text(f"{day}T09:00+08:00", encoding="utf-8")
        line = _wait_for_line(process, f"INFO tick {day} 09:00")
        queued = re.search(r"(\d+) messages queued", line)
        messages += int(queued.group(1)) if queued else 0
        cpu, peak = tick_figures(line)
        ticks.append(cpu)
        peaks.append(peak)
        rss.append(rss_mb(process.pid))
        if len(ticks) == 1 or day.month != (day - timedelta(days=days_per_tick)).month:  # monthly progress
            print(
                f"    {day}: {ticks[-1]:.1f} s CPU, RSS {rss[-1]:.0f} MB, the tick's process {peaks[-1]:.0f} MB at its peak",
                file=sys.stderr,
                flush=True,
            )
        day += timedelta(days=days_per_tick)
    process.terminate()
    process.wait(timeout=60)
    after_year = resource.getrusage(resource.RUSAGE_CHILDREN)  # the service and its ticks, all reaped
    year_cpu = sum(getattr(after_year, f) - getattr(before_year, f) for f in ("ru_utime", "ru_stime"))
    # idle: real clock, a tick every 5 minutes; the CPU used in the 30 s from 5 s after the first
    # tick, then what a tick that finds nothing to do costs (its process's start and config parse)
    idle_org = work / "idle"
    shutil.copytree(org, idle_org)
    idle = _daemon(idle_org, _running_clock("2026-12-31T09:00+08:00"), "5m")
    _wait_for_line(idle, "tick 2026-12-31")
    time.sleep(5)
    before = tree_cpu_seconds(idle.pid)  # the service, its warm worker and the ticks it forked
    time.sleep(30)
    idle_cpu = (tree_cpu_seconds(idle.pid) - before) / 30
    idle.terminate()
    idle.wait(timeout=60)
    empty = _daemon(idle_org, f"file:{instant}", "1d")  # the clock stays at the year's last tick
    last = f"INFO tick {day - timedelta(days=days_per_tick)} 09:00"
    _wait_for_line(empty, last)  # the first tick of a start prints the agenda too: not counted
    before = tree_cpu_seconds(empty.pid)
    for _ in range(5):
        _wait_for_line(empty, last)
    empty_tick = (tree_cpu_seconds(empty.pid) - before) / 5
    empty.terminate()
    empty.wait(timeout=60)
    steady = ticks[1:] or ticks
    return Row(
        "daemon, a simulated year",
        f"{size.name}, {len(ticks)} ticks {days_per_tick} day(s) apart",
        f"the service's RSS {rss[0]:.0f} MB after the first tick, {min(rss):.0f}–{max(rss):.0f} MB over the year;"
        f" a tick's process at its peak: {peaks[0]:.0f} MB the first, median {statistics.median(peaks[1:] or peaks):.0f},"
        f" max {max(peaks[1:] or peaks):.0f} MB; CPU/tick median {statistics.median(steady):.2f} s,"
        f" p95 {_percentile(steady, 95):.2f} s, max {max(steady):.2f} s ({year_cpu:,.0f} s CPU in all, the"
        f" service's own and the ticks'); a tick with nothing to do"
        f" {empty_tick:.2f} s CPU; idle {idle_cpu * 100:.2f}% CPU between ticks",
        f"first tick {ticks[0]:.1f} s CPU (the whole window created)",
        f"the service's RSS last/first tick {rss[-1] / rss[0]:.2f}",
        "RSS flat, idle CPU ≈ 0",
        f"stepped clock (ZHIBU_CLOCK=file:…): each tick finishes before the clock moves on; {messages:,} messages"
        " queued over the year",
    )
