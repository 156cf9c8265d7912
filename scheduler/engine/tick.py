"""One pass of all the work: materialize what is due, move states by time, fire reminders,
compose digests, then deliver what is queued.

The daemon calls :func:`tick` on a timer and ``zhibu tick --now T`` calls it once, so every
behaviour of the daemon is testable by calling it with chosen instants. Everything up to the
digests happens in one transaction (a crash leaves all or nothing of it); delivery claims and
sends row by row afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.engine import nightly as nightly_inputs
from scheduler.engine.delivery import deliver
from scheduler.engine.digests import DigestReport, compose_digests, queue_urgent
from scheduler.engine.materialize import SyncReport, sync
from scheduler.engine.notices import FireReport, fire_notices
from scheduler.engine.outbox import DeliveryReport
from scheduler.engine.sweep import SweepReport, sweep
from scheduler.reports.ics import refresh_calendar
from scheduler.store.meta import keep_calendar, write_meta
from workflows.errors import ZhibuError
from workflows.i18n import Lang

log = logging.getLogger("zhibu")


@dataclass
class TickReport:
    """What one tick did."""

    now: datetime
    sync: SyncReport
    sweep: SweepReport
    fired: FireReport
    digests: DigestReport
    urgent: int
    delivery: DeliveryReport


TICK_META = "tick"


def record_tick(session: Session, now: datetime) -> None:
    """Remember when the last tick ran (``zhibu status`` and monitors read it)."""
    write_meta(session, TICK_META, {"at": now.isoformat()})


def tick(
    app: App,
    now: datetime,
    *,
    force_sync: bool = False,
    nightly: bool = False,
    lang: Lang | None = None,
    send: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
) -> TickReport:
    """Sync (skipped when nothing changed), sweep, fire reminders and compose digests in one
    transaction, then deliver the outbox (unless ``send`` is False). ``nightly``: the whole window
    derived again if anything it depends on changed (:mod:`scheduler.engine.nightly`)."""
    language: Lang = lang or app.loaded.config.org.locale
    workdays = app.workdays  # read before the tick's transaction: the year tables kept in the store
    with app.store.serialized() as session:
        if nightly:
            changed = nightly_inputs.reasons(session, app)
            force_sync = force_sync or bool(changed)
            if changed:
                log.info("nightly re-derive: runs (changed: %s)", ", ".join(changed))
            else:
                log.info("nightly re-derive: skipped (config, roster, calendar and tasks unchanged since it last ran)")
        synced = sync(session, app.loaded, app.rules, workdays, now, force=force_sync)
        if nightly and force_sync:
            nightly_inputs.remember(session, app, now.isoformat())
        swept = sweep(session, now)
        fired = fire_notices(session, now, app.unit_channels)
        urgent = queue_urgent(session, app, fired.urgent, now, language)
        digests = compose_digests(session, app, now, language)
        record_tick(session, now)
        nightly_inputs.mark(session)
        keep_calendar(session, workdays)
    delivery = deliver(app, now, should_stop=should_stop) if send else DeliveryReport()
    try:
        refresh_calendar(app, now)
    except ZhibuError as error:  # an unwritable calendar must not stop the reminders
        log.error("calendar export failed: %s", error.message("en"))
    return TickReport(now=now, sync=synced, sweep=swept, fired=fired, digests=digests, urgent=urgent, delivery=delivery)
