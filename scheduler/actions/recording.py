"""The human writes on a task — done, undo, waive, ack, snooze, confirm, sendback — as one call
each: the operator, the time and the request in, a result out, in one transaction.

The CLI, the service's socket and the web page call these and present the result; none of them
writes to the store another way. A refused request raises and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifiers.escape import free_text
from scheduler.actions import chains, records
from scheduler.actions.authority import authorize_task, identify
from scheduler.actions.events import record_problem
from scheduler.actions.operator import Operator
from scheduler.actions.records import DoneRequest
from scheduler.app import App
from scheduler.engine.directory import load_roster
from scheduler.store import evidence
from scheduler.store.lookup import find_task
from scheduler.store.models import PersonRow, TaskRow
from workflows.calendar import local_date
from workflows.errors import UsageError
from workflows.quorum import QuorumVerdict


@dataclass(frozen=True)
class TaskLine:
    """A task a write created or opened, as a person is told about it."""

    key: str
    owner: str
    due_on: date
    starts_on: date | None = None  # a later stage that opens after today


@dataclass(frozen=True)
class Done:
    """What ``done`` recorded and what followed from it."""

    key: str
    on: date
    count_done: int
    count_required: int
    due_on: date
    late: bool
    quorum: QuorumVerdict | None
    dues_expected: Decimal | None
    amount: Decimal | None
    problems: list[TaskLine] = field(default_factory=list)
    next_stage: TaskLine | None = None


@dataclass(frozen=True)
class Changed:
    """A write that changed one task: its key, and the id of the record it appended if any."""

    key: str
    record_id: int | None = None


def _owner(session: Session, task: TaskRow) -> str:
    person = session.get(PersonRow, task.assignee_id) if task.assignee_id else None
    return person.name if person else "-"


def _record(session: Session, app: App, task: TaskRow, request: DoneRequest, now: datetime) -> records.DoneResult:
    rule = app.rules_by_id.get(task.rule_id)
    roster = load_roster(session, around=task.unit_id)  # the quorum needs the unit's people only
    return records.record_done(
        session, task, request, rule=rule, roster=roster, today=local_date(now, app.zone), now=now
    )


def done(
    app: App,
    operator: Operator,
    now: datetime,
    key: str,
    request: DoneRequest,
    *,
    problems: tuple[str, ...] = (),
    fix_by: date | None = None,
) -> Done:
    """Record that the task ``key`` was done; open the next stage of a chain; turn each problem
    found into a 整改 task of the unit, due ``fix_by``."""
    request.attachments = evidence.keep_all(app.evidence_dir, request.attachments)
    request.note = free_text(request.note)
    problems = tuple(text for text in (free_text(p) for p in problems) if text and text.strip())
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        request.operator = authorize_task(session, app, operator, task, "done")
        result = _record(session, app, task, request, now)
        following = chains.advance(session, app, task, now)
        next_stage = None
        if following is not None:
            later = following.stage and following.period_start > local_date(now, app.zone)
            starts = following.period_start if later else None
            next_stage = TaskLine(following.key, _owner(session, following), following.due_on, starts)
        finder = task.person_id or task.assignee_id or request.operator.person_id or operator.login
        on = result.completion.happened_on or local_date(now, app.zone)
        keys = [
            created
            for text in problems
            for created in record_problem(
                session,
                app,
                unit_id=task.unit_id,
                finder=finder,
                text=text,
                on=on,
                due=fix_by,
                operator=request.operator,
                now=now,
            )
        ]
        created_tasks = session.scalars(select(TaskRow).where(TaskRow.key.in_(keys))).all() if keys else []
        by_key = {t.key: t for t in created_tasks}
        problem_lines = [TaskLine(k, _owner(session, by_key[k]), by_key[k].due_on) for k in keys]
        return Done(
            key=task.key,
            on=on,
            count_done=task.count_done,
            count_required=task.count_required,
            due_on=task.due_on,
            late=result.late,
            quorum=result.quorum,
            dues_expected=result.dues_expected,
            amount=request.amount,
            problems=problem_lines,
            next_stage=next_stage,
        )


def confirm(app: App, operator: Operator, now: datetime, key: str, note: str | None = None) -> Changed:
    """The finder confirms that a problem was rectified: it is closed (问题消号)."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known, _ = identify(session, operator, app)  # the finder is checked by identity, not by a name typed
        request = DoneRequest(note=free_text(note), operator=known, confirmation=True)
        result = _record(session, app, task, request, now)
        return Changed(task.key, result.completion.id)


def undo(app: App, operator: Operator, now: datetime, key: str) -> Changed:
    """Reverse the latest completion or waiver of ``key`` (a reversal is appended)."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known = authorize_task(session, app, operator, task, "undo")
        reversal = records.undo_latest(session, task, operator=known, now=now)
        return Changed(task.key, reversal.reverses_id)


def _reason(text: str) -> str:
    """A reason as it is recorded: control characters removed, and not empty."""
    reason = (free_text(text) or "").strip()
    if not reason:
        raise UsageError("task.empty_reason")
    return reason


def waive(app: App, operator: Operator, now: datetime, key: str, reason: str) -> Changed:
    """Waive ``key`` (免除): it is not needed this time, for ``reason``."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known = authorize_task(session, app, operator, task, "waive")
        waiver = records.record_waiver(session, task, _reason(reason), operator=known, now=now)
        return Changed(task.key, waiver.id)


def ack(app: App, operator: Operator, now: datetime, key: str) -> Changed:
    """Acknowledge an overdue task: its escalation ladder stops."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known = authorize_task(session, app, operator, task, "ack")
        records.acknowledge(session, task, operator=known, now=now)
        return Changed(task.key)


def snooze(app: App, operator: Operator, now: datetime, key: str, until: datetime) -> Changed:
    """No reminder about ``key`` before ``until``."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known = authorize_task(session, app, operator, task, "snooze")
        records.snooze(session, task, until, operator=known, now=now)
        return Changed(task.key)


def send_back(app: App, operator: Operator, now: datetime, key: str, reason: str) -> TaskLine:
    """Send a chain's stage back: it closes and the previous stage opens again (returned)."""
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        known = authorize_task(session, app, operator, task, "sendback")
        reopened = chains.send_back(session, app, task, _reason(reason), operator=known, now=now)
        return TaskLine(reopened.key, _owner(session, reopened), reopened.due_on)
