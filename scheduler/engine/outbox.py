"""The outbox's states and what survives a crash (the sending itself is :mod:`scheduler.engine.delivery`).

A row is claimed by a conditional UPDATE (``status = 'queued'`` → ``'sending'``), so two
processes never send the same row. A temporary failure is retried with doubling delays up to a
cap (and never into quiet hours or rest days); a permanent one, or the last attempt, marks the
row failed with the redacted reason. A row left ``sending`` by a crash is released (at once if
its sender on this host is gone, else after a lease) and sent again: delivery is at-least-once.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from scheduler import clock
from scheduler.app import App
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
    paused: list[str] = field(default_factory=list)  # channels paused for timing out
    helpers: int = 0  # processes that sent email for this pass (a large delivery)


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
