"""Finding tasks: by the key people paste (``zb1/支委会/2026-11``) or id, and by filters.

A key copied from a chat message often carries brackets, quotes, full-width slashes or
spaces; those are cleaned before the look-up. An unknown key gets its closest matches.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from scheduler.store.models import PersonRow, TaskRow, UnitRow
from scheduler.sweep import DUE_SOON, OPEN, OVERDUE
from workflows.i18n import NotFoundError

DEFAULT_STATES = (OPEN, DUE_SOON, OVERDUE)
_WRAPPERS = "\"'`“”‘’「」『』【】[]()（）<>《》"


def normalize_key(text: str) -> str:
    """Clean a pasted key: trim wrappers and spaces, full-width slashes to ``/``, drop ``#``."""
    value = text.strip().strip(_WRAPPERS).strip()
    value = value.replace("／", "/").replace("\\", "/")
    value = re.sub(r"\s*/\s*", "/", value)
    return value.lstrip("#").strip()


def _lookup(session: Session, key: str, for_update: bool) -> TaskRow | None:
    query = select(TaskRow)
    if for_update:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite's write lock is whole-file
    if key.isdigit():
        return session.scalars(query.where(TaskRow.id == int(key))).first()
    row = session.scalars(query.where(TaskRow.key == key)).first()
    if row is None:
        row = session.scalars(query.where(func.lower(TaskRow.key) == key.lower())).first()
    return row


def suggest_keys(session: Session, text: str, limit: int = 5) -> list[str]:
    """The stored keys closest to ``text``, looked for among the tasks of similar units."""
    key = normalize_key(text)
    unit_part = key.split("/", 1)[0]
    unit_ids = list(session.scalars(select(UnitRow.id)))
    units = set(difflib.get_close_matches(unit_part, unit_ids, n=3, cutoff=0.4)) | ({unit_part} & set(unit_ids))
    query = select(TaskRow.key).limit(20_000)
    if units:
        query = query.where(TaskRow.unit_id.in_(units))
    candidates = list(session.scalars(query))
    return difflib.get_close_matches(key, candidates, n=limit, cutoff=0.5)


def find_task(session: Session, text: str, *, for_update: bool = False) -> TaskRow:
    """The task with key or id ``text`` (locked for the transaction with ``for_update``);
    raises :class:`NotFoundError` listing near matches."""
    row = _lookup(session, normalize_key(text), for_update)
    if row is not None:
        return row
    near = suggest_keys(session, text)
    raise NotFoundError("task.not_found", key=text, suggestions=near)


@dataclass
class TaskFilter:
    """What ``zhibu list`` asks for; empty fields do not filter."""

    states: Sequence[str] = DEFAULT_STATES
    unit: str | None = None
    rule: Sequence[str] = field(default_factory=tuple)
    assignee: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    limit: int | None = None


def unit_and_descendants(session: Session, unit_id: str) -> list[str]:
    """``unit_id`` and every unit below it (a 党委 sees its branches' tasks)."""
    parents = dict(session.execute(select(UnitRow.id, UnitRow.parent_id)).all())
    found, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier and child not in found]
        found.extend(frontier)
    return found


def person_ids(session: Session, who: str) -> list[str]:
    """The ids of the people ``who`` names (an id or a name); ``who`` itself when none match."""
    rows = session.scalars(select(PersonRow.id).where(or_(PersonRow.id == who, PersonRow.name == who)))
    return list(rows) or [who]


def task_query(session: Session, wanted: TaskFilter, rule_ids: Sequence[str]) -> Select[Any]:
    """The SELECT for ``wanted``; ``rule_ids`` are the rule ids the --rule names resolved to."""
    query = select(TaskRow)
    if wanted.states:
        query = query.where(TaskRow.state.in_(wanted.states))
    if wanted.unit:
        query = query.where(TaskRow.unit_id.in_(unit_and_descendants(session, wanted.unit)))
    if wanted.rule:
        query = query.where(TaskRow.rule_id.in_(rule_ids))
    if wanted.assignee:
        query = query.where(TaskRow.assignee_id.in_(person_ids(session, wanted.assignee)))
    if wanted.due_before:
        query = query.where(TaskRow.due_on <= wanted.due_before)
    if wanted.due_after:
        query = query.where(TaskRow.due_on >= wanted.due_after)
    query = query.order_by(TaskRow.due_at, TaskRow.key)
    if wanted.limit:
        query = query.limit(wanted.limit)
    return query


def list_tasks(session: Session, wanted: TaskFilter, rule_ids: Sequence[str] = ()) -> list[TaskRow]:
    """The tasks matching ``wanted``, soonest due first."""
    return list(session.scalars(task_query(session, wanted, rule_ids)))
