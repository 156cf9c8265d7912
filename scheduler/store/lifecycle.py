"""The one way a task's state changes: its state, its next reminder and its audit row together.

Time moves a task upcoming → open → due soon → overdue (the sweep); people close it (done,
waived) or open it again (undo); sync retires what the rules no longer want and restores what
they want again. Whoever moves it, the same rule decides the reminders: a closed task reminds
nobody, a task that opens again resumes its schedule where it was left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from scheduler.store import audit
from scheduler.store.audit import Actor
from scheduler.store.models import TaskRow
from scheduler.store.states import ACTIVE_STATES, DONE, DUE_SOON, OPEN, OVERDUE, RETIRED, UPCOMING, WAIVED

CLOSED_STATES = (DONE, WAIVED, RETIRED)
KEEP = object()  # next_notice_at stays as it is


def state_at(now: datetime, opens_at: datetime, due_soon_at: datetime, due_at: datetime) -> str:
    """The time-driven state of an unfinished task at ``now``."""
    if now >= due_at:
        return OVERDUE
    if now >= due_soon_at:
        return DUE_SOON
    if now >= opens_at:
        return OPEN
    return UPCOMING


def next_notice_after(before: str, after: str, now: datetime) -> datetime | object | None:
    """What a move from ``before`` to ``after`` does to the next reminder: none once closed,
    from now on when a closed task opens again, unchanged between active states."""
    if after in CLOSED_STATES:
        return None
    if before in CLOSED_STATES and after in ACTIVE_STATES:
        return now
    return KEEP


def change(
    session: Session,
    task: TaskRow,
    *,
    to: str | None,
    now: datetime,
    operator: Actor,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
) -> None:
    """Move a loaded ``task`` to state ``to`` (None: the state stays) and append the audit row
    of ``action`` by ``operator`` with ``before`` and the task's state after it (plus ``after``)."""
    if to is not None and to != task.state:
        reminder = next_notice_after(task.state, to, now)
        task.state = to
        if reminder is not KEEP:
            task.next_notice_at = reminder  # type: ignore[assignment]
    task.updated_at = now
    session.flush()
    audit.record_by(
        session,
        operator,
        at=now,
        entity="task",
        entity_id=task.id,
        action=action,
        before=before,
        after={"state": task.state, **(after or {})},
    )


def change_many(
    session: Session,
    rows: Sequence[tuple[int, str]],
    to: str,
    *,
    now: datetime,
    actor: str,
    action: str,
    checked_states: Sequence[str] | None = None,
) -> None:
    """Move the tasks ``rows`` (id, state before) to ``to`` in one statement, one audit row each.
    With ``checked_states`` a task is moved only while still in one of them (another writer may
    have moved it since it was read)."""
    by_before: dict[str, list[int]] = {}
    for task_id, before in rows:
        by_before.setdefault(before, []).append(task_id)
    for before, ids in by_before.items():
        values: dict[str, Any] = {"state": to, "updated_at": now}
        reminder = next_notice_after(before, to, now)
        if reminder is not KEEP:
            values["next_notice_at"] = reminder
        statement = update(TaskRow).where(TaskRow.id.in_(ids))
        if checked_states is not None:
            # the state is checked again as text (state || ''), which no index serves: given an
            # index on state, SQLite would walk every active task instead of looking up the ids
            statement = statement.where((TaskRow.state + "").in_(checked_states))
        session.execute(statement.values(**values).execution_options(synchronize_session=False))
    audit.record_many(
        session,
        [
            {
                "at": now,
                "actor": actor,
                "action": action,
                "entity": "task",
                "entity_id": str(task_id),
                "before": {"state": before},
                "after": {"state": to},
            }
            for task_id, before in rows
        ],
    )
