"""The province on PostgreSQL: a month (or a quarter) materialized beside a raw ``COPY`` of the same
rows, then a tick's sweep and ``zhibu list`` on that store beside the same on SQLite.

``python -m bench --size province --store postgresql [--span quarter]`` starts a throwaway
PostgreSQL server as the tests do (``tests/postgres.py``: initdb in the work folder, loopback
only, fsync off as in the tests — the same for zhibu and for the baseline).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bench.digests import with_mail_channel
from bench.materialize import SPANS, materialize_into
from bench.measure import SHANGHAI, ZHIBU, Row, timed
from bench.orgs import Size

TABLES = ("schedule", "task")


def _copy(source: str, target: str, work: Path) -> float:
    """The raw baseline: the rows zhibu stored, copied out (not timed) and loaded with psycopg's
    ``COPY … FROM STDIN`` into an empty store of the same schema (timed)."""
    import psycopg

    from scheduler.store.engine import open_store

    open_store(target).close()  # the same schema, indexes included
    plain = {url: url.replace("postgresql+psycopg://", "postgresql://") for url in (source, target)}
    spent = 0.0
    with psycopg.connect(plain[source]) as src, psycopg.connect(plain[target]) as dst:
        for table in TABLES:
            columns = [
                row[0]
                for row in src.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id'"
                    " ORDER BY ordinal_position",
                    (table,),
                )
            ]
            names = ", ".join(columns)
            dump = work / f"{table}.copy"
            with (
                dump.open("wb") as out,
                src.cursor().copy(f"COPY (SELECT {names} FROM {table}) TO STDOUT") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            start = time.perf_counter()
            with dump.open("rb") as data, dst.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
            dst.commit()
            spent += time.perf_counter() - start
            dump.unlink()
    return spent


MORNING = datetime(2026, 1, 15, 9, tzinfo=SHANGHAI)  # the sweep's and the digests' instant


def _sweep(url: str) -> tuple[float, int]:
    """One tick's sweep a fortnight into the span: the tasks whose thresholds passed."""
    from scheduler.engine.sweep import sweep
    from scheduler.store.engine import open_store

    store = open_store(url)
    start = time.perf_counter()
    with store.writing() as session:
        report = sweep(session, MORNING)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed, sum(report.moved.values())


def _digest_morning(config: Path, url: str) -> tuple[float, int, float, int]:
    """The sweep's morning on the store ``url``: reminders fired (seconds, notices), then digests
    composed and queued, not sent (seconds, messages). The directory of units and people is written
    first, untimed (a materialize alone does not write it)."""
    from scheduler.app import open_app
    from scheduler.engine.digests import compose_digests
    from scheduler.engine.directory import sync_directory
    from scheduler.engine.notices import fire_notices

    app = open_app(config, url)
    with app.store.writing() as session:
        sync_directory(session, app.loaded, MORNING)
    with app.store.writing() as session:
        fired, notices = timed(lambda: fire_notices(session, MORNING, app.unit_channels).notices)
        composed, digests = timed(lambda: compose_digests(session, app, MORNING, "zh").messages)
    app.store.close()
    return fired, notices, composed, digests


def _list(config: Path, url: str, runs: int = 5) -> float:
    """Median wall time of a cold ``zhibu list`` of one branch's open tasks on the store ``url``."""
    env = {**os.environ, "ZHIBU_DB": url}
    command = [*ZHIBU, "--config", str(config), "list", "--unit", "dw001zb001"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"zhibu list failed ({done.returncode}): {done.stderr[-500:]}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _said(text: str) -> None:
    """A figure as soon as it is measured (a later failure loses nothing)."""
    print(f"    {text}", file=sys.stderr, flush=True)


@contextmanager
def local_postgres(work: Path) -> Iterator[tuple[str, int]]:
    """A throwaway PostgreSQL server (as the tests start it): the URL of a fresh database on it,
    and its postmaster's pid (whose CPU, with its backends', is the server's)."""
    from tests.postgres import PostgresServer

    server = PostgresServer(work / "pg")
    server.start()
    try:
        url = server.database()
        yield url, int((server.data / "postmaster.pid").read_text().split()[0])
    finally:
        server.stop()


def bench_postgres(size: Size, work: Path, span_name: str | None = None) -> list[Row]:
    """Materialize ``span`` of ``size`` into PostgreSQL beside a raw COPY; for a month, then the
    same into SQLite, a sweep, a digest morning and ``list`` on both stores."""
    from tests.postgres import PostgresServer

    last, span = SPANS[span_name or "month"]
    server = PostgresServer(work / "pg")
    server.start()
    try:
        pg, raw = server.database(), server.database()
        pg_time, rows = materialize_into(pg, size, work / "org-pg", last)
        _said(f"PostgreSQL: {rows:,} tasks in {pg_time:.1f} s")
        copy_time = _copy(pg, raw, work)
        _said(f"raw COPY of the same rows: {copy_time:.1f} s")
        materialized = _materialize_row(size, span, pg_time, rows, copy_time)
        if span_name not in (None, "month"):
            return [materialized]
        sqlite_url = f"sqlite:///{work / 'province.db'}"
        sqlite_time, _ = materialize_into(sqlite_url, size, work / "org-sqlite", last)
        _said(f"SQLite: {sqlite_time:.1f} s")
        materialized.zhibu += f"; the same on SQLite {sqlite_time:.1f} s"
        sweeps = {name: _sweep(url) for name, url in (("PostgreSQL", pg), ("SQLite", sqlite_url))}
        _said(f"sweeps: {sweeps}")
        config = work / "org-pg" / "zhibu.toml"
        with_mail_channel(config)
        mornings = {name: _digest_morning(config, url) for name, url in (("PostgreSQL", pg), ("SQLite", sqlite_url))}
        _said(f"digest mornings: {mornings}")
        lists = {name: _list(config, url) for name, url in (("PostgreSQL", pg), ("SQLite", sqlite_url))}
    finally:
        server.stop()
    return [materialized, _store_row(size, span, rows, sweeps, mornings, lists)]


def _materialize_row(size: Size, span: str, seconds: float, rows: int, copy_time: float) -> Row:
    ratio = seconds / copy_time if copy_time else 0.0
    return Row(
        "materialize on PostgreSQL",
        f"{size.name} ({span})",
        f"{seconds:.1f} s, {rows:,} tasks ({rows / seconds:,.0f}/s)",
        f"{copy_time:.1f} s raw COPY of the same rows (psycopg)",
        f"{ratio:.1f}×",
        f"≤ 2× the raw COPY {'✓' if ratio <= 2 else '✗'}; ≤ 10 min {'✓' if seconds <= 600 else '✗'}",
        "zhibu: occurrences, reminder plans and a COPY straight into the task table per rule; COPY: the load only",
    )


def _store_row(
    size: Size,
    span: str,
    rows: int,
    sweeps: dict[str, tuple[float, int]],
    mornings: dict[str, tuple[float, int, float, int]],
    lists: dict[str, float],
) -> Row:
    def said(name: str) -> str:
        (sweep_time, moved), (fired, notices, composed, digests) = sweeps[name], mornings[name]
        return (
            f"{name}: sweep at 2026-01-15 09:00 {sweep_time:.1f} s ({moved:,} tasks moved, an audit row each);"
            f" reminders fired {fired:.1f} s ({notices:,} notices); digests composed {composed:.1f} s"
            f" ({digests:,} queued); `zhibu list --unit` (cold) {lists[name] * 1000:.0f} ms"
        )

    ratios = [
        sweeps["PostgreSQL"][0] / sweeps["SQLite"][0],
        mornings["PostgreSQL"][0] / mornings["SQLite"][0],
        mornings["PostgreSQL"][2] / mornings["SQLite"][2],
        lists["PostgreSQL"] / lists["SQLite"],
    ]
    return Row(
        "sweep, digest morning and list on the province's store",
        f"{size.name} ({span}), {rows:,} tasks",
        said("PostgreSQL"),
        said("SQLite"),
        " / ".join(f"{ratio:.1f}×" for ratio in ratios),
        "—",
    )
