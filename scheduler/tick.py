"""One pass of all the work: materialize what is due, then move states by time.

The daemon calls :func:`tick` on a timer and ``zhibu tick --now T`` calls it once, so every
behaviour of the daemon is testable by calling it with chosen instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler.app import App
from scheduler.materialize import SyncReport, sync
from scheduler.sweep import SweepReport, sweep


@dataclass
class TickReport:
    """What one tick did."""

    now: datetime
    sync: SyncReport
    sweep: SweepReport


def tick(app: App, now: datetime, *, force_sync: bool = False) -> TickReport:
    """Sync (skipped when nothing changed) and sweep, in one transaction."""
    with app.store.writing() as session:
        synced = sync(session, app.loaded, app.rules, app.workdays, now, force=force_sync)
        swept = sweep(session, now)
    return TickReport(now=now, sync=synced, sweep=swept)
