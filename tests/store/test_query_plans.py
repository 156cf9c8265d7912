"""A tick's statements reach tasks through an index, never by walking the task table: at a
province's size one such walk costs more than the whole tick (SQLite's planner, without
statistics, prefers a scan that spares a sort, or a state index over a list of ids)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from scheduler.app import App
from scheduler.engine.digest_sections import digest_inputs
from scheduler.engine.digests import DIGEST_BATCH
from scheduler.engine.notices import fire_notices
from scheduler.engine.sweep import sweep
from scheduler.engine.tick import tick
from scheduler.store.models import NoticeRow
from tests.conftest import beijing


def test_sweep_and_reminders_use_indexes(app: App) -> None:
    tick(app, beijing("2026-01-05 09:00"), send=False)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE")) and " task" in statement:
            statements.append((statement, params[0] if many else params))

    event.listen(app.store.engine, "before_cursor_execute", seen)
    try:
        later = beijing("2026-03-20 09:00")
        with app.store.writing() as session:
            swept, fired = sweep(session, later), fire_notices(session, later, {})
    finally:
        event.remove(app.store.engine, "before_cursor_execute", seen)
    assert swept.count("overdue")  # the statements did real work
    assert fired.notices
    assert any(s.startswith("UPDATE task SET state") for s, _ in statements)
    with sqlite3.connect(Path(app.store.url.removeprefix("sqlite:///"))) as connection:
        for statement, params in statements:
            plan = [row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
            assert not [step for step in plan if step.startswith("SCAN task")], (statement, plan)
            if statement.startswith("UPDATE task SET state"):
                assert plan == ["SEARCH task USING INTEGER PRIMARY KEY (rowid=?)"], plan


def test_digests_look_up_a_batch_of_recipients_by_index(app: App) -> None:
    """With a full batch of recipients (an IN list of 500) and no statistics, SQLite's planner
    would rather walk every active task through a state index than look up the batch's owners
    and escalations; the digest queries compare the state as text so that it cannot."""
    tick(app, beijing("2026-03-02 09:00"), send=False)
    morning = beijing("2026-04-14 09:00")
    with app.store.writing() as session:  # six weeks later: overdue work, escalations
        sweep(session, morning)
        fire_notices(session, morning, app.unit_channels)
    with app.store.reading() as session:
        waiting = sorted(session.scalars(select(NoticeRow.recipient).distinct()))
    filler = [f"person:nobody{i:03}" for i in range(DIGEST_BATCH - len(waiting))]
    due = [(recipient, []) for recipient in waiting + filler]
    problem_rules = [rule.id for rule in app.rules if rule.needs_confirmation]
    statements = []

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, params))

    event.listen(app.store.engine, "before_cursor_execute", seen)
    try:
        with app.store.reading() as session:
            inputs = digest_inputs(session, due, problem_rules, morning.date(), 20)
    finally:
        event.remove(app.store.engine, "before_cursor_execute", seen)
    sections = [name for tallies in inputs.sections.values() for name in tallies]
    assert {"overdue", "chasing"} <= set(sections)  # the queries found real work
    with sqlite3.connect(Path(app.store.url.removeprefix("sqlite:///"))) as connection:
        for statement, params in statements:
            plan = [row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
            assert not [step for step in plan if step.startswith(("SCAN task", "SCAN notice"))], (statement, plan)
            by_state = [step for step in plan if "ix_task_state" in step or "ix_task_listed (state" in step]
            assert not by_state, (statement, plan)
