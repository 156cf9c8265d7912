"""``sync --force``: re-derive every task now, whatever the stamps say — a write that reaches the
whole organization, so the office's, audited like any other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from scheduler.actions.authority import authorize_office
from scheduler.actions.operator import Operator
from scheduler.app import App
from scheduler.engine.materialize import SyncReport, sync
from scheduler.store import audit
from workflows.rules import Rule


def force_sync(
    app: App, operator: Operator, now: datetime, progress: Callable[[Sequence[Rule]], Iterable[Rule]] = lambda r: r
) -> SyncReport:
    """Sync every rule in full (``progress`` sees the rules go by); the audit says who asked."""
    with app.store.serialized() as session:
        known = authorize_office(session, app, operator, "sync --force")
        report = sync(session, app.loaded, app.rules, app.workdays, now, force=True, progress=progress)
        after = {"created": report.created, "retired": report.retired}
        audit.record_by(session, known, at=now, action="sync", entity="store", entity_id="-", after=after)
        return report
