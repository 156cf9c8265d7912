"""Materializing a year (or a province's month or quarter) beside a raw executemany of the same rows."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.measure import SHANGHAI, UTC, Row
from bench.orgs import Size, write_org


def _stored(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (what the raw baseline must write too)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def rule_sources(size: Size, folder: Path, last: date) -> Iterator[Callable[[], Iterator[Any]]]:
    """Write the org for ``size``; yield for each of its rules what computes its occurrences from
    2026-01-01 to ``last``."""
    from workflows.calendar import work_calendar
    from workflows.config.load import load_config
    from workflows.occurrences import occurrences_of
    from workflows.roster import roster_from_config
    from workflows.rules import rules_from_config

    config = write_org(size, folder)
    loaded = load_config(config)
    roster = roster_from_config(loaded)
    workdays = work_calendar("CN")
    for rule in rules_from_config(loaded.config):
        yield partial(occurrences_of, rule, roster, SHANGHAI, workdays, date(2026, 1, 1), last)


SPANS = {
    "month": (date(2026, 1, 31), "January 2026"),
    "quarter": (date(2026, 3, 31), "Q1 2026"),
    "year": (date(2026, 12, 31), "2026"),
}


def materialize_into(url: str, size: Size, folder: Path, last: date) -> tuple[float, int]:
    """Seconds to insert every occurrence of ``size`` through ``last`` into the store ``url``
    (occurrences computed as they are inserted, as a sync does), and how many went in."""
    from scheduler.engine.materialize import insert_streamed
    from scheduler.store.engine import open_store

    now = datetime(2025, 12, 31, 12, tzinfo=SHANGHAI)
    store = open_store(url)
    sources = list(rule_sources(size, folder, last))
    rows = 0
    start = time.perf_counter()
    with store.writing() as session:
        for source in sources:  # as a first sync does: no task of the rule stored yet
            rows += insert_streamed(session, source, now, keep_keys=False, fresh=True)[0]
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed, rows


def bench_materialize(size: Size, work: Path, span_name: str | None = None) -> Row:
    from scheduler.store.engine import open_store

    # a province's year is 22 million rows: its default is a month, to stay under 10 minutes
    last, span = SPANS[span_name or ("month" if size.name == "province" else "year")]
    zhibu, rows = materialize_into(f"sqlite:///{work / 'zhibu.db'}", size, work / "org", last)

    # the baseline: the same rows, read back from zhibu's store (not timed), written through raw
    # sqlite3 executemany into an empty store of the same schema, batch by batch (timed)
    raw_store = open_store(f"sqlite:///{work / 'raw.db'}")
    raw_store.close()
    connection = sqlite3.connect(work / "raw.db")
    source = sqlite3.connect(work / "zhibu.db")
    raw = 0.0
    for table in ("schedule", "task"):
        columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
        cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
        sql = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        while batch := cursor.fetchmany(20_000):
            begin = time.perf_counter()
            connection.executemany(sql, batch)
            connection.commit()
            raw += time.perf_counter() - begin
    source.close()
    connection.close()
    return Row(
        "materialize",
        f"{size.name} ({span})",
        f"{zhibu:.1f} s, {rows:,} tasks ({rows / zhibu:,.0f}/s)",
        f"{raw:.1f} s raw executemany",
        f"{zhibu / raw:.1f}×",
        "≤ 3× the raw insert",
        "zhibu: occurrences + reminder plans + INSERT OR IGNORE through executemany; raw: the insert only",
    )
