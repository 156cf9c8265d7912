"""``outbox retry``: queue failed messages again once their channel is mended (an audited write)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update

from scheduler.actions.authority import authorize_office
from scheduler.actions.operator import Operator
from scheduler.app import App
from scheduler.engine.outbox import FAILED, QUEUED, SENT
from scheduler.store import audit
from scheduler.store.models import OutboxRow


def retry(app: App, operator: Operator, now: datetime, ids: Sequence[int], *, all_failed: bool) -> int:
    """Queue the messages ``ids`` (or every failed one) for delivery again; how many were."""
    condition = OutboxRow.status == FAILED if all_failed else OutboxRow.id.in_(ids)
    with app.store.writing() as session:
        known = authorize_office(session, app, operator, "outbox retry")
        result = session.execute(
            update(OutboxRow)
            .where(condition, OutboxRow.status != SENT)
            .values(status=QUEUED, attempts=0, next_attempt_at=now)
            .returning(OutboxRow.id)
        )
        retried = [row.id for row in result]
        if retried:
            audit.record_by(
                session,
                known,
                at=now,
                action="retry",
                entity="outbox",
                entity_id=",".join(map(str, retried[:50])),
                after={"count": len(retried)},
            )
        return len(retried)
