"""The store on a real PostgreSQL server: migrations, idempotent sync, records, the sweep."""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scheduler.engine.materialize import sync
from scheduler.store.engine import connect_store, upgrade_schema
from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.models import Base
from tests.conftest import CliRun, beijing
from tests.store.helpers import on_each_store, on_postgres, states
from tests.store.test_materialize import _sync_in_child


def test_migrations_on_postgres_match_the_models_and_run_twice(pg_url: str) -> None:
    store = connect_store(pg_url)
    assert upgrade_schema(store) == (None, SCHEMA_HEAD)
    assert upgrade_schema(store) == (SCHEMA_HEAD, SCHEMA_HEAD)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    store.close()


def test_cli_on_postgres(zhibu: CliRun, pg_url: str) -> None:
    assert zhibu("--db", pg_url, "db", "upgrade").exit_code == 0
    assert zhibu("--db", pg_url, "db", "upgrade").output.strip() == f"数据库已是最新版本 {SCHEMA_HEAD}"
    assert zhibu("--db", pg_url, "tick", "--now", "2026-03-20T09:00", "-q").exit_code == 0
    done = zhibu("--db", pg_url, "done", "zb1/党员大会/2026Q1", "--absent", "孙丽", "--now", "2026-03-20T10:00")
    assert done.exit_code == 0, done.output
    assert "应到 6，实到 5" in done.output
    assert zhibu("--db", pg_url, "undo", "zb1/党员大会/2026Q1", "--now", "2026-03-20T10:05").exit_code == 0
    assert zhibu("--db", pg_url, "tick", "--now", "2026-04-01T09:00", "-q").exit_code == 0
    overdue = zhibu("--db", pg_url, "list", "--status", "overdue", "--unit", "zb1", "--rule", "党员大会")
    assert "zb1/党员大会/2026Q1" in overdue.output
    # the listing's plain SQL on PostgreSQL: date parameters, names, aware instants
    march = zhibu("--db", pg_url, "list", "--status", "all", "--due-after", "2026-03-01", "--due-before", "2026-03-31")
    keys = {line.split()[1] for line in march.output.splitlines()[2:]}
    assert "zb1/党员大会/2026Q1" in keys
    assert all(line.split()[3].startswith("2026-03") for line in march.output.splitlines()[2:])
    listed = zhibu("--db", pg_url, "list", "--unit", "zb1", "--assignee", "张伟", "--json")
    assert listed.exit_code == 0, listed.output
    assert {item["assignee_name"] for item in json.loads(listed.output)} == {"张伟"}


def test_two_processes_sync_at_once_on_postgres(example_config: Path, pg_url: str) -> None:
    app = on_postgres(example_config, pg_url)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=_sync_in_child, args=(str(example_config), barrier, results)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
        assert child.exitcode == 0
    created = sorted(results.get(timeout=5) for _ in children)
    assert created[0] == 0
    assert created[1] == len(states(app)) > 0
    with app.store.writing() as session:
        assert sync(session, app.loaded, app.rules, app.workdays, beijing("2026-02-10 09:00"), force=True).created == 0


def test_tasks_copied_into_postgres_are_the_rows_sqlite_gets(example_config: Path, pg_url: str) -> None:
    """PostgreSQL's insert path (COPY into a staging table, then INSERT … SELECT … ON CONFLICT DO
    NOTHING) writes the same tasks as SQLite's, counts only the new ones, and adds nothing twice."""
    from sqlalchemy import select

    from scheduler.engine.inserts import insert_tasks
    from scheduler.store.models import TaskRow
    from workflows.occurrences import occurrences_of
    from workflows.roster import roster_from_config

    now = beijing("2026-03-02 09:00")
    columns = [c for c in TaskRow.__table__.columns if c.name not in ("id",)]
    found = {}
    for name, app in on_each_store(example_config, pg_url):
        roster = roster_from_config(app.loaded)
        occurrences = [
            o
            for rule in app.rules
            for o in occurrences_of(
                rule, roster, app.zone, app.workdays, now.date().replace(month=1), now.date().replace(month=12)
            )
        ]
        with app.store.writing() as session:
            assert insert_tasks(session, occurrences, now) == len({o.key for o in occurrences})
            assert insert_tasks(session, occurrences[:50], now) == 0  # nothing twice, and not counted
        with app.store.reading() as session:
            found[name] = {tuple(row) for row in session.execute(select(*columns))}
    assert found["sqlite"] == found["postgresql"]
    assert len(found["postgresql"]) > 100


@pytest.mark.parametrize("held", [20_000, 3])
def test_a_first_sync_streamed_into_postgres_stores_what_sqlite_stores(
    example_config: Path, pg_url: str, held: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule with no task stored goes to PostgreSQL by one COPY straight into the task table (and
    one into the schedule table, or one each time ``held`` schedules wait): the same tasks and
    reminder schedules as SQLite's first sync."""
    monkeypatch.setattr("scheduler.engine.task_sinks.SCHEDULES_HELD", held)
    from sqlalchemy import select

    from scheduler.store.models import ScheduleRow, TaskRow

    now = beijing("2026-03-02 09:00")
    tasks = [c for c in TaskRow.__table__.columns if c.name != "id"]
    schedules = [c for c in ScheduleRow.__table__.columns if c.name != "id"]
    found = {}
    for name, app in on_each_store(example_config, pg_url):
        with app.store.writing() as session:
            created = sync(session, app.loaded, app.rules, app.workdays, now).created
        with app.store.reading() as session:
            found[name] = (
                created,
                {tuple(row) for row in session.execute(select(*tasks))},
                {json.dumps(list(row), sort_keys=True, default=str) for row in session.execute(select(*schedules))},
            )
    assert found["sqlite"] == found["postgresql"]
    assert found["postgresql"][0] == len(found["postgresql"][1]) > 20
    assert len(found["postgresql"][2]) > 10


@pytest.mark.parametrize("held", [20_000, 3])
def test_a_rule_streamed_as_new_whose_tasks_are_stored_after_all_is_inserted_the_usual_way(
    example_config: Path, pg_url: str, held: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer stored some of a rule's tasks first: the stream meets a unique key (at its
    end, or where it pauses to write ``held`` schedules), is rolled back to its savepoint, and the
    occurrences go in the usual way — the new ones only, counted."""
    monkeypatch.setattr("scheduler.engine.task_sinks.SCHEDULES_HELD", held)
    from functools import partial

    from scheduler.engine.inserts import insert_tasks
    from scheduler.engine.materialize import insert_streamed
    from workflows.occurrences import Occurrence, occurrences_of
    from workflows.roster import roster_from_config
    from workflows.rules import Rule

    app = on_postgres(example_config, pg_url)
    now = beijing("2026-03-02 09:00")
    roster = roster_from_config(app.loaded)
    year = (now.date(), now.date().replace(month=12))

    def source_of(rule: Rule) -> partial[Iterator[Occurrence]]:
        return partial(occurrences_of, rule, roster, app.zone, app.workdays, *year)

    source = max((source_of(rule) for rule in app.rules), key=lambda source: len(list(source())))
    every = list(source())
    assert len(every) > 4
    with app.store.writing() as session:
        assert insert_tasks(session, every[::2], now) == len(every[::2])
    with app.store.writing() as session:
        created, _ = insert_streamed(session, source, now, keep_keys=False, fresh=True)
    assert created == len(every) - len(every[::2])
    assert len(states(app)) == len(every)
    app.store.close()


def test_list_on_postgres_reads_the_store_without_parsing_the_config(
    zhibu: CliRun, example_config: Path, pg_url: str
) -> None:
    """As on a SQLite file: `list` needs the store's URL, not the whole config (a province's
    roster takes seconds to parse); a config that no longer validates does not stop it."""
    assert zhibu("--db", pg_url, "tick", "--now", "2026-03-20T09:00", "-q").exit_code == 0
    text = example_config.read_text(encoding="utf-8")
    example_config.write_text(text.replace("horizon = 1", "horizon = 99"), encoding="utf-8")
    assert zhibu("--db", pg_url, "check").exit_code == 2
    listed = zhibu("--db", pg_url, "list", "--unit", "zb1", "--status", "all")
    assert listed.exit_code == 0, listed.output
    assert "zb1/党员大会/2026Q1" in listed.output


def test_notices_a_transaction_filled_are_asked_for_by_index_once_analyzed(example_config: Path, pg_url: str) -> None:
    """Within the transaction that wrote them, PostgreSQL's planner knows nothing of fresh notices:
    it expects a handful of rows for a digest's IN list of 500 recipients (so at a province it
    walks every pending notice for each batch); after analyze_if_filled (as fire_notices calls it)
    it expects the 500 there are."""
    from sqlalchemy import select, text, update

    from scheduler.engine.inserts import insert_new
    from scheduler.store.engine import FRESH_ROWS, analyze_if_filled
    from scheduler.store.models import NoticeRow, TaskRow

    app = on_postgres(example_config, pg_url)
    now = beijing("2026-03-02 09:00")
    with app.store.writing() as session:
        sync(session, app.loaded, app.rules, app.workdays, now)
    recipients = [f"person:p{n:05d}" for n in range(FRESH_ROWS)]
    statement = (
        update(NoticeRow)
        .where(NoticeRow.recipient.in_(recipients[:500]), NoticeRow.digest_day.is_(None))
        .values(digest_day=now.date())
    )
    with app.store.writing() as session:
        tasks = list(session.scalars(select(TaskRow.id)))
        rows = [
            {"task_id": tasks[n % len(tasks)], "step": "open", "recipient": r, "escalation": False, "fired_at": now}
            for n, r in enumerate(recipients)
        ]
        assert insert_new(session, NoticeRow.__table__, rows) == FRESH_ROWS  # type: ignore[arg-type]

        def expected_rows() -> int:
            compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            lines = [row[0] for row in session.execute(text(f"EXPLAIN {compiled}"))]
            found = re.search(r"rows=(\d+)", lines[1])  # the scan under the UPDATE
            assert found is not None, lines
            return int(found[1])

        assert expected_rows() < 50
        analyze_if_filled(session, "notice", FRESH_ROWS - 1)  # below the threshold: nothing done
        assert expected_rows() < 50
        analyze_if_filled(session, "notice", FRESH_ROWS)
        assert 400 <= expected_rows() <= 600
    app.store.close()


def test_reminders_that_move_many_tasks_on_refresh_the_planners_view(example_config: Path, pg_url: str) -> None:
    """Statistics taken while many tasks had a reminder due (as a first sync leaves them) would
    have every later tick read the whole task table to find none due: firing, which moves them on,
    analyzes the table again when it moved many (a province's empty tick took 2.9 s, not 0.1)."""
    from datetime import timedelta

    from sqlalchemy import func, select, text, update

    from scheduler.engine.notices import fire_notices
    from scheduler.store.engine import FRESH_ROWS
    from scheduler.store.models import TaskRow

    app = on_postgres(example_config, pg_url)
    now = beijing("2026-03-02 09:00")
    with app.store.writing() as session:
        sync(session, app.loaded, app.rules, app.workdays, now)
    due = select(TaskRow.id).where(TaskRow.next_notice_at <= now)
    with app.store.writing() as session:

        def expected_rows() -> int:
            compiled = due.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            plan = next(iter(session.execute(text(f"EXPLAIN {compiled}"))))[0]
            found = re.search(r"rows=(\d+)", plan)
            assert found is not None, plan
            return int(found[1])

        stored = session.scalar(select(func.count()).select_from(TaskRow)) or 0
        copies = FRESH_ROWS // stored + 1  # the same tasks again, told apart by person and key
        names = [c.name for c in TaskRow.__table__.columns if c.name != "id"]
        values = [f"t.{n} || '~' || n" if n in ("person_id", "key") else f"t.{n}" for n in names]
        session.execute(
            text(
                f"INSERT INTO task ({', '.join(names)}) SELECT {', '.join(values)} FROM task t, generate_series(1, {copies}) n"
            )
        )
        session.execute(update(TaskRow).values(next_notice_at=now - timedelta(hours=1)))
        session.execute(text("ANALYZE task"))  # as a first sync's analyze saw them: every one due
        assert expected_rows() > FRESH_ROWS
        fired = fire_notices(session, now, {})
        assert fired.tasks >= FRESH_ROWS
        assert session.scalar(select(func.count()).select_from(due.subquery())) == 0
        assert expected_rows() < 100
    app.store.close()
