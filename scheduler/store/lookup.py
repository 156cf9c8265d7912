"""Finding a task by the key people paste (``zb1/支委会/2026-11``) or id (by filters: ``listing``).

A key copied from a chat message often carries brackets, quotes, full-width slashes or
spaces; those are cleaned before the look-up. An unknown key gets its closest matches.
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from scheduler.store.models import TaskRow, UnitRow
from scheduler.store.readonly import Reader
from workflows.errors import NotFoundError

_WRAPPERS = "\"'`“”‘’「」『』【】[]()（）<>《》"


def normalize_key(text: str) -> str:
    """Clean a pasted key: trim wrappers and spaces, full-width slashes to ``/``, drop ``#``."""
    value = (
        text.strip().rstrip("。.，,；;！!").strip().strip(_WRAPPERS).strip()
    )  # a key pasted with its sentence's stop
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


def session_reader(session: Session) -> Reader:
    """The listing's plain SQL run in ``session``'s transaction."""
    return lambda sql, params: [tuple(row) for row in session.execute(text(sql), dict(params))]
