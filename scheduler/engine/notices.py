"""Fire reminder steps: for each task whose next step is due, record who must hear about it.

Selected through the index on ``next_notice_at``, so a tick costs the tasks whose reminders are
due, not the tasks stored. When several steps of one task fell due at once (after downtime),
each recipient gets only the latest: one line in one catch-up digest, not a flood.
Escalation steps fire only while the task is overdue and not acknowledged (``zhibu ack``);
a snoozed task (``zhibu snooze``) waits until its snooze ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from scheduler.engine.directory import load_roster
from scheduler.engine.inserts import insert_new
from scheduler.engine.sweep import BATCH
from scheduler.store.engine import analyze_if_filled, in_chunks
from scheduler.store.models import NoticeRow, ScheduleRow, TaskRow
from scheduler.store.states import ACTIVE_STATES, OVERDUE
from workflows.recipients import resolve
from workflows.reminders import ReminderStep
from workflows.roster import Roster

NOTICE_TABLE = cast(Table, NoticeRow.__table__)
TASK_TABLE = cast(Table, TaskRow.__table__)
EMPTY_ROSTER = Roster(units={})


def needs_roster(ref: str) -> bool:
    """Whether resolving ``ref`` needs the roster: roles and leaders do; owner, self, person:ID
    and unit-channel are answered from the task and the config alone."""
    return ref.startswith(("role:", "leader-of"))


@dataclass
class FireReport:
    """What fired: notices written, and those of urgent tasks (to send at once)."""

    notices: int = 0
    tasks: int = 0  # tasks whose next reminder moved
    urgent: list[tuple[int, str, str]] = field(default_factory=list)  # (task id, step, recipient)


# what firing reads of a task (as plain rows: a morning can fire tens of thousands)
FIRING_COLUMNS = (
    TaskRow.id,
    TaskRow.state,
    TaskRow.rule_id,
    TaskRow.schedule_key,
    TaskRow.period_key,
    TaskRow.unit_id,
    TaskRow.person_id,
    TaskRow.assignee_id,
    TaskRow.notice_index,
    TaskRow.acked_at,
    TaskRow.snoozed_until,
    TaskRow.urgent,
    TaskRow.escalation_level,
)


def _load_schedules(session: Session, tasks: Sequence[Any]) -> dict[tuple[str, str], list[ReminderStep]]:
    """The reminder schedules of ``tasks``, read per rule in chunks (not one query per task:
    birthdays and record dates give every task a schedule of its own)."""
    wanted: dict[str, set[str]] = {}
    for task in tasks:
        wanted.setdefault(task.rule_id, set()).add(task.schedule_key or task.period_key)
    found: dict[tuple[str, str], list[ReminderStep]] = {}
    for rule_id, keys in wanted.items():
        for chunk in in_chunks(sorted(keys)):
            rows = session.execute(
                select(ScheduleRow.period_key, ScheduleRow.steps).where(
                    ScheduleRow.rule_id == rule_id, ScheduleRow.period_key.in_(chunk)
                )
            )
            for key, steps in rows:
                found[rule_id, key] = [ReminderStep.from_json(step) for step in steps]
    return found


def _steps(cache: dict[tuple[str, str], list[ReminderStep]], task: Any) -> list[ReminderStep]:
    return cache.get((task.rule_id, task.schedule_key or task.period_key), [])


def _due_steps(task: Any, steps: list[ReminderStep], now: datetime) -> tuple[list[ReminderStep], int]:
    """The steps of ``task`` that fire now, and the index of the next one still to come."""
    index = task.notice_index
    fired: list[ReminderStep] = []
    while index < len(steps) and steps[index].at <= now:
        step = steps[index]
        index += 1
        if step.escalation and (task.state != OVERDUE or task.acked_at is not None):
            continue
        if not step.escalation and task.state == OVERDUE:
            continue  # past the deadline only the ladder speaks
        fired.append(step)
    return fired, index


def fire_notices(session: Session, now: datetime, unit_channels: Mapping[str, str]) -> FireReport:
    """Write a notice row per (task, step, recipient) whose time has come; advance each task."""
    report = FireReport()
    # by the next_notice_at index alone: a filter on state would let SQLite pick a state index and
    # walk every active task; closed tasks have no next notice, and any left over are skipped below
    # (sorted here, not by ORDER BY id: SQLite would then walk the table in id order to spare a sort)
    # through the table's columns, not the mapped class's: an ORM select fetches every row before
    # the first is returned (a city's first tick: 100,000 ids as three objects each)
    due = sorted(session.scalars(select(TASK_TABLE.c.id).where(TASK_TABLE.c.next_notice_at <= now)))
    rosters: list[Roster] = []  # loaded on the first role or leader reference, not every tick

    def roster_for(ref: str) -> Roster:
        if not needs_roster(ref):
            return EMPTY_ROSTER
        if not rosters:
            rosters.append(load_roster(session, holders_only=True))
        return rosters[0]

    for chunk in in_chunks(due, BATCH):  # a morning of tens of thousands, a batch at a time
        tasks = []
        closed = []
        # by id, not an id range: due tasks lie far apart, and a range would walk every row between
        in_chunk = TaskRow.id.in_(chunk), TaskRow.next_notice_at <= now
        for task in session.execute(select(*FIRING_COLUMNS).where(*in_chunk)):
            if task.state in ACTIVE_STATES:
                tasks.append(task)
            else:
                closed.append({"id": task.id, "next_notice_at": None})  # nothing more to say about it
        if closed:
            session.execute(update(TaskRow), closed)
            report.tasks += len(closed)
        _fire(session, tasks, now, unit_channels, roster_for, report)
    session.flush()
    analyze_if_filled(session, NOTICE_TABLE.name, report.notices)  # the digests then ask by recipient
    analyze_if_filled(session, TaskRow.__tablename__, report.tasks)  # the next ticks ask by next reminder
    return report


def _fire(
    session: Session,
    tasks: Sequence[Any],
    now: datetime,
    unit_channels: Mapping[str, str],
    roster_for: Callable[[str], Roster],
    report: FireReport,
) -> None:
    """Fire the due steps of ``tasks`` (rows of :data:`FIRING_COLUMNS`), adding to ``report``."""
    if not tasks:
        return
    cache = _load_schedules(session, tasks)
    rows: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []  # each task's next notice, index and escalation level
    for task in tasks:
        if task.snoozed_until is not None and task.snoozed_until > now:
            moved.append({"id": task.id, "next_notice_at": task.snoozed_until})
            continue
        steps = _steps(cache, task)
        fired, index = _due_steps(task, steps, now)
        latest: dict[str, ReminderStep] = {}
        for step in fired:
            for ref in step.to:
                for recipient in resolve(
                    ref,
                    roster_for(ref),
                    task.unit_id,
                    person_id=task.person_id,
                    assignee_id=task.assignee_id,
                    unit_channels=unit_channels,
                ):
                    latest[recipient] = step
        for recipient, step in latest.items():
            rows.append(
                {
                    "task_id": task.id,
                    "step": step.name,
                    "recipient": recipient,
                    "escalation": step.escalation,
                    "fired_at": now,
                    "digest_day": None,
                }
            )
            if task.urgent:
                report.urgent.append((task.id, step.name, recipient))
        level = task.escalation_level
        escalations = [s for s in fired if s.escalation]
        if escalations:
            level = max(level, int(escalations[-1].name.split(":")[1]))
        moved.append(
            {
                "id": task.id,
                "notice_index": index,
                "next_notice_at": steps[index].at if index < len(steps) else None,
                "escalation_level": level,
            }
        )
    session.execute(update(TaskRow), moved)  # UPDATE … WHERE id = ? for each
    report.tasks += len(moved)
    report.notices += insert_new(session, NOTICE_TABLE, rows)
