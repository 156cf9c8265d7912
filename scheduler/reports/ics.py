"""Open tasks as an iCalendar file a phone calendar can subscribe to: one all-day VEVENT on the due
day (or a VTODO) per task, its UID the task key, so a re-exported file updates the same items
instead of adding new ones. The daemon rewrites ``[export] ics_path`` after a tick when anything
changed (the audit log grew), never half-written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.reports.files import write_atomically
from scheduler.store.listing import person_ids, unit_and_descendants
from scheduler.store.lookup import session_reader
from scheduler.store.models import AuditRow, MetaRow, PersonRow, TaskRow
from scheduler.store.states import ACTIVE_STATES

ICS_META = "ics_export"
UID_DOMAIN = "zhibu"


def task_uid(key: str) -> str:
    """The stable UID of a task's calendar item."""
    return f"{key}@{UID_DOMAIN}"


def calendar_bytes(
    session: Session,
    app: App,
    now: datetime,
    *,
    unit: str | None = None,
    person: str | None = None,
    todo: bool = False,
) -> bytes:
    """The open tasks (of ``unit`` and below, or owned by / about ``person``) as iCalendar."""
    from icalendar import Calendar, Event, Todo  # loaded only when a calendar is written

    query = select(TaskRow).where(TaskRow.state.in_(ACTIVE_STATES))
    if unit:
        query = query.where(TaskRow.unit_id.in_(unit_and_descendants(session_reader(session), unit)))
    if person:
        ids = person_ids(session_reader(session), person)
        query = query.where(or_(TaskRow.assignee_id.in_(ids), TaskRow.person_id.in_(ids)))
    names = dict(session.execute(select(PersonRow.id, PersonRow.name)).all())
    calendar = Calendar()
    calendar.add("prodid", "-//zhibu//zhibu//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", app.loaded.config.org.name)
    calendar.add("x-wr-timezone", app.loaded.config.org.timezone)
    for task in session.scalars(query.order_by(TaskRow.due_at, TaskRow.key)):
        item = Todo() if todo else Event()
        item.add("uid", task_uid(task.key))
        item.add("dtstamp", now)
        item.add("last-modified", task.updated_at)
        item.add("summary", f"{task.title}（{task.key}）")
        owner = names.get(task.assignee_id or "", "")
        item.add("description", f"{task.key}\n负责人：{owner}\nzhibu done {task.key}")
        item.add("categories", [task.unit_id])
        if todo:
            item.add("dtstart", task.opens_at.astimezone(app.zone).date())
            item.add("due", task.due_on)
            item.add("status", "NEEDS-ACTION")
        else:
            item.add("dtstart", task.due_on)
            item.add("dtend", task.due_on + timedelta(days=1))
            item.add("transp", "TRANSPARENT")
        calendar.add_component(item)
    return bytes(calendar.to_ical())


def refresh_calendar(app: App, now: datetime) -> bool:
    """Rewrite ``[export] ics_path`` when the store changed since the last export (or the file is
    gone); True when it was written."""
    setting = app.loaded.config.export.ics_path
    if not setting:
        return False
    path = Path(setting) if Path(setting).is_absolute() else app.loaded.directory / setting
    with app.store.writing() as session:
        latest = session.scalar(select(func.max(AuditRow.id))) or 0
        meta = session.get(MetaRow, ICS_META)
        if meta is not None and meta.value.get("audit") == latest and path.exists():
            return False
        data = calendar_bytes(session, app, now)
        write_atomically(path, data)
        value = {"audit": latest, "at": now.isoformat(), "path": str(path)}
        if meta is None:
            session.add(MetaRow(key=ICS_META, value=value))
        else:
            meta.value = value
    return True
