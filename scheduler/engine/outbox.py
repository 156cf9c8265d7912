"""Delivering the outbox: claim a row, send it through its one channel, record the answer.

A row is claimed by a conditional UPDATE (``status = 'queued'`` → ``'sending'``, rowcount 1), so
two processes never send the same row. The send happens outside any transaction. A temporary
failure is retried with doubling delays up to a cap (and never into quiet hours or rest days);
a permanent one, or the last attempt, marks the row failed with the redacted reason. A row left
``sending`` by a crash is released (at once if its sender on this host is gone, else after a
lease) and sent again: delivery is at-least-once.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from notifiers.channels import Message, send
from notifiers.redact import redact_text
from notifiers.routing import Target, channel_url, window_for
from scheduler import clock
from scheduler.app import App
from scheduler.store import audit
from scheduler.store.models import OutboxRow

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
LEASE_SECONDS = 120  # real seconds a send may take before another host may take the row over


def sender_id() -> str:
    """Who is sending: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0


def backoff(attempts: int, first: timedelta, cap: timedelta) -> timedelta:
    """The delay before attempt ``attempts + 1``: first, 2×, 4×, … up to ``cap``."""
    delay: timedelta = first * (2 ** max(attempts - 1, 0))
    return min(cap, delay)


def release_stale(app: App, now: datetime) -> int:
    """Put rows left ``sending`` by a process that died back in the queue: at once when it ran on
    this host (its pid is gone), after the lease otherwise. The lease is real time, so a fast
    simulated clock does not shorten it."""
    lease = timedelta(seconds=LEASE_SECONDS * clock.simulation_speed())
    host = socket.gethostname()
    with app.store.writing() as session:
        stuck = session.execute(
            select(OutboxRow.id, OutboxRow.claimed_at, OutboxRow.claimed_by).where(OutboxRow.status == SENDING)
        ).all()
        dead = []
        for row_id, claimed_at, claimed_by in stuck:
            owner_host, _, pid = (claimed_by or "").rpartition(":")
            if (
                (owner_host == host and pid.isdigit() and not _alive(int(pid)))
                or claimed_at is None
                or claimed_at < now - lease
            ):
                dead.append(row_id)
        if dead:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(dead), OutboxRow.status == SENDING)
                .values(status=QUEUED, next_attempt_at=now, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
        return len(dead)


def claim(app: App, row_id: int, now: datetime) -> OutboxRow | None:
    """Take one queued row for sending; None when another process took it first."""
    with app.store.writing() as session:
        result = session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.status == QUEUED)
            .values(status=SENDING, claimed_at=now, claimed_by=sender_id(), attempts=OutboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(OutboxRow, row_id)


def _finish(
    app: App, row: OutboxRow, now: datetime, *, status: str, error: str | None, retry_at: datetime | None = None
) -> None:
    with app.store.writing() as session:
        values: dict[str, object] = {"status": status, "last_error": error}
        if status == SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        session.execute(update(OutboxRow).where(OutboxRow.id == row.id, OutboxRow.status == SENDING).values(**values))
        if status == FAILED:
            audit.record(
                session,
                at=now,
                actor=audit.DAEMON,
                action="delivery_failed",
                entity="outbox",
                entity_id=row.id,
                after={"channel": row.channel, "recipient": row.recipient, "error": error},
            )


def deliver_one(app: App, row: OutboxRow, now: datetime) -> str:
    """Send a claimed row and record the outcome; returns the new status (or ``retry``)."""
    target = Target(row.channel, row.address)
    url = channel_url(app.loaded, target)
    notify = app.loaded.config.notify
    if url is None:
        _finish(app, row, now, status=FAILED, error=f"channel '{row.channel}' is not in the config any more")
        return FAILED
    result = send(url, Message(row.title, row.body_text, row.body_html, row.body_markdown))
    if result.ok:
        _finish(app, row, now, status=SENT, error=None)
        return SENT
    error = redact_text(result.error, app.loaded.channel_urls.values())
    if result.permanent or row.attempts >= notify.max_attempts:
        _finish(app, row, now, status=FAILED, error=error)
        return FAILED
    retry_at = now + backoff(row.attempts, notify.retry_after, notify.retry_cap)
    if not row.urgent:
        retry_at = window_for(row.recipient, app.loaded, app.zone, app.workdays).next_allowed(retry_at)
    _finish(app, row, now, status=QUEUED, error=error, retry_at=retry_at)
    return "retry"


def deliver(
    app: App, now: datetime, *, limit: int = 1000, should_stop: Callable[[], bool] = lambda: False
) -> DeliveryReport:
    """Send every queued row that is due, one claim at a time; ``should_stop`` is asked between
    rows, so a warm shutdown finishes the message in progress and leaves the rest queued."""
    report = DeliveryReport()
    release_stale(app, now)
    with app.store.reading() as session:
        due = session.execute(
            select(OutboxRow.id, OutboxRow.recipient, OutboxRow.urgent)
            .where(OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        ).all()
    for row_id, recipient, urgent in due:
        if should_stop():
            break
        window = window_for(recipient, app.loaded, app.zone, app.workdays)
        if not urgent and not window.allows(now):
            with app.store.writing() as session:
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id, OutboxRow.status == QUEUED)
                    .values(next_attempt_at=window.next_allowed(now))
                )
            report.deferred += 1
            continue
        row = claim(app, row_id, now)
        if row is None:
            continue
        outcome = deliver_one(app, row, now)
        if outcome == SENT:
            report.sent += 1
        elif outcome == FAILED:
            report.failed += 1
        else:
            report.retried += 1
    return report
