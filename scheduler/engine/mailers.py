"""Email sends in processes of their own, so a morning of digests uses every core.

Building a MIME message and writing it out costs the sending interpreter about as much CPU as
the SMTP server spends receiving it; threads of one process share one core for that, however
many connections they hold. For a large delivery (``BULK`` email rows or more queued when it
starts) the tick's process starts ``[notify] mail_processes`` helpers (``python -m
scheduler.engine.mailers``); each keeps its own reused SMTP connections, one per thread and
channel. The tick's process still claims every row, bounds every channel and records every
answer: a helper only builds and sends.

The conversation is JSON lines: the helper says it is ready once its modules are imported (the
tick waits for that before handing it sends, so their deadlines do not count its start); a job on
the helper's stdin (with the channel URL, which so never appears in a process's arguments), its
answer on stdout. A helper whose stdin ends finishes the sends it holds and exits; a helper that
dies answers nothing and its jobs are abandoned at their deadline like any stuck send.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import func, select

from notifiers.channels import Message, SendResult, channel_kind
from scheduler.app import App
from scheduler.engine.outbox import QUEUED
from scheduler.store.models import OutboxRow

BULK = 300  # queued email rows from which a delivery is worth helper processes
THREADS = 4  # sends at once in one helper
READY_TIMEOUT = 60.0  # seconds a helper may take to start (its imports, on a loaded machine)


@dataclass
class _Waiter:
    done: threading.Event = field(default_factory=threading.Event)
    result: SendResult | None = None


class MailProcesses:
    """Helpers that send email for this process; :meth:`send` blocks until the answer comes."""

    def __init__(self, count: int, timeout: float) -> None:
        self.timeout = timeout
        self.lock = threading.Lock()
        self.waiters: dict[int, _Waiter] = {}
        self.turn = 0
        command = [sys.executable, "-m", "scheduler.engine.mailers", f"{timeout:g}"]
        self.helpers = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
            for _ in range(count)
        ]
        self.ready = [threading.Event() for _ in self.helpers]
        self.readers = [
            threading.Thread(target=self._read, args=(h.stdout, ready), daemon=True)
            for h, ready in zip(self.helpers, self.ready, strict=True)
        ]
        for reader in self.readers:
            reader.start()
        # a send's deadline starts when a helper can take it: a helper still importing is not a
        # channel that does not answer (one that never starts fails its sends at their deadline)
        deadline = time.monotonic() + READY_TIMEOUT
        for ready in self.ready:
            ready.wait(max(0.0, deadline - time.monotonic()))

    def _read(self, stream: IO[bytes] | None, ready: threading.Event) -> None:
        assert stream is not None
        for line in stream:
            answer = json.loads(line)
            if "ready" in answer:
                ready.set()
                continue
            with self.lock:
                waiter = self.waiters.pop(answer["id"], None)
            if waiter is not None:
                waiter.result = SendResult(
                    answer["ok"], answer.get("error", ""), permanent=answer["permanent"], timed_out=answer["timed_out"]
                )
                waiter.done.set()
        ready.set()  # a helper gone before it was ready will not be: nobody waits for it any longer

    def send(self, ident: int, url: str, address: str, message: Message) -> SendResult:
        """Have a helper send ``message`` to ``address`` through the email channel ``url``."""
        waiter = _Waiter()
        line = json.dumps(
            {"id": ident, "url": url, "to": address, "message": [message.title, message.text, message.html]},
            ensure_ascii=False,
        ).encode("utf-8")
        with self.lock:
            self.waiters[ident] = waiter
            helper = self.helpers[self.turn % len(self.helpers)]
            self.turn += 1
            try:
                assert helper.stdin is not None
                helper.stdin.write(line + b"\n")
                helper.stdin.flush()
            except (BrokenPipeError, OSError):
                self.waiters.pop(ident, None)
                return SendResult(False, "the sending process has gone away")
        if not waiter.done.wait(self.timeout + 5):
            with self.lock:
                self.waiters.pop(ident, None)
            return SendResult(False, f"no answer within {self.timeout:.0f} s")
        assert waiter.result is not None
        return waiter.result

    def close(self) -> None:
        """End the helpers: each finishes what it holds; one still busy after a while is killed."""
        for helper in self.helpers:
            try:
                assert helper.stdin is not None
                helper.stdin.close()
            except OSError:
                pass
        for helper in self.helpers:
            try:
                helper.wait(timeout=self.timeout + 5)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()


def for_delivery(app: App, now: datetime, timeout: float) -> MailProcesses | None:
    """Helper processes for the email of a large delivery (see :mod:`scheduler.engine.mailers`)."""
    count = app.loaded.config.notify.mail_processes
    email = [name for name, url in app.loaded.channel_urls.items() if channel_kind(url) == "email"]
    if not count or not email:
        return None
    with app.store.reading() as session:
        queued = session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now, OutboxRow.channel.in_(email))
        )
    return MailProcesses(count, timeout) if (queued or 0) >= BULK else None


def _jobs(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    for line in stream:
        if line.strip():
            yield json.loads(line)


def serve(timeout: float) -> None:
    """A helper: send each job from stdin with one of ``THREADS`` threads, each keeping its SMTP
    connections open; write each answer on stdout."""
    from notifiers.smtp import SmtpConnection

    jobs: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=THREADS * 4)
    out = sys.stdout.buffer
    written = threading.Lock()

    def work() -> None:
        connections: dict[str, SmtpConnection] = {}
        try:
            while (job := jobs.get()) is not None:
                connection = connections.get(job["url"])
                if connection is None:
                    connection = connections[job["url"]] = SmtpConnection(job["url"], timeout)
                title, text, html = job["message"]
                result = connection.send(Message(title, text, html, ""), job["to"])
                answer = {
                    "id": job["id"],
                    "ok": result.ok,
                    "error": result.error,
                    "permanent": result.permanent,
                    "timed_out": result.timed_out,
                }
                with written:
                    out.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
                    out.flush()
        finally:
            for connection in connections.values():
                connection.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    with written:
        out.write(b'{"ready": true}\n')
        out.flush()
    for job in _jobs(sys.stdin.buffer):
        jobs.put(job)
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the service's to handle
    serve(float(sys.argv[1]))
    os._exit(0)
