"""``zhibu run``: the service. APScheduler is only its timer — a tick every few minutes, one at
the digest time, a nightly full sync — while the store holds every obligation.

Signals: the first SIGTERM or SIGINT lets the message being sent finish and exits 0 (warm); a
second exits at once (cold). SIGHUP reloads the config: it is validated first, and an invalid
one is reported while the old one keeps running. Under systemd it reports READY, a STATUS line
and WATCHDOG pings through the notify socket.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import func, select

from scheduler import clock, systemd
from scheduler.app import App, open_app, store_url
from scheduler.logs import LOGGER, Redacting
from scheduler.outbox import QUEUED
from scheduler.store.engine import open_store
from scheduler.store.models import OutboxRow
from scheduler.tick import TickReport, tick
from workflows.config.load import load_config
from workflows.durations import format_duration
from workflows.i18n import Lang, ZhibuError

log = logging.getLogger(LOGGER)
MIN_REAL_INTERVAL = 0.5  # seconds between ticks at the fastest, whatever the simulated clock


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None on a C library without it (musl, macOS)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def give_back_memory() -> None:
    """Hand the heap's free pages back to the system after a tick: glibc keeps them otherwise,
    and the service would sit between ticks at the high-water mark of its busiest one (a city's
    first tick). The cyclic collector runs first, so that what a tick left in cycles is free."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dataclass
class Daemon:
    """One running service: the app it serves, its timer, and how it stops."""

    config_path: Path
    db_url: str | None
    lang: Lang | None
    interval: timedelta | None = None
    redacting: Redacting | None = None
    app: App = field(init=False)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    last_tick: datetime | None = None
    last_error: str | None = None
    signals: int = 0
    on_first_tick: Callable[[TickReport], None] | None = None

    def __post_init__(self) -> None:
        self.app = open_app(self.config_path, self.db_url)
        self.scheduler = BlockingScheduler(timezone=self.app.zone)
        self._shutdown: threading.Thread | None = None

    @property
    def tick_interval(self) -> timedelta:
        """Simulated time between ticks (``--interval`` or ``[daemon] tick_interval``)."""
        return self.interval or self.app.loaded.config.daemon.tick_interval

    def real_interval(self) -> float:
        """Real seconds between ticks: the interval divided by the simulated clock's speed (as
        often as allowed on a stepped clock: a tick whose time has not moved finds nothing to do)."""
        if clock.stepped():
            return MIN_REAL_INTERVAL
        return max(MIN_REAL_INTERVAL, self.tick_interval.total_seconds() / clock.simulation_speed())

    def run_tick(self, *, force_sync: bool = False) -> TickReport | None:
        """One tick; an error is logged and reported, and the next tick tries again."""
        if self.stop_requested.is_set():
            return None
        now = clock.now()
        try:
            report = tick(self.app, now, force_sync=force_sync, lang=self.lang, should_stop=self.stop_requested.is_set)
        except (ZhibuError, Exception) as error:  # the service must outlive a bad tick
            self.last_error = error.message("en") if isinstance(error, ZhibuError) else repr(error)
            log.error("tick at %s failed: %s", now.isoformat(), self.last_error)
            systemd.notify(f"STATUS=tick failed: {self.last_error[:200]}")
            return None
        self.last_tick, self.last_error = now, None
        if not report.sync.skipped or report.fired.notices or report.digests.messages:
            give_back_memory()  # a tick that found nothing to do allocated next to nothing
        log.info(
            "tick %s: %d created, %d overdue, %d notices, %d messages queued, %d sent, %d to retry, %d failed",
            now.astimezone(self.app.zone).strftime("%Y-%m-%d %H:%M"),
            report.sync.created,
            report.sweep.count("overdue"),
            report.fired.notices,
            report.digests.messages + report.urgent,
            report.delivery.sent,
            report.delivery.retried,
            report.delivery.failed,
        )
        if self.on_first_tick is not None:
            self.on_first_tick(report)
            self.on_first_tick = None
        self.report_status()
        systemd.notify("WATCHDOG=1")
        return report

    def report_status(self) -> None:
        """STATUS for ``systemctl status``: the next tick and the queue depth. (It must not ask
        the scheduler: a job that takes the scheduler's locks deadlocks a shutdown that waits
        for that job.)"""
        with self.app.store.reading() as session:
            queued = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == QUEUED)) or 0
        upcoming = (self.last_tick or clock.now()) + self.tick_interval
        when = upcoming.astimezone(self.app.zone).strftime("%Y-%m-%d %H:%M")
        systemd.notify(f"STATUS=next tick at {when}, {queued} queued")

    def watchdog(self) -> None:
        """Ping the watchdog only while ticks succeed: a stuck service gets restarted."""
        if self.last_tick is not None and self.last_error is None:
            systemd.notify("WATCHDOG=1")

    def reload(self) -> None:
        """Re-read the config; keep running the old one when the new one is invalid."""
        systemd.notify("RELOADING=1")
        try:
            loaded = load_config(self.config_path)
            if store_url(loaded, self.db_url) != self.app.store.url:
                store = open_store(store_url(loaded, self.db_url))
                self.app.store.close()
            else:
                store = self.app.store
        except ZhibuError as error:
            detail = error.message("en").replace("\n", "; ")
            log.error("config reload refused, still running the previous config: %s", detail)
            systemd.notify("READY=1", "STATUS=config reload refused; previous config kept")
            return
        self.app = App(loaded=loaded, store=store)
        if self.redacting is not None:
            self.redacting.urls = list(loaded.channel_urls.values())
        log.info("config reloaded from %s; it applies from the next tick", self.config_path)
        systemd.notify("READY=1")

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        """SIGHUP reloads; the first SIGTERM/SIGINT stops warm, the second cold."""
        if signum == signal.SIGHUP:
            threading.Thread(target=self.reload, daemon=True).start()
            return
        self.signals += 1
        if self.signals > 1:
            log.warning("second signal: exiting now")
            os._exit(1)
        log.info("stopping after the message in progress (send the signal again to stop at once)")
        systemd.notify("STOPPING=1")
        self.stop_requested.set()
        self._shutdown = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True})
        self._shutdown.start()

    def schedule(self) -> None:
        """The internal jobs: the tick, the digest-time tick, the nightly full sync, the watchdog."""
        options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        # no one-shot jobs: APScheduler removes a finished one from its main loop, which races
        # with a shutdown from a signal; the interval job simply runs first at once
        self.scheduler.add_job(
            self.run_tick,
            "interval",
            seconds=self.real_interval(),
            id="tick",
            next_run_time=clock.wall_clock(),
            **options,
        )
        if clock.simulation_speed() == 1.0 and not clock.stepped():
            hour, minute = (int(part) for part in self.app.loaded.config.notify.digest_time.split(":"))
            self.scheduler.add_job(self.run_tick, "cron", hour=hour, minute=minute, id="digest", **options)
            self.scheduler.add_job(
                self.run_tick, "cron", hour=1, minute=7, kwargs={"force_sync": True}, id="nightly", **options
            )
        period = systemd.watchdog_seconds()
        if period:
            self.scheduler.add_job(self.watchdog, "interval", seconds=period / 2, id="watchdog", **options)

    def run(self) -> int:
        """Serve until stopped; returns the exit code."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self.handle)
        self.schedule()
        log.info(
            "zhibu started: a tick every %s, store %s, pid %d",
            format_duration(self.tick_interval),
            self.app.store.display_url,
            os.getpid(),
        )
        systemd.notify("READY=1", "STATUS=starting")
        self.scheduler.start()
        if self._shutdown is not None:
            self._shutdown.join()
        log.info("zhibu stopped")
        return 0
