"""``zhibu list`` reads a SQLite store through the driver alone: same answers as through
SQLAlchemy, no ORM or config schema loaded, and the usual path when the store needs an upgrade."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.engine.tick import tick
from scheduler.store.listing import BRIEF_SOURCE, LISTED_COLUMNS, TaskFilter, task_lines
from scheduler.store.lookup import session_reader
from scheduler.store.readonly import sqlite_reader
from scheduler.store.states import DONE, DUE_SOON, OPEN, OVERDUE, UPCOMING
from tests.conftest import beijing

FILTERS = [
    TaskFilter(),
    TaskFilter(states=(OVERDUE,)),
    TaskFilter(states=(), unit="zb1"),
    TaskFilter(states=(UPCOMING, OPEN, DUE_SOON, DONE), assignee="张伟"),
    TaskFilter(states=(), due_after=date(2026, 3, 1), due_before=date(2026, 3, 31), limit=7),
]


@pytest.mark.parametrize("wanted", FILTERS, ids=range(len(FILTERS)))
def test_the_driver_path_answers_as_sqlalchemy_does(app: App, wanted: TaskFilter) -> None:
    tick(app, beijing("2026-01-05 09:00"))
    tick(app, beijing("2026-03-20 09:00"))
    with app.store.reading() as session:
        expected = task_lines(session_reader(session), wanted)
    with sqlite_reader(app.store.url) as fast:
        assert fast is not None
        found = task_lines(fast, wanted)
    assert found == expected
    assert found, "each filter should find something in the example's March"
    assert all(line.due_at.tzinfo is not None for line in found)


@pytest.mark.parametrize("wanted", FILTERS, ids=range(len(FILTERS)))
def test_brief_lines_are_read_from_the_listing_index_alone(app: App, wanted: TaskFilter) -> None:
    tick(app, beijing("2026-01-05 09:00"))
    tick(app, beijing("2026-03-20 09:00"))
    with sqlite_reader(app.store.url) as fast:
        assert fast is not None
        full = task_lines(fast, wanted)
        brief = task_lines(fast, wanted, brief=True)
    shown = [*LISTED_COLUMNS, "assignee_name"]
    assert [[getattr(line, f"{c}_stored", None) or getattr(line, c) for c in shown] for line in brief] == [
        [getattr(line, f"{c}_stored", None) or getattr(line, c) for c in shown] for line in full
    ]
    assert brief
    assert {line.unit_name for line in brief} == {None}  # what a table does not show is not read
    with sqlite3.connect(Path(app.store.url.removeprefix("sqlite:///"))) as connection:
        plan = connection.execute(
            f"EXPLAIN QUERY PLAN {BRIEF_SOURCE} WHERE t.state = 'overdue' ORDER BY t.due_at, t.id"
        )
        steps = [row[-1] for row in plan]
    assert "SEARCH t USING COVERING INDEX ix_task_listed (state=?)" in steps
    assert not [step for step in steps if "TEMP B-TREE" in step]  # no sort either


def test_a_store_at_an_older_schema_is_left_to_the_usual_path(app: App) -> None:
    tick(app, beijing("2026-03-20 09:00"))
    path = Path(app.store.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    with sqlite_reader(app.store.url) as fast:
        assert fast is None
    with sqlite_reader(f"sqlite:///{path.parent / 'missing.db'}") as fast:
        assert fast is None
    assert not (path.parent / "missing.db").exists()


def test_a_cold_list_loads_neither_sqlalchemy_nor_the_config_schema(app: App, example_config: Path) -> None:
    tick(app, beijing("2026-03-20 09:00"))
    listed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scheduler.cli", "--config", str(example_config), "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "zb1/支委会/2026-03" in listed.stdout
    imported = {line.split("|")[-1].strip() for line in listed.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported  # the report is real
    assert not {name for name in imported if name.split(".")[0] in ("sqlalchemy", "pydantic", "apprise", "holidays")}
