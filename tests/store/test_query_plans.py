"""A tick's statements reach tasks through an index, never by walking the task table: at a
province's size one such walk costs more than the whole tick (SQLite's planner, without
statistics, prefers a scan that spares a sort, or a state index over a list of ids)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from scheduler.app import App
from scheduler.notices import fire_notices
from scheduler.sweep import sweep
from scheduler.tick import tick
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
