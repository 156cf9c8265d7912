"""One tick's sweep and notices on a store of 100,000 and 1,000,000 tasks beside one raw UPDATE."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.materialize import _stored
from bench.measure import SHANGHAI, Row, timed

# what the synthetic tasks are called: the catalogue's aliases and titles, people with names


# what the synthetic tasks are called: the catalogue's aliases and titles, people with names
RULES = [
    ("党费", "缴纳党费"),
    ("主题党日", "主题党日"),
    ("支委会", "支部委员会会议"),
    ("党小组会", "党小组会"),
    ("谈心谈话", "谈心谈话"),
    ("党课", "党课"),
    ("组织生活会", "组织生活会"),
    ("中心组学习", "党委理论学习中心组学习"),
]


PEOPLE = 20_000
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _name(j: int) -> str:
    return SURNAMES[j % 20] + GIVEN[j // 20 % 20] + GIVEN[j // 400 % 20]


def _key(i: int) -> str:
    return f"u{i % PEOPLE}/{RULES[i % len(RULES)][0]}/2026-05/P{i}"


def _title(i: int) -> str:
    return RULES[i % len(RULES)][1]


def _synthetic_store(path: Path, stored: int, changing: int, tick: datetime) -> None:
    """``stored`` open tasks far from any threshold, ``changing`` of which cross one (become
    overdue, with a reminder due) at ``tick``; written with raw executemany (fast to build)."""
    from scheduler.store.engine import open_store

    open_store(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    later = tick + timedelta(days=200)
    step = {"at": (tick - timedelta(minutes=1)).isoformat(), "name": "escalate:1", "to": ["owner"], "escalation": True}
    connection.execute(
        "INSERT INTO schedule (rule_id, period_key, steps) VALUES (?, ?, ?)", ("bench", "p", json.dumps([step]))
    )
    created = _stored(tick - timedelta(days=30))

    connection.executemany(
        "INSERT INTO person (id, name, unit_id, status, roles, mobile, retired, active, source)"
        " VALUES (?, ?, ?, 'full', '[]', 0, 0, 1, 'bench')",
        ((f"P{j}", _name(j), f"u{j}") for j in range(PEOPLE)),
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(stored):
            crossing = i % (stored // changing) == 0 if changing else False
            due = tick - timedelta(minutes=2) if crossing else later + timedelta(minutes=i % 50_000)
            notice = tick - timedelta(minutes=1) if crossing else later
            yield (
                _key(i),
                "bench",
                f"u{i % PEOPLE}",
                str(i),
                "p",
                "2026-01-01",
                "p",
                _title(i),
                created,
                _stored(due - timedelta(days=7)) if not crossing else created,
                _stored(due),
                due.date().isoformat(),
                "due_soon" if crossing else "open",
                1,
                0,
                f"P{i % PEOPLE}",
                0,
                0,
                _stored(notice),
                0,
                0,
                created,
                created,
            )

    connection.executemany(
        "INSERT INTO task (key, rule_id, unit_id, person_id, period_key, period_start, schedule_key, title,"
        " opens_at, due_soon_at, due_at, due_on, state, count_required, count_done, assignee_id, late,"
        " escalation_level, next_notice_at, notice_index, urgent, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    connection.commit()
    connection.close()


def _raw_update(path: Path, tick: datetime) -> float:
    connection = sqlite3.connect(path)
    start = time.perf_counter()
    connection.execute(
        "UPDATE task SET state = 'overdue' WHERE state IN ('upcoming', 'open', 'due_soon') AND due_at <= ?",
        (_stored(tick),),
    )
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def bench_sweep(work: Path, counts: Sequence[int] = (100_000, 1_000_000), changing: int = 1_000) -> list[Row]:
    from scheduler.engine.notices import fire_notices
    from scheduler.engine.sweep import sweep
    from scheduler.store.engine import open_store

    tick = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    results = []
    # once untimed on a small store, so that compiling the statements is not charged to the first size
    _synthetic_store(work / "sweep-warm.db", 2_000, 20, tick)
    warm = open_store(f"sqlite:///{work / 'sweep-warm.db'}")
    with warm.writing() as session:
        sweep(session, tick)
        fire_notices(session, tick, {})
    warm.close()
    for stored in counts:
        path = work / f"sweep-{stored}.db"
        _synthetic_store(path, stored, changing, tick)
        shutil.copy(path, work / "sweep-raw.db")
        store = open_store(f"sqlite:///{path}")
        with store.writing() as session:
            elapsed, (swept, fired) = timed(lambda: (sweep(session, tick), fire_notices(session, tick, {})))
        store.close()
        # the baseline: the same state change as one raw UPDATE through the same index
        raw = _raw_update(work / "sweep-raw.db", tick)
        results.append(
            Row(
                "sweep (one tick)",
                f"{stored:,} stored",
                f"{elapsed * 1000:.0f} ms: {swept.count('overdue')} overdue, {fired.notices} notices",
                f"{raw * 1000:.1f} ms raw UPDATE",
                f"{elapsed / raw:.0f}×",
                "≤ 1 s; grows with changes, not with tasks stored",
            )
        )
    first, last = results[0], results[-1]
    first_ms = float(first.zhibu.split(" ms")[0])
    last_ms = float(last.zhibu.split(" ms")[0])
    last.note = (
        f"{counts[-1] // counts[0]}× the tasks stored, same {changing:,} changes: {last_ms / first_ms:.2f}× the time"
    )
    return results
