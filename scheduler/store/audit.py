"""The audit trail: every change by a person or the daemon, with before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scheduler.store.models import AuditRow

DAEMON = "zhibu"


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction."""
    session.add(
        AuditRow(at=at, actor=actor, action=action, entity=entity, entity_id=str(entity_id), before=before, after=after)
    )


def task_change(
    session: Session,
    task_id: int,
    *,
    at: datetime,
    actor: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Append the audit row of one change to one task."""
    record(session, at=at, actor=actor, action=action, entity="task", entity_id=task_id, before=before, after=after)


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many audit rows at once (the sweep's state changes)."""
    if rows:
        session.execute(insert(AuditRow), rows)
