"""Delivering the outbox in parallel, within a budget, with no channel able to stall the others.

Each round takes a batch of due rows, defers those whose recipient is in quiet hours, and claims
the rest with one conditional ``UPDATE … RETURNING`` (on PostgreSQL the batch is chosen ``FOR
UPDATE SKIP LOCKED``, so replicas take different rows). The claimed rows go to a pool of sender
threads; the store is written only here, in the calling thread, as the answers come in.

- Senders run in parallel, bounded per channel: an email channel keeps a few SMTP connections
  open and reuses them for every message; an IM group bot sends one message at a time within its
  platform's rate (20 a minute for WeCom and DingTalk group robots).
- Every send has a deadline. A send past it is abandoned and its row queued again (the server
  did not accept it, so it is not lost; if it did after all, a duplicate is rare and visible); a
  channel that times out twice is paused for the rest of the tick, its rows left queued, and the
  pause is recorded for ``zhibu status``.
- Delivery stops claiming when its budget is spent; what is left waits for the next tick.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from notifiers.channels import Message, SendResult, channel_kind, send, with_timeouts
from notifiers.redact import redact_text
from notifiers.routing import Target, channel_url, window_for
from notifiers.smtp import SmtpConnection
from scheduler.app import App
from scheduler.engine.mailers import MailProcesses, for_delivery
from scheduler.engine.outbox import FAILED, QUEUED, SENDING, SENT, DeliveryReport, backoff, release_stale, sender_id
from scheduler.store import audit
from scheduler.store.meta import write_meta
from scheduler.store.models import OutboxRow

log = logging.getLogger("zhibu")
BATCH = 200  # rows claimed at once
PAUSE_AFTER = 2  # timeouts of one channel in one tick before it is paused
DELIVERY_META = "delivery"


@dataclass
class Gate:
    """How one channel may be used at the moment: how many at once, how often, and whether it
    is paused for the rest of the tick."""

    slots: threading.Semaphore
    interval: float  # seconds between two sends (a group bot's rate), 0 for none
    next_free: float = 0.0
    timeouts: int = 0
    paused: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_turn(self, deadline: float) -> bool:
        """Take this channel's next turn at its rate; False when it would come after ``deadline``."""
        if not self.interval:
            return True
        with self.lock:
            turn = max(self.next_free, time.monotonic())
            if turn > deadline:
                return False
            self.next_free = turn + self.interval
        time.sleep(max(0.0, turn - time.monotonic()))
        return True


@dataclass
class Job:
    """One claimed row on its way out."""

    row_id: int
    channel: str
    recipient: str
    address: str | None
    url: str | None  # the channel's URL for this recipient
    base: str | None  # the channel's own URL (one SMTP connection serves all its recipients)
    message: Message
    attempts: int
    urgent: bool
    started: float = 0.0


Answer = tuple[Job, SendResult | None]  # None: not sent (the channel paused, or no turn in time)


class Senders:
    """A pool of daemon threads (a stuck send must never keep the tick's process alive), each
    keeping its SMTP connections open across messages."""

    def __init__(
        self, count: int, gates: dict[str, Gate], timeout: float, budget_end: float, mail: MailProcesses | None = None
    ) -> None:
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.answers: queue.Queue[Answer] = queue.Queue()
        self.gates, self.timeout, self.budget_end = gates, timeout, budget_end
        self.mail = mail  # helper processes that send email, for a large delivery
        self.threads = [threading.Thread(target=self._work, daemon=True, name=f"sender-{n}") for n in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        connections: dict[str, SmtpConnection] = {}
        try:
            while (job := self.jobs.get()) is not None:
                self.answers.put((job, self._send(job, connections)))
        finally:
            for connection in connections.values():
                connection.close()

    def _send(self, job: Job, connections: dict[str, SmtpConnection]) -> SendResult | None:
        gate = self.gates[job.channel]
        with gate.slots:
            if gate.paused or not gate.wait_turn(self.budget_end):
                return None
            job.started = time.monotonic()
            if job.url is None:
                return SendResult(False, f"channel '{job.channel}' is not in the config any more", permanent=True)
            if channel_kind(job.url) == "email" and job.address and job.base:
                if self.mail is not None:
                    return self.mail.send(job.row_id, job.base, job.address, job.message)
                connection = connections.get(job.channel)
                if connection is None:
                    connection = connections[job.channel] = SmtpConnection(job.base, self.timeout)
                return connection.send(job.message, job.address)
            return send(with_timeouts(job.url, self.timeout), job.message)

    def submit(self, job: Job) -> None:
        self.jobs.put(job)

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        if self.mail is not None:
            self.mail.close()


def _candidates(app: App, now: datetime, paused: set[str]) -> list[Any]:
    query = (
        select(OutboxRow.id, OutboxRow.recipient, OutboxRow.urgent, OutboxRow.channel)
        .where(OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.id)
        .limit(BATCH)
    )
    if paused:
        query = query.where(OutboxRow.channel.not_in(paused))
    with app.store.reading() as session:
        return list(session.execute(query).all())


def _defer(app: App, now: datetime, rows: list[Any], windows: dict[str, Any]) -> list[int]:
    """Rows whose recipient may not be disturbed now wait for their next window; the ids of the
    rows that may go now."""
    later, allowed = [], []
    for row in rows:
        window = windows.get(row.recipient)
        if window is None:
            window = windows[row.recipient] = window_for(row.recipient, app.loaded, app.zone, app.workdays)
        if row.urgent or window.allows(now):
            allowed.append(row.id)
        else:
            later.append((row.id, window.next_allowed(now)))
    if later:
        with app.store.writing() as session:
            for row_id, when in later:
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id, OutboxRow.status == QUEUED)
                    .values(next_attempt_at=when)
                    .execution_options(synchronize_session=False)
                )
    return allowed


def claim_batch(app: App, ids: list[int], now: datetime) -> list[OutboxRow]:
    """Claim the queued rows among ``ids`` in one statement; the rows this process got."""
    if not ids:
        return []
    with app.store.writing() as session:
        chosen = select(OutboxRow.id).where(OutboxRow.id.in_(ids), OutboxRow.status == QUEUED)
        if session.get_bind().dialect.name == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)  # another replica's claim is not waited for
        claimed = session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(chosen.scalar_subquery()), OutboxRow.status == QUEUED)
            .values(status=SENDING, claimed_at=now, claimed_by=sender_id(), attempts=OutboxRow.attempts + 1)
            .returning(OutboxRow.id)
            .execution_options(synchronize_session=False)
        ).all()
        got = [row.id for row in claimed]
        if not got:
            return []
        return list(session.scalars(select(OutboxRow).where(OutboxRow.id.in_(got)).order_by(OutboxRow.id)))


def _job(app: App, row: OutboxRow) -> Job:
    url = channel_url(app.loaded, Target(row.channel, row.address))
    message = Message(row.title, row.body_text, row.body_html, row.body_markdown)
    base = app.loaded.channel_urls.get(row.channel)
    return Job(row.id, row.channel, row.recipient, row.address, url, base, message, row.attempts, row.urgent)


def _gate(app: App, url: str | None, per_channel: int) -> Gate:
    kind = channel_kind(url) if url else "webhook"
    if kind == "im":
        return Gate(threading.Semaphore(1), 60.0 / app.loaded.config.notify.im_per_minute)
    return Gate(threading.Semaphore(per_channel if kind == "email" else 2), 0.0)


class Recorder:
    """Writes each answer to the store (in the delivering thread) and counts it. Messages sent are
    marked in batches — one statement for many rows every fraction of a second — so the store's
    commits do not set the pace; anything else is written at once."""

    FLUSH_EVERY = 0.25  # seconds a sent row may wait to be marked (a crash then resends it: at-least-once)

    def __init__(self, app: App, now: datetime, report: DeliveryReport) -> None:
        self.app, self.now, self.report = app, now, report
        self.notify = app.loaded.config.notify
        self.sent: list[int] = []
        self.last_flush = time.monotonic()

    def flush(self) -> None:
        """Mark the rows sent so far."""
        if self.sent:
            with self.app.store.writing() as session:
                for chunk in range(0, len(self.sent), 500):
                    session.execute(
                        update(OutboxRow)
                        .where(OutboxRow.id.in_(self.sent[chunk : chunk + 500]), OutboxRow.status == SENDING)
                        .values(status=SENT, sent_at=self.now, last_error=None)  # claimed_by says who sent it
                        .execution_options(synchronize_session=False)
                    )
            self.sent = []
        self.last_flush = time.monotonic()

    def tick(self) -> None:
        """Flush when the batch has waited long enough."""
        if time.monotonic() - self.last_flush >= self.FLUSH_EVERY:
            self.flush()

    def settle(self, job: Job, result: SendResult | None, *, timed_out: bool = False) -> None:
        values: dict[str, object] = {}
        if result is None:  # not sent at all: back in the queue as it was
            values.update(status=QUEUED, attempts=OutboxRow.attempts - 1)
            self.report.deferred += 1
        elif result.ok:
            self.sent.append(job.row_id)
            self.report.sent += 1
            self.tick()
            return
        else:
            error = redact_text(result.error, self.app.loaded.channel_urls.values())
            if result.permanent or job.attempts >= self.notify.max_attempts:
                values.update(status=FAILED, last_error=error)
                self.report.failed += 1
            else:
                retry_at = self.now + backoff(job.attempts, self.notify.retry_after, self.notify.retry_cap)
                if not job.urgent and not timed_out:
                    window = window_for(job.recipient, self.app.loaded, self.app.zone, self.app.workdays)
                    retry_at = window.next_allowed(retry_at)
                values.update(status=QUEUED, last_error=error, next_attempt_at=retry_at)
                self.report.retried += 1
        with self.app.store.writing() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == job.row_id, OutboxRow.status == SENDING)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if values.get("status") == FAILED:
                after = {"channel": job.channel, "recipient": job.recipient, "error": values["last_error"]}
                audit.record(
                    session,
                    at=self.now,
                    actor=audit.DAEMON,
                    action="delivery_failed",
                    entity="outbox",
                    entity_id=job.row_id,
                    after=after,
                )


def deliver(app: App, now: datetime, *, should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Send what is due until the queue is empty, the budget is spent or a stop is asked for."""
    notify = app.loaded.config.notify
    report = DeliveryReport()
    release_stale(app, now)
    started = time.monotonic()
    budget_end = started + notify.delivery_budget.total_seconds()
    timeout = notify.send_timeout.total_seconds()
    gates: dict[str, Gate] = {}
    mail = for_delivery(app, now, timeout)
    report.helpers = len(mail.helpers) if mail else 0
    senders = Senders(notify.senders, gates, timeout, budget_end, mail)
    recorder = Recorder(app, now, report)
    pending: dict[int, Job] = {}
    paused: set[str] = set()
    windows: dict[str, Any] = {}  # recipient → delivery window, worked out once per delivery
    try:
        while time.monotonic() < budget_end and not should_stop():
            rows = _candidates(app, now, paused)
            if not rows and not pending:
                break
            allowed = _defer(app, now, rows, windows)
            report.deferred += len(rows) - len(allowed)
            for row in claim_batch(app, allowed, now):
                job = _job(app, row)
                if job.channel not in gates:
                    gates[job.channel] = _gate(app, job.url, notify.senders_per_channel)
                pending[job.row_id] = job
                senders.submit(job)
            _collect(recorder, senders, pending, gates, paused, timeout, budget_end, drain=not rows)
        _collect(recorder, senders, pending, gates, paused, timeout, budget_end, drain=True)
    finally:
        senders.close()
        for job in list(pending.values()):  # abandoned at the end of the budget: back in the queue
            recorder.settle(job, SendResult(False, "delivery budget spent before the send finished"), timed_out=True)
        recorder.flush()
        _record_pauses(app, now, paused)
    report.paused = sorted(paused)
    return report


def _collect(
    recorder: Recorder,
    senders: Senders,
    pending: dict[int, Job],
    gates: dict[str, Gate],
    paused: set[str],
    timeout: float,
    budget_end: float,
    *,
    drain: bool,
) -> None:
    """Record answers as they come; abandon sends past their deadline; with ``drain``, until
    nothing is pending (or the budget ends), else until the pool has room for more."""
    while pending and time.monotonic() < budget_end:
        try:
            job, result = senders.answers.get(timeout=0.2)
        except queue.Empty:
            recorder.tick()
            _abandon_late(recorder, pending, gates, paused, timeout)
            if not drain and len(pending) < BATCH:
                return
            continue
        if pending.pop(job.row_id, None) is not None:
            late = result is not None and not result.ok and _waited_out(result, job, timeout)
            if late:  # the send's own socket timeout came first: it counts as a timeout all the same
                _timed_out(gates[job.channel], job.channel, paused, timeout)
            recorder.settle(job, result, timed_out=late)
        if not drain and len(pending) < BATCH // 2:
            return


def _waited_out(result: SendResult, job: Job, timeout: float) -> bool:
    """Whether a failed send failed by waiting out its timeout: as its sender says (SMTP: a refused
    connection answered late, behind a busy helper's queue, is not a timeout), else by how long it
    took since it started (apprise answers only ok or not)."""
    if result.timed_out is not None:
        return result.timed_out
    return time.monotonic() - job.started >= timeout * 0.9


def _abandon_late(
    recorder: Recorder, pending: dict[int, Job], gates: dict[str, Gate], paused: set[str], timeout: float
) -> None:
    now = time.monotonic()
    for job in [j for j in pending.values() if j.started and now - j.started > timeout]:
        pending.pop(job.row_id)
        _timed_out(gates[job.channel], job.channel, paused, timeout)
        recorder.settle(
            job, SendResult(False, f"no answer within {timeout:.0f} s; the send was abandoned"), timed_out=True
        )


def _timed_out(gate: Gate, channel: str, paused: set[str], timeout: float) -> None:
    """Count a timeout against ``channel``; the second pauses it for the rest of the tick."""
    gate.timeouts += 1
    if gate.timeouts >= PAUSE_AFTER and not gate.paused:
        gate.paused = True
        paused.add(channel)
        log.warning(
            "channel %s paused for the rest of this tick: %d sends past %.0f s", channel, gate.timeouts, timeout
        )


def _record_pauses(app: App, now: datetime, paused: set[str]) -> None:
    with app.store.writing() as session:
        write_meta(session, DELIVERY_META, {"at": now.isoformat(), "paused": sorted(paused)})
