"""Materialize and sweep on a real SQLite file: idempotent, concurrent-safe, retiring, catching up."""

from __future__ import annotations

import multiprocessing
import shutil
from datetime import timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from scheduler.actions.operator import Operator
from scheduler.actions.records import DoneRequest, record_done
from scheduler.app import App, open_app
from scheduler.engine.directory import load_roster
from scheduler.engine.materialize import sync
from scheduler.engine.tick import tick
from scheduler.store.engine import connect_store, upgrade_schema
from scheduler.store.lookup import find_task
from scheduler.store.migrations import SCHEMA_HEAD, alembic_config
from scheduler.store.models import AuditRow, Base, TaskRow
from tests.conftest import beijing, edit_config
from tests.store.helpers import dump, keys_in, states


def count_tasks(app: App) -> int:
    with app.store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(TaskRow)) or 0)


def test_sync_twice_gives_the_same_rows(app: App) -> None:
    now = beijing("2026-02-10 09:00")
    with app.store.writing() as session:
        first = sync(session, app.loaded, app.rules, app.workdays, now)
    before = dump(app)
    with app.store.writing() as session:
        second = sync(session, app.loaded, app.rules, app.workdays, now, force=True)
    assert first.created == count_tasks(app) > 0
    assert second.created == 0
    assert dump(app)["task"] == before["task"]


def test_sync_is_skipped_until_config_or_period_changes(app: App, example_config: Path) -> None:
    assert not tick(app, beijing("2026-02-10 09:00")).sync.skipped
    assert tick(app, beijing("2026-02-10 09:05")).sync.skipped
    assert tick(app, beijing("2026-02-28 23:55")).sync.skipped
    assert not tick(app, beijing("2026-03-01 00:05")).sync.skipped  # a new month began


def _sync_in_child(config: str, barrier: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app = open_app(Path(config))
    barrier.wait()
    with app.store.writing() as session:
        report = sync(session, app.loaded, app.rules, app.workdays, beijing("2026-02-10 09:00"), force=True)
    results.put(report.created)


def test_two_processes_syncing_at_once_create_each_task_once(app: App, example_config: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    children = [context.Process(target=_sync_in_child, args=(str(example_config), barrier, results)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
        assert child.exitcode == 0
    created = sorted(results.get(timeout=5) for _ in children)
    total = count_tasks(app)
    assert created == [0, total]  # one process created everything, the other found it all there
    with app.store.writing() as session:
        assert sync(session, app.loaded, app.rules, app.workdays, beijing("2026-02-10 09:00"), force=True).created == 0


def test_removed_rule_retires_future_tasks_and_keeps_history(example_config: Path) -> None:
    app = open_app(example_config)
    tick(app, beijing("2026-01-10 09:00"))
    with app.store.writing() as session:
        task = find_task(session, "zb1/主题党日/2026-01")
        record_done(
            session,
            task,
            DoneRequest(operator=Operator("张伟")),
            rule=app.rules_by_id["theme_day"],
            roster=load_roster(session),
            today=beijing("2026-01-10 09:00").date(),
            now=beijing("2026-01-10 09:00"),
        )
    tick(app, beijing("2026-02-10 09:00"))
    assert states(app)["zb2/主题党日/2026-01"] == "overdue"

    edit_config(example_config, r"\[rules\.theme_day\].*?(?=\n\[rules\.dues\])", "")
    app = open_app(example_config)
    report = tick(app, beijing("2026-02-10 09:30"))
    assert report.sync.retired == 6  # Feb and Mar for three branches
    after = states(app)
    assert after["zb1/主题党日/2026-01"] == "done"
    assert after["zb2/主题党日/2026-01"] == "overdue"
    assert {k for k, v in after.items() if "主题党日/2026-0" in k and v == "retired"} == {
        f"zb{b}/主题党日/2026-0{m}" for b in (1, 2, 3) for m in (2, 3)
    }

    edit_config(
        example_config,
        r"(\[rules\.dues\])",
        '[rules.theme_day]\nalias = "主题党日"\ntitle = "主题党日"\nevery = "month"\ndue_day = 15\n\n\\1',
    )
    app = open_app(example_config)
    report = tick(app, beijing("2026-02-10 10:00"))
    assert report.sync.restored == 6
    assert states(app)["zb1/主题党日/2026-02"] == "due_soon"


def test_every_missed_period_is_materialized_after_downtime(app: App) -> None:
    tick(app, beijing("2026-01-10 09:00"))
    tick(app, beijing("2026-05-10 09:00"))  # the daemon was off for four months
    found = states(app)
    for month in ("01", "02", "03", "04"):
        assert found[f"zb1/支委会/2026-{month}"] == "overdue"
    assert found["zb1/支委会/2026-05"] == "open"
    assert found["zb1/支委会/2026-06"] == "upcoming"
    assert found["zb1/党员大会/2026Q1"] == "overdue"


def test_sweep_moves_a_task_through_its_states(app: App) -> None:
    key = "zb1/党员大会/2026Q1"
    tick(app, beijing("2025-12-20 09:00"))  # Q1 is the next period: created, not yet open
    assert states(app)[key] == "upcoming"
    steps = [
        ("2026-01-01 00:00", "open"),
        ("2026-03-24 23:59", "open"),
        ("2026-03-25 00:00", "due_soon"),  # 7 days before 24:00 on 31 March
        ("2026-03-31 23:59", "due_soon"),
        ("2026-04-01 00:00", "overdue"),
    ]
    for moment, expected in steps:
        tick(app, beijing(moment))
        assert states(app)[key] == expected, moment
    with app.store.reading() as session:
        task_id = find_task(session, key).id
        changes = session.scalars(
            select(AuditRow).where(AuditRow.entity == "task", AuditRow.entity_id == str(task_id)).order_by(AuditRow.id)
        ).all()
    assert [(a.before, a.after) for a in changes] == [
        ({"state": "upcoming"}, {"state": "open"}),
        ({"state": "open"}, {"state": "due_soon"}),
        ({"state": "due_soon"}, {"state": "overdue"}),
    ]


def test_a_tick_after_a_long_sleep_lands_in_the_latest_state(app: App) -> None:
    tick(app, beijing("2025-12-20 09:00"))
    report = tick(app, beijing("2026-04-02 09:00"))
    assert states(app)["zb1/党员大会/2026Q1"] == "overdue"
    assert keys_in(app, "upcoming") == {k for k in states(app) if k.endswith(("2026-05", "2026Q3")) or "/2026Q3/" in k}
    assert report.sweep.count("overdue") > 0


def test_stored_instants_come_back_aware_utc(app: App) -> None:
    tick(app, beijing("2026-02-10 09:00"))
    with app.store.reading() as session:
        task = find_task(session, "zb1/党员大会/2026Q1")
    assert task.due_at.isoformat() == "2026-03-31T16:00:00+00:00"


def test_migrations_match_the_models_and_head(app: App) -> None:
    with app.store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert ScriptDirectory.from_config(alembic_config(connection)).get_current_head() == SCHEMA_HEAD
    assert app.store.schema_revision() == SCHEMA_HEAD


def test_db_upgrade_is_safe_to_run_twice(tmp_path: Path) -> None:
    store = connect_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert upgrade_schema(store) == (None, SCHEMA_HEAD)
    assert upgrade_schema(store) == (SCHEMA_HEAD, SCHEMA_HEAD)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_sqlite_store_runs_in_wal_mode(app: App) -> None:
    with app.store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_work_due_before_the_first_sync_is_not_created_nor_overdue(app: App, example_config: Path) -> None:
    tick(app, beijing("2026-03-20 09:00"))  # zhibu is set up on 20 March
    tick(app, beijing("2026-03-21 09:00"))
    created = set(states(app))
    assert "zb1/主题党日/2026-03" not in created  # due on the 13th, before zhibu knew
    assert "zb1/主题党日/2026-02" not in created
    assert {"zb1/支委会/2026-03", "zb1/党员大会/2026Q1", "zb1/主题党日/2026-04"} <= created
    assert "overdue" not in states(app).values()
    edit_config(example_config, r"(\[sync\]\n)", "\\1start = 2026-03-01\n")  # catch up from 1 March
    later = open_app(example_config)
    tick(later, beijing("2026-03-21 10:00"))
    assert states(later)["zb1/主题党日/2026-03"] == "overdue"
    assert "zb1/主题党日/2026-02" not in states(later)
    later.store.close()


def _plans(app: App) -> dict[str, tuple[object, ...]]:
    """Each task's key → what materialization decided for it (its state aside: that is the sweep's)."""
    columns = (
        TaskRow.opens_at,
        TaskRow.due_soon_at,
        TaskRow.due_at,
        TaskRow.due_on,
        TaskRow.schedule_key,
        TaskRow.title,
        TaskRow.assignee_id,
        TaskRow.count_required,
        TaskRow.next_notice_at,
    )
    with app.store.reading() as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(select(TaskRow.key, *columns))}


def test_daily_syncs_that_only_extend_the_window_equal_one_full_sync(realistic_config: Path, tmp_path: Path) -> None:
    """Day after day the calendar alone moves on: each sync adds only the periods that entered the
    window (``extended``), and the store ends as one full sync over the same days would leave it."""
    daily = open_app(realistic_config)
    other = tmp_path / "full"
    other.mkdir()
    shutil.copytree(tmp_path / "examples", other / "examples")
    full_config = other / "zhibu.toml"
    shutil.copy(realistic_config, full_config)
    full = open_app(full_config)

    first = beijing("2026-01-01 09:00")
    kinds: list[str] = []
    for day in range(455):  # to the end of March 2027
        with daily.store.writing() as session:
            report = sync(session, daily.loaded, daily.rules, daily.workdays, first + timedelta(days=day))
        kinds.append("skipped" if report.skipped else "extended" if report.extended else "full")
    assert kinds[0] == "full"
    assert kinds.count("full") == 1  # config and roster never changed
    assert kinds.count("extended") >= 52  # at least every ISO week (中心组学习)

    with full.store.writing() as session:
        sync(session, full.loaded, full.rules, full.workdays, first)
    with full.store.writing() as session:
        last = sync(session, full.loaded, full.rules, full.workdays, first + timedelta(days=454), force=True)
    assert not last.extended
    assert last.retired == 0
    daily_plans, full_plans = _plans(daily), _plans(full)
    assert len(daily_plans) > 5_000
    assert daily_plans == full_plans
    daily.store.close()
    full.store.close()


def test_a_config_change_after_extended_syncs_is_a_full_sync(app: App, example_config: Path) -> None:
    tick(app, beijing("2026-01-10 09:00"))
    assert tick(app, beijing("2026-02-02 09:00")).sync.extended
    edit_config(example_config, r"^horizon = 1", "horizon = 2")
    later = open_app(example_config)
    report = tick(later, beijing("2026-02-02 09:05"))
    assert not report.sync.skipped
    assert not report.sync.extended
    assert "zb1/支委会/2026-04" in states(later)  # the wider window of the new config
    later.store.close()
