"""zhibu's benchmarks: every figure next to a baseline measured in the same process and run.

    python -m bench                       # everything at the default sizes (about 35 minutes)
    python -m bench --only sweep list     # some of them
    python -m bench --size province                # the province: a month of it (under 10 minutes)
    python -m bench --size province --span quarter # a quarter (about 12 minutes)
    python -m bench --size province --store postgresql [--span quarter]  # on a local PostgreSQL
    python -m bench --only empty --size province [--store postgresql]   # a province's empty tick

Benchmarks (see docs/performance.md):
  materialize  a year of tasks for an org (a month for the province) vs raw sqlite3 executemany
  sweep        one tick's state changes and notices over 100k and 1M stored tasks, same changes
  list         `zhibu list --status overdue` (a whole cold process) vs Taskwarrior `task overdue`
  naive        one APScheduler job per reminder (SQLAlchemyJobStore) vs `zhibu run`, city size
  empty        a tick with nothing to do under `zhibu run` (warm worker) vs a cold `zhibu tick`
  morning      a digest morning's tick: its own memory under `zhibu run` vs a cold `zhibu tick`'s peak
  daemon       `zhibu run` through 2026 on a stepped clock (a tick a day, city size): RSS, CPU/tick, idle CPU
  digests      the daily digests of the org: messages rendered and queued per second
  delivery     a digest morning delivered to a local SMTP server vs raw smtplib over one connection
  web          the task page a digest's link opens: a GET through the server vs its SQL alone
  socket       `zhibu done` through the service's socket vs the same command writing the store

Nothing here asserts: it prints what it measured. Timings are noisy on shared machines, which is
why each row carries its own baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.daemon import bench_daemon, bench_naive
from bench.delivery import bench_delivery
from bench.digests import bench_digests
from bench.empty_tick import bench_empty_tick
from bench.listing import bench_list
from bench.materialize import SPANS, bench_materialize
from bench.measure import Row
from bench.morning import bench_morning
from bench.orgs import SIZES
from bench.postgres import bench_postgres, local_postgres

# what the synthetic tasks are called: the catalogue's aliases and titles, people with names
from bench.socket_done import bench_socket
from bench.sweep import bench_sweep
from bench.web import bench_web

BENCHMARKS = (
    "materialize",
    "sweep",
    "list",
    "naive",
    "empty",
    "morning",
    "daemon",
    "digests",
    "delivery",
    "web",
    "socket",
)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), help="org size for materialize/naive/daemon/digests")
    parser.add_argument(
        "--only", nargs="*", choices=BENCHMARKS, help="default: all (with --size province: materialize)"
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="materialize (province) or the empty tick into a local PostgreSQL",
    )
    parser.add_argument(
        "--span", choices=sorted(SPANS), help="what materialize creates (default: a year; a month for the province)"
    )
    parser.add_argument("--keep", type=Path, help="keep the work files in this folder")
    parser.add_argument("--every", type=int, default=1, help="days between the daemon's ticks (default 1)")
    args = parser.parse_args(argv)
    if args.only is None:
        args.only = ["materialize"] if args.size == "province" else list(BENCHMARKS)
    work = args.keep or Path(tempfile.mkdtemp(prefix="zhibu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    shown = 0
    started = time.perf_counter()

    def folder(name: str) -> Path:
        path = work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    for name in args.only:
        print(f"… {name}", file=sys.stderr, flush=True)
        if name == "materialize" and args.store == "postgresql":
            rows.extend(bench_postgres(SIZES[args.size or "province"], folder("postgres"), args.span))
        elif name == "materialize":
            for size in [SIZES[args.size]] if args.size else [SIZES["ju"], SIZES["city"]]:
                rows.append(bench_materialize(size, folder(f"materialize-{size.name}"), args.span))
        elif name == "sweep":
            rows.extend(bench_sweep(folder("sweep")))
        elif name == "list":
            rows.append(bench_list(folder("list")))
        elif name == "naive":
            rows.append(bench_naive(SIZES[args.size or "city"], folder("naive")))
        elif name == "empty" and args.store == "postgresql":
            with local_postgres(folder("postgres-empty")) as (url, server):
                rows.append(bench_empty_tick(SIZES[args.size or "city"], folder("empty"), url, server))
        elif name == "empty":
            rows.append(bench_empty_tick(SIZES[args.size or "city"], folder("empty")))
        elif name == "morning":
            rows.append(bench_morning(SIZES[args.size or "city"], folder("morning")))
        elif name == "daemon":
            rows.append(bench_daemon(SIZES[args.size or "city"], folder("daemon"), args.every))
        elif name == "digests":
            rows.append(bench_digests(SIZES[args.size or "city"], folder("digests")))
        elif name == "delivery":
            rows.append(bench_delivery(SIZES[args.size or "city"], folder("delivery")))
        elif name == "socket":
            rows.append(bench_socket(folder("socket")))
        elif name == "web":
            rows.append(bench_web(SIZES[args.size or "city"], folder("web")))
        print(f"  done after {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        for row in rows[shown:]:
            print(f"  | {row.benchmark} | {row.size} | {row.zhibu} | {row.baseline} | {row.ratio} |", file=sys.stderr)
        shown = len(rows)
    print(
        f"Machine: {machine()}; peak RSS of the benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print()
    print("| benchmark | size | zhibu | baseline (same run) | ratio | goal |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.benchmark} | {row.size} | {row.zhibu} | {row.baseline} | {row.ratio} | {row.goal} |")
    notes = [f"- {row.benchmark} ({row.size}): {row.note}" for row in rows if row.note]
    if notes:
        print()
        print("\n".join(notes))
    kept = f"work files kept in {work}" if args.keep else "work files removed"
    print(f"\nTotal {time.perf_counter() - started:.0f} s; {kept}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
