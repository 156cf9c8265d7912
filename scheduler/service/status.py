"""Is anyone hearing us: the service's last tick, the delivery queue and its recent failures, the
open work — what ``zhibu status`` and ``zhibu outbox list`` show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.engine.delivery import DELIVERY_META
from scheduler.engine.digests import UNREACHABLE
from scheduler.engine.outbox import FAILED, QUEUED, SENDING, SENT
from scheduler.engine.tick import TICK_META
from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.models import MetaRow, OutboxRow, TaskRow
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE

STALE_AFTER = 3  # tick intervals without a tick before a monitor is told


def outbox_record(row: OutboxRow) -> dict[str, Any]:
    """An outbox row as JSON (bodies left out)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "recipient": row.recipient,
        "channel": row.channel,
        "address": row.address,
        "day": row.day,
        "title": row.title,
        "items": row.items,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "sent_at": row.sent_at,
        "last_error": row.last_error,
    }


def outbox_rows(app: App, status: str | None, limit: int) -> list[OutboxRow]:
    """The newest ``limit`` messages, of one status if given."""
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxRow.status == status)
    with app.store.reading() as session:
        return list(session.scalars(query))


def status_data(session: Session) -> dict[str, Any]:
    """Queue depth, the oldest queued message, recent failures, task counts, the last tick."""
    counts = dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())
    oldest = session.scalar(select(func.min(OutboxRow.created_at)).where(OutboxRow.status == QUEUED))
    failures = session.scalars(
        select(OutboxRow).where(OutboxRow.status == FAILED).order_by(OutboxRow.id.desc()).limit(5)
    ).all()
    tasks = dict(
        session.execute(
            select(TaskRow.state, func.count())
            .where(TaskRow.state.in_([OPEN, DUE_SOON, OVERDUE]))
            .group_by(TaskRow.state)
        ).all()
    )
    tick_row = session.get(MetaRow, TICK_META)
    delivery = session.get(MetaRow, DELIVERY_META)
    unreachable = session.scalars(
        select(OutboxRow.recipient).where(OutboxRow.status == UNREACHABLE).distinct().limit(100)
    ).all()
    return {
        "unreachable": list(unreachable),
        "paused_channels": list((delivery.value if delivery else {}).get("paused", [])),
        "last_tick": datetime.fromisoformat(tick_row.value["at"]) if tick_row else None,
        "queue": {state: counts.get(state, 0) for state in (QUEUED, SENDING, SENT, FAILED)},
        "oldest_queued": oldest,
        "recent_failures": [outbox_record(r) for r in failures],
        "tasks": {state: tasks.get(state, 0) for state in (OPEN, DUE_SOON, OVERDUE)},
    }


def service_status(app: App, now: datetime) -> dict[str, Any]:
    """Everything ``zhibu status`` reports, ``stale`` when the service has not ticked for
    :data:`STALE_AFTER` intervals."""
    with app.store.reading() as session:
        data = status_data(session)
    interval = app.loaded.config.daemon.tick_interval
    last = data["last_tick"]
    data["stale"] = last is None or now - last > STALE_AFTER * interval
    data["next_tick"] = last + interval if last else None
    data["store"] = {
        "url": app.store.display_url,
        "schema": app.store.schema_revision() or SCHEMA_HEAD,
        "mode": app.store.mode(),
    }
    data["config"] = {"path": str(app.loaded.path), "version": app.loaded.fingerprint[:12]}
    return data
