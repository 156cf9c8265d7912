"""The audit trail: every change by a person or the daemon, with before and after.

Rows are appended only, each sealed into the hash chain (:mod:`scheduler.store.chain`) and
stamped with the real time it was written beside the store's time (``at``, simulated on a
simulation store).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import chain
from scheduler.store.models import AuditRow

DAEMON = "zhibu"


class Actor(Protocol):
    """Who makes a change: a login, and the person it was made on behalf of if any."""

    @property
    def login(self) -> str: ...

    @property
    def on_behalf_of(self) -> str | None: ...


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
    on_behalf_of: str | None = None,
) -> None:
    """Append one audit row in the caller's transaction."""
    values = {
        "at": at,
        "written_at": clock.wall_clock(),
        "actor": actor,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
    }
    session.add(AuditRow(**chain.seal(session, "audit", values)))


def record_by(session: Session, actor: Actor, **fields: Any) -> None:
    """Append one audit row of a change ``actor`` made (its login and whom it was made for)."""
    record(session, actor=actor.login, on_behalf_of=actor.on_behalf_of, **fields)


def task_change(
    session: Session,
    task_id: int,
    *,
    at: datetime,
    actor: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    on_behalf_of: str | None = None,
) -> None:
    """Append the audit row of one change to one task."""
    record(
        session,
        at=at,
        actor=actor,
        action=action,
        entity="task",
        entity_id=task_id,
        before=before,
        after=after,
        on_behalf_of=on_behalf_of,
    )


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many audit rows at once (the sweep's state changes), in the order given."""
    if not rows:
        return
    session.flush()  # rows added one by one before these go in first, as they were sealed first
    written = clock.wall_clock()
    sealed = [chain.seal(session, "audit", {"written_at": written, "on_behalf_of": None, **row}) for row in rows]
    session.execute(insert(AuditRow), sealed)
