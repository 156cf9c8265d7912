"""done / waive / undo on a real SQLite file: checked first, append-only, audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from scheduler.actions.operator import Operator
from scheduler.actions.records import DoneRequest, DoneResult, record_done, record_waiver, undo_latest
from scheduler.app import App
from scheduler.engine.directory import load_roster
from scheduler.engine.tick import tick
from scheduler.store.lookup import find_task
from scheduler.store.models import AuditRow, CompletionRow, TaskRow
from tests.conftest import beijing
from tests.store.helpers import dump, states
from workflows.errors import StateError, UsageError, ZhibuError
from workflows.quorum import Attendance

NOW = beijing("2026-02-10 10:00")


@pytest.fixture
def ticked(app: App) -> App:
    tick(app, NOW)
    return app


def done(app: App, key: str, now: datetime = NOW, **fields: object) -> DoneResult:
    with app.store.writing() as session:
        task = find_task(session, key)
        request = DoneRequest(operator=Operator(str(fields.pop("by", "张伟"))), **fields)  # type: ignore[arg-type]
        return record_done(
            session,
            task,
            request,
            rule=app.rules_by_id[task.rule_id],
            roster=load_roster(session),
            today=now.date(),
            now=now,
        )


def refused(app: App, error: type[ZhibuError], key: str, **fields: object) -> ZhibuError:
    """Run a done that must fail, and prove it changed nothing."""
    before = dump(app)
    with pytest.raises(error) as caught:
        done(app, key, **fields)
    assert dump(app) == before
    return caught.value


def test_done_closes_the_task_with_quorum_and_audit(ticked: App) -> None:
    result = done(
        ticked, "zb1/党员大会/2026Q1", attendance=Attendance(absent=["孙丽"]), note="学习全会精神", on=date(2026, 2, 9)
    )
    assert result.task.state == "done"
    assert result.late is False
    assert result.quorum is not None
    assert (result.quorum.expected, result.quorum.present, result.quorum.met) == (7, 6, True)
    with ticked.store.reading() as session:
        [completion] = session.scalars(select(CompletionRow)).all()
        [audit] = session.scalars(select(AuditRow).where(AuditRow.action == "done")).all()
    assert (completion.happened_on, completion.expected, completion.present, completion.quorum_met) == (
        date(2026, 2, 9),
        7,
        6,
        True,
    )
    assert completion.absent_names == ["孙丽"]
    assert audit.actor == "张伟"
    assert audit.before == {"state": "open", "count_done": 0, "late": False}
    assert audit.after is not None
    assert audit.after["state"] == "done"


def test_failed_quorum_is_recorded_and_reported(ticked: App) -> None:
    result = done(ticked, "zb1/支委会/2026-02", attendance=Attendance(present=["张伟"]))
    assert result.quorum is not None
    assert result.quorum.met is False
    assert result.task.state == "done"  # the meeting happened; the record shows it lacked a quorum


def test_done_twice_is_refused(ticked: App) -> None:
    done(ticked, "zb1/党课/2026Q1")
    error = refused(ticked, StateError, "zb1/党课/2026Q1")
    assert "zhibu undo zb1/党课/2026Q1" in error.message("zh")


def test_future_and_out_of_period_dates_are_refused(ticked: App) -> None:
    assert "2026-02-11" in refused(ticked, UsageError, "zb1/党课/2026Q1", on=date(2026, 2, 11)).message("en")
    assert "2026Q1" in refused(ticked, UsageError, "zb1/党课/2026Q1", on=date(2025, 12, 31)).message("en")
    assert "2026Q2" in refused(ticked, UsageError, "zb1/党课/2026Q2", on=date(2026, 2, 1)).message("en")


def test_late_completion_is_allowed_and_marked_late(app: App) -> None:
    tick(app, beijing("2026-01-20 09:00"))
    tick(app, beijing("2026-02-03 09:00"))
    assert states(app)["zb2/支委会/2026-01"] == "overdue"
    result = done(app, "zb2/支委会/2026-01", now=beijing("2026-02-03 09:00"), attendance=Attendance(attendees=3))
    assert result.late is True
    assert result.task.state == "done"
    assert result.task.late is True


def test_quota_needs_every_completion(ticked: App) -> None:
    with ticked.store.writing() as session:
        task = find_task(session, "zb1/支委会/2026-02")
        task.count_required = 2  # as a 2-per-month quota would set it
    first = done(ticked, "zb1/支委会/2026-02", on=date(2026, 2, 3))
    assert (first.task.state, first.task.count_done) == ("open", 1)
    second = done(ticked, "zb1/支委会/2026-02", on=date(2026, 2, 9))
    assert (second.task.state, second.task.count_done) == ("done", 2)


def test_waived_task_refuses_done_until_undone(ticked: App) -> None:
    with ticked.store.writing() as session:
        record_waiver(
            session,
            find_task(session, "zb3/党课/2026Q1"),
            "离退休支部本季度集中学习代替",
            operator=Operator("郭庆"),
            now=NOW,
        )
    error = refused(ticked, StateError, "zb3/党课/2026Q1")
    assert "离退休支部本季度集中学习代替" in error.message("zh")
    with ticked.store.writing() as session:
        undo_latest(session, find_task(session, "zb3/党课/2026Q1"), operator=Operator("郭庆"), now=NOW)
    assert done(ticked, "zb3/党课/2026Q1", by="郭庆").task.state == "done"


def test_undo_appends_a_reversal_and_reopens(ticked: App) -> None:
    done(ticked, "zb1/党课/2026Q1")
    with ticked.store.writing() as session:
        reversal = undo_latest(session, find_task(session, "zb1/党课/2026Q1"), operator=Operator("张伟"), now=NOW)
    with ticked.store.reading() as session:
        records = session.scalars(select(CompletionRow).order_by(CompletionRow.id)).all()
        task = session.scalars(select(TaskRow).where(TaskRow.key == "zb1/党课/2026Q1")).one()
    assert [(r.kind, r.reverses_id) for r in records] == [("done", None), ("reversal", records[0].id)]
    assert reversal.reverses_id == records[0].id
    assert (task.state, task.count_done, task.done_at) == ("open", 0, None)
    with ticked.store.writing() as session, pytest.raises(StateError):
        undo_latest(session, find_task(session, "zb1/党课/2026Q1"), operator=Operator("张伟"), now=NOW)


def test_attachment_must_exist_or_be_a_url(ticked: App, tmp_path: object) -> None:
    refused(ticked, UsageError, "zb1/党课/2026Q1", attachments=["/no/such/minutes.pdf"])
    result = done(ticked, "zb1/党课/2026Q1", attachments=["https://pan.example.org/s/abc"])
    assert result.completion.attachments == ["https://pan.example.org/s/abc"]
