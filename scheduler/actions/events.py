"""Events recorded later (shape 5): a fact about a person — hospitalized, changed jobs — that
calls for a visit or a talk. Recording it creates the task at once, in the same transaction."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from notifiers.escape import free_text
from scheduler.actions.authority import authorize_unit
from scheduler.actions.operator import Operator
from scheduler.app import App
from scheduler.engine.directory import load_roster
from scheduler.engine.inserts import insert_tasks
from scheduler.store import audit
from scheduler.store.models import EventRow, PersonRow, TaskRow
from workflows.calendar import local_date
from workflows.errors import NotFoundError, UsageError
from workflows.occurrences import event_occurrences, task_key
from workflows.vocabulary import EVENT_ALIASES


@dataclass
class EventResult:
    """The event written and the tasks it created (keys)."""

    event: EventRow
    kind: str
    tasks: list[str] = field(default_factory=list)


def known_kinds(app: App) -> set[str]:
    """The event kinds some enabled rule listens to."""
    return {kind for rule in app.rules for kind in rule.on_events}


def record_event(
    session: Session,
    app: App,
    kind: str,
    who: str,
    *,
    on: date,
    today: date,
    note: str | None,
    operator: Operator,
    now: datetime,
) -> EventResult:
    """Write the event and create each task a rule listening to ``kind`` calls for."""
    kinds = known_kinds(app)
    normalized = EVENT_ALIASES.get(kind.strip(), kind.strip())
    if normalized not in kinds:
        near = difflib.get_close_matches(
            kind, sorted(kinds | {k for k, v in EVENT_ALIASES.items() if v in kinds}), n=3, cutoff=0.3
        )
        raise UsageError("event.unknown_kind", kind=kind, kinds="、".join(sorted(kinds)), suggestions=near)
    if on > today:
        raise UsageError("task.future", on=on.isoformat(), today=today.isoformat())
    row = session.scalars(
        select(PersonRow).where(or_(PersonRow.id == who, PersonRow.name == who), PersonRow.active.is_(True))
    ).first()
    if row is None:
        people = list(session.scalars(select(PersonRow.id)))
        raise NotFoundError("event.unknown_person", who=who, suggestions=difflib.get_close_matches(who, people, n=3))
    operator = authorize_unit(session, app, operator, row.unit_id, "event")
    event = EventRow(
        kind=normalized,
        person_id=row.id,
        unit_id=row.unit_id,
        happened_on=on,
        note=note,
        recorded_by=operator.login,
        recorded_at=now,
        data={"on_behalf_of": operator.on_behalf_of} if operator.on_behalf_of else {},
    )
    session.add(event)
    session.flush()
    roster = load_roster(session)
    person = next(p for p in roster.people if p.id == row.id)
    found = [
        event_occurrences(rule, roster, app.zone, app.workdays, person, on)
        for rule in app.rules
        if normalized in rule.on_events
    ]
    insert_tasks(session, found, now)
    audit.record_by(
        session,
        operator,
        at=now,
        action="event",
        entity="event",
        entity_id=event.id,
        after={"kind": normalized, "person": row.id, "on": on.isoformat(), "tasks": [o.key for o in found]},
    )
    return EventResult(
        event=event, kind=normalized, tasks=[task_key(o.unit_id, o.alias, o.period_key, o.person_id) for o in found]
    )


@dataclass(frozen=True)
class EventAdded:
    """What ``event add`` wrote: the event, and the tasks it called for with their due days."""

    id: int
    kind: str
    person_id: str | None
    on: date
    tasks: list[tuple[str, date | None]]


def add_event(
    app: App, operator: Operator, now: datetime, kind: str, who: str, *, on: date | None, note: str | None
) -> EventAdded:
    """Record an event about a person (住院, 工作变动…); the visit or talk it calls for becomes a task."""
    today = local_date(now, app.zone)
    with app.store.writing() as session:
        result = record_event(
            session, app, kind, who, on=on or today, today=today, note=free_text(note), operator=operator, now=now
        )
        due = dict(session.execute(select(TaskRow.key, TaskRow.due_on).where(TaskRow.key.in_(result.tasks))).all())
        event = result.event
        return EventAdded(
            event.id, result.kind, event.person_id, event.happened_on, [(k, due.get(k)) for k in result.tasks]
        )


def record_problem(
    session: Session,
    app: App,
    *,
    unit_id: str,
    finder: str,
    text: str,
    on: date,
    due: date | None,
    operator: Operator,
    now: datetime,
) -> list[str]:
    """A problem found (on a leader's visit): an event, and a 整改 task for the unit, due ``due``
    or within the rule's days, closed only with evidence and the finder's confirmation."""
    rules = [rule for rule in app.rules if "problem" in rule.on_events]
    if not rules:
        raise UsageError("event.unknown_kind", kind="problem", kinds="、".join(sorted(known_kinds(app))) or "-")
    event = EventRow(
        kind="problem",
        person_id=finder,
        unit_id=unit_id,
        happened_on=on,
        note=text,
        recorded_by=operator.login,
        recorded_at=now,
        data={"due": due.isoformat() if due else None, "on_behalf_of": operator.on_behalf_of},
    )
    session.add(event)
    session.flush()
    roster = load_roster(session)
    person = next((p for p in roster.people if p.id == finder), None)
    if person is None:
        raise NotFoundError("event.unknown_person", who=finder)
    title = f"整改：{text[:60]}"
    found = [
        event_occurrences(
            rule, roster, app.zone, app.workdays, person, on, unit_id=unit_id, tag=f"#{event.id}", due=due, title=title
        )
        for rule in rules
    ]
    insert_tasks(session, found, now)
    keys = [task_key(o.unit_id, o.alias, o.period_key, o.person_id) for o in found]
    audit.record_by(
        session,
        operator,
        at=now,
        action="problem",
        entity="event",
        entity_id=event.id,
        after={"unit": unit_id, "finder": finder, "problem": text, "tasks": keys},
    )
    return keys
