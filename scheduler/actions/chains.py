"""Chains of stages (shape 6): each stage opens when the previous one is done, with its own owner
and deadline; a stage can be sent back, which reopens the previous one. Stage tasks are keyed by
period and stage — ``zb1/示范岗/2026H1/支委会研究`` — and the history of every step stays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.actions.operator import Operator
from scheduler.actions.records import undo_latest
from scheduler.app import App
from scheduler.engine.directory import load_roster
from scheduler.engine.inserts import insert_tasks, task_values
from scheduler.store import audit, completions
from scheduler.store.lifecycle import change
from scheduler.store.models import CompletionRow, TaskRow
from scheduler.store.states import ACTIVE_STATES, DONE, DONE_KIND, RETIRED
from workflows.calendar import local_date, local_midnight
from workflows.errors import StateError, UsageError
from workflows.occurrences import build_occurrence, task_key
from workflows.recipients import first_person
from workflows.rules import Rule


def stage_index(rule: Rule, task: TaskRow) -> int | None:
    """Which stage of ``rule`` the task is, or None when it is not a stage task."""
    if not rule.stages or (rule.record_date is None and "/" not in task.period_key):
        return None
    name = task.period_key.rpartition("/")[2]
    return next((i for i, stage in enumerate(rule.stages) if stage.name == name), None)


def _stage_period(task: TaskRow, name: str) -> str:
    """The period key of stage ``name`` in ``task``'s chain: ``2026H1/授牌``, or just the stage
    for a person's chain (one per person)."""
    period = task.period_key.rpartition("/")[0]
    return f"{period}/{name}" if period else name


def _stage_key(rule: Rule, task: TaskRow, index: int) -> str:
    return task_key(task.unit_id, rule.alias, _stage_period(task, rule.stages[index].name), task.person_id)


def stage_start(rule: Rule, index: int, previous_done_on: date | None, today: date) -> date:
    """The first day stage ``index`` may be done: the day the previous stage was done plus the
    stage's minimum interval (发展党员: a year of 考察, a year of probation); today when it has none."""
    wait = rule.stages[index].wait_days
    if not wait or previous_done_on is None:
        return today
    return previous_done_on + timedelta(days=wait)


def _open_stage(
    session: Session, app: App, rule: Rule, task: TaskRow, index: int, now: datetime, start: date | None = None
) -> TaskRow:
    """Create, or reopen, stage ``index`` of the chain ``task`` belongs to, open from ``start``
    (today by default) and due the stage's days after it."""
    stage = rule.stages[index]
    period_key = _stage_period(task, stage.name)
    today = local_date(now, app.zone)
    start = start or today
    due_on = app.workdays.adjust(start + timedelta(days=stage.within_days), rule.rest_day)
    roster = load_roster(session)
    occurrence = build_occurrence(
        rule,
        roster,
        app.zone,
        app.workdays,
        unit_id=task.unit_id,
        person_id=task.person_id,
        period_key=period_key,
        period_start=max(task.period_start, start),
        due_on=due_on,
        opens_at=now if start <= today else local_midnight(start, app.zone),
        schedule_key=f"{due_on.isoformat()}/{task.unit_id}/{period_key}"
        + (f"/{task.person_id}" if task.person_id else ""),
        assignee_id=first_person(stage.owner, roster, task.unit_id, task.person_id),
        title=f"{rule.title}：{stage.name}",
    )
    existing = session.scalars(select(TaskRow).where(TaskRow.key == occurrence.key)).first()
    if existing is None:
        insert_tasks(session, [occurrence], now)
    else:  # a stage sent back to opens again, with a new deadline; its records stay
        values = {
            k: v
            for k, v in task_values(occurrence, now).items()
            if k not in ("key", "created_at", "count_done", "late")
        }
        session.execute(update(TaskRow).where(TaskRow.id == existing.id).values(**values, done_at=None, late=False))
    opened = session.scalars(select(TaskRow).where(TaskRow.key == occurrence.key)).one()
    session.refresh(opened)
    parent = (
        session.scalars(select(TaskRow.id).where(TaskRow.key == _stage_key(rule, task, index - 1))).first()
        if index
        else None
    )
    opened.stage, opened.parent_task_id = stage.name, parent
    return opened


def advance(session: Session, app: App, task: TaskRow, now: datetime) -> TaskRow | None:
    """After a stage is done, open the next one; None at the end of the chain."""
    rule = app.rules_by_id.get(task.rule_id)
    index = stage_index(rule, task) if rule else None
    if rule is None or index is None or task.state != DONE or index + 1 >= len(rule.stages):
        return None
    done_on = session.scalars(
        select(CompletionRow.happened_on)
        .where(CompletionRow.task_id == task.id, CompletionRow.kind == DONE_KIND)
        .order_by(CompletionRow.id.desc())
    ).first()
    start = stage_start(rule, index + 1, done_on, local_date(now, app.zone))
    opened = _open_stage(session, app, rule, task, index + 1, now, start)
    audit.task_change(
        session,
        opened.id,
        at=now,
        actor=audit.DAEMON,
        action="stage",
        before={},
        after={"stage": opened.stage, "after": task.key},
    )
    return opened


def send_back(session: Session, app: App, task: TaskRow, reason: str, *, operator: Operator, now: datetime) -> TaskRow:
    """Refuse this stage's input (审查未通过): it closes, and the previous stage opens again."""
    rule = app.rules_by_id.get(task.rule_id)
    index = stage_index(rule, task) if rule else None
    if rule is None or index is None:
        raise UsageError("chain.not_a_stage", key=task.key)
    if index == 0:
        raise UsageError("chain.first_stage", key=task.key)
    if task.state not in ACTIVE_STATES:
        raise StateError("chain.not_open", key=task.key)
    completions.append(
        session,
        operator,
        task_id=task.id,
        kind="sendback",
        recorded_at=now,
        note=reason,
    )
    before = {"state": task.state}
    change(
        session,
        task,
        to=RETIRED,
        now=now,
        operator=operator,
        action="sendback",
        before=before,
        after={"reason": reason},
    )
    previous = session.scalars(select(TaskRow).where(TaskRow.key == _stage_key(rule, task, index - 1))).one()
    undo_latest(session, previous, operator=operator, now=now)
    return _open_stage(session, app, rule, task, index - 1, now)
