"""``zhibu run``: the service. It holds no data: APScheduler is only its timer — a tick every few
minutes, one at the digest time, a nightly full sync — and each tick runs in a process of its
own, forked by the warm worker (:mod:`scheduler.service.warm`, which keeps the config parsed) or,
without one, started fresh (:mod:`scheduler.service.ticker`): it opens the store, does the work
and exits.

So the service waits between ticks at the size of an interpreter with APScheduler imported,
whatever the size of the organization; a year of ticks leaves nothing behind in it; and a tick
that fails, even one the kernel kills for memory, fails alone while the next one tries again.
This module imports nothing heavy (no SQLAlchemy, pydantic or apprise): ``zhibu run`` validates
the config, then replaces itself with ``python -m scheduler.service.daemon`` (same pid, for systemd).

Signals: the first SIGTERM or SIGINT lets the message being sent finish and exits 0 (warm); a
second exits at once (cold). SIGHUP reloads the config: a child validates it first, and an
invalid one is reported while the old one keeps running — each tick is handed the config text
last accepted, so an edit applies from ``systemctl reload`` on (roster files are read at every
tick). Under systemd it reports READY, a STATUS line and WATCHDOG pings through the notify socket.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal

from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler import clock
from scheduler.service import systemd
from scheduler.service.listener import Listener, worker_command
from scheduler.service.logs import LOGGER, setup
from scheduler.service.ticker import Order, Outcome
from scheduler.service.warm import WarmWorker
from workflows.durations import format_duration

if TYPE_CHECKING:
    from workflows.config.load import LoadedConfig

log = logging.getLogger(LOGGER)
MIN_REAL_INTERVAL = 0.5  # seconds between ticks at the fastest, whatever the simulated clock


@dataclass(frozen=True)
class Settings:
    """What the service itself needs from the config: its timer and what it logs."""

    tick_interval: float  # simulated seconds
    digest_time: str  # HH:MM in the org's zone
    timezone: str
    store: str  # the store URL without secrets, for the log
    tick_budget: float = 240.0  # real seconds a tick's process may run before it is killed
    socket: str = ""  # the Unix socket operators send commands through ("" none)
    socket_group: str = "zhibu"
    web: str = ""  # the task page's address ("" none): served by a process of its own

    @classmethod
    def of(cls, loaded: LoadedConfig, db_url: str | None) -> Settings:
        """Read from a validated config (by ``zhibu run``, before it becomes the service)."""
        from scheduler.app import store_url
        from scheduler.store.engine import redact_url

        config = loaded.config
        return cls(
            tick_interval=config.daemon.tick_interval.total_seconds(),
            digest_time=config.notify.digest_time,
            timezone=config.org.timezone,
            store=redact_url(store_url(loaded, db_url)),
            tick_budget=config.daemon.tick_budget.total_seconds(),
            socket=str((loaded.directory / config.daemon.socket).resolve()) if config.daemon.socket else "",
            socket_group=config.daemon.socket_group,
            web=config.web.listen,
        )


def run_child(
    order: Order, started: list[subprocess.Popen[bytes]] | None = None, budget: float | None = None
) -> Outcome:
    """Run ``order`` in a fresh ``python -m scheduler.service.ticker`` and wait for its result. The
    child is appended to ``started`` while it runs (so a signal can reach it); past ``budget``
    seconds it is killed and the order fails."""
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "scheduler.service.ticker", "--report-fd", str(write_end)],
            stdin=subprocess.PIPE,
            pass_fds=(write_end,),
            start_new_session=True,  # Ctrl+C reaches the service, which decides for its child
        )
    finally:
        os.close(write_end)
    if started is not None:
        started.append(child)
    assert child.stdin is not None
    overran = threading.Event()
    if budget is not None:

        def kill_when_late() -> None:
            try:
                child.wait(timeout=budget)
            except subprocess.TimeoutExpired:
                overran.set()
                child.kill()

        threading.Thread(target=kill_when_late, daemon=True).start()
    with os.fdopen(read_end, "rb") as report:
        try:
            child.stdin.write(order.to_line())
            child.stdin.flush()
        except OSError:
            pass  # it died at once; its exit code says how
        data = report.read()
    code = child.wait()
    child.stdin.close()  # only now: the child takes the end of its stdin for the service's death
    if started is not None:
        started.remove(child)
    return Outcome.of(data, code, budget if overran.is_set() else None)


@dataclass
class Daemon:
    """One running service: the config it serves, its timer, and how it stops."""

    config_path: Path
    config_text: str
    settings: Settings
    db_url: str | None = None
    lang: str | None = None
    interval: timedelta | None = None
    log_format: str = "text"
    stop_requested: threading.Event = field(default_factory=threading.Event)
    last_tick: datetime | None = None
    last_error: str | None = None
    signals: int = 0
    agenda_pending: bool = True  # the first tick prints the agenda on stdout
    last_finished: float | None = None  # monotonic time the last tick finished well

    def __post_init__(self) -> None:
        self.scheduler = BlockingScheduler(timezone=self.settings.timezone)
        self.children: list[Any] = []  # tick processes running: spawned (Popen) or forked by the warm worker
        self.warm = WarmWorker()
        self._one_tick_at_a_time = threading.Lock()
        self._shutdown: threading.Thread | None = None
        self.listener: Listener | None = None
        self.web_process: subprocess.Popen[bytes] | None = None
        if self.settings.socket:
            command = worker_command(self.config_path)
            self.listener = Listener(Path(self.settings.socket), self.settings.socket_group, command, dict(os.environ))

    @property
    def tick_interval(self) -> timedelta:
        """Simulated time between ticks (``--interval`` or ``[daemon] tick_interval``)."""
        return self.interval or timedelta(seconds=self.settings.tick_interval)

    def real_interval(self) -> float:
        """Real seconds between ticks: the interval divided by the simulated clock's speed (as
        often as allowed on a stepped clock: a tick whose time has not moved finds nothing to do)."""
        if clock.stepped():
            return MIN_REAL_INTERVAL
        return max(MIN_REAL_INTERVAL, self.tick_interval.total_seconds() / clock.simulation_speed())

    def order(self, mode: Literal["tick", "check"], text: str, **fields: Any) -> Order:
        """An order for a child, carrying this service's options."""
        return Order(
            mode=mode,
            config_path=str(self.config_path),
            config_text=text,
            db_url=self.db_url,
            lang=self.lang,
            log_format=self.log_format,
            **fields,
        )

    def run_tick(self, *, nightly: bool = False) -> Outcome | None:
        """One tick in a child; a failure is logged and reported, and the next tick tries again."""
        with self._one_tick_at_a_time:  # the timer's jobs may fire together; ticks run in turn
            if self.stop_requested.is_set():
                return None
            now = clock.now()
            order = self.order(
                "tick", self.config_text, now=now.isoformat(), nightly=nightly, agenda=self.agenda_pending
            )
            outcome = self.warm.run(order, self.children, self.settings.tick_budget)
            if outcome is None:  # no warm worker (it died, or is starting again): a fresh process
                outcome = run_child(order, self.children, self.settings.tick_budget)
                if not self.stop_requested.is_set():
                    log.warning("the warm worker was not available; starting it again")
                    self.warm.close()
                    self.warm = WarmWorker()
                    self.warm.start()
        if not outcome.ok:
            self.last_error = outcome.error or "unknown error"
            if "error" not in outcome.result:  # the child could not say so itself
                log.error("tick at %s failed: %s", now.isoformat(), self.last_error)
            systemd.notify(f"STATUS=tick failed: {self.last_error[:200]}")
            return outcome
        self.last_tick, self.last_error, self.agenda_pending = now, None, False
        self.last_finished = time.monotonic()
        self.report_status(int(outcome.result.get("queued", 0)))
        systemd.notify("WATCHDOG=1")
        return outcome

    def report_status(self, queued: int) -> None:
        """STATUS for ``systemctl status``: the next tick and the queue depth. (It must not ask
        the scheduler: a job that takes the scheduler's locks deadlocks a shutdown that waits
        for that job.)"""
        upcoming = (self.last_tick or clock.now()) + self.tick_interval
        when = upcoming.astimezone(self.scheduler.timezone).strftime("%Y-%m-%d %H:%M")
        systemd.notify(f"STATUS=next tick at {when}, {queued} queued")

    def watchdog(self) -> None:
        """Ping the watchdog only while ticks finish: a tick that succeeded within the last two
        intervals (plus its budget) keeps it fed; a service whose ticks hang or fail is restarted."""
        fresh = self.last_finished is not None and (
            time.monotonic() - self.last_finished < 2 * self.real_interval() + self.settings.tick_budget
        )
        if fresh and self.last_error is None:
            systemd.notify("WATCHDOG=1")

    def reload(self) -> None:
        """Re-read the config and have a child validate it; keep the old one when it is invalid."""
        systemd.notify("RELOADING=1")
        try:
            text = self.config_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            outcome = Outcome(False, {}, f"{self.config_path}: {error}")
        else:
            outcome = run_child(self.order("check", text))
        if not outcome.ok:
            detail = (outcome.error or "unknown error").replace("\n", "; ")
            log.error("config reload refused, still running the previous config: %s", detail)
            systemd.notify("READY=1", "STATUS=config reload refused; previous config kept")
            return
        # the timer keeps its jobs as they were started (interval, digest time, zone): a change
        # to those needs a restart, as it always did; the tick's work follows the new text
        self.config_text = text
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
            for child in list(self.children):
                child.kill()
            os._exit(1)
        log.info("stopping after the message in progress (send the signal again to stop at once)")
        systemd.notify("STOPPING=1")
        self.stop_requested.set()
        if self.listener is not None:
            self.listener.stop()
        if self.web_process is not None:
            self.web_process.terminate()
        for child in list(self.children):
            child.send_signal(signal.SIGTERM)  # it finishes the message in progress, then ends
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
            hour, minute = (int(part) for part in self.settings.digest_time.split(":"))
            self.scheduler.add_job(self.run_tick, "cron", hour=hour, minute=minute, id="digest", **options)
            self.scheduler.add_job(
                self.run_tick, "cron", hour=1, minute=7, kwargs={"nightly": True}, id="nightly", **options
            )
        period = systemd.watchdog_seconds()
        if period:
            self.scheduler.add_job(self.watchdog, "interval", seconds=period / 2, id="watchdog", **options)

    def start_web(self) -> None:
        """The task page in a process of its own: if it fails, the timer goes on."""
        command = [sys.executable, "-m", "scheduler.service.web", "--config", str(self.config_path)]
        self.web_process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        log.info("task page at %s (pid %d)", self.settings.web, self.web_process.pid)

    def run(self) -> int:
        """Serve until stopped; returns the exit code."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self.handle)
        self.schedule()
        log.info(
            "zhibu started: a tick every %s, store %s, pid %d",
            format_duration(self.tick_interval),
            self.settings.store,
            os.getpid(),
        )
        if self.listener is not None:
            self.listener.start()
        if self.settings.web:
            self.start_web()
        systemd.notify("READY=1", "STATUS=starting")
        self.warm.start()
        self.scheduler.start()
        if self._shutdown is not None:
            self._shutdown.join()
        self.warm.close()
        log.info("zhibu stopped")
        return 0


DB_ENV = "ZHIBU_DB"  # where the service and its ticks find ``--db``: never on a command line, which
# anyone on the host may read (a PostgreSQL URL carries its password)


def service_argv(
    config_path: Path,
    settings: Settings,
    *,
    lang: str | None,
    interval: timedelta | None,
    log_format: str,
) -> list[str]:
    """The command line ``zhibu run`` replaces itself with once the config is validated (the
    store URL goes in the environment, as ``DB_ENV``)."""
    argv = [sys.executable, "-m", "scheduler.service.daemon", "--config", str(config_path), "--log-format", log_format]
    argv += ["--settings", json.dumps(asdict(settings), ensure_ascii=False)]
    if lang:
        argv += ["--lang", lang]
    if interval:
        argv += ["--interval", str(interval.total_seconds())]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the config named on the command line (as ``service_argv`` writes it)."""
    parser = argparse.ArgumentParser(
        prog="python -m scheduler.service.daemon", description="zhibu's service; use `zhibu run`."
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--settings", type=json.loads, required=True)
    parser.add_argument("--lang")
    parser.add_argument("--interval", type=float)
    parser.add_argument("--log-format", default="text")
    args = parser.parse_args(argv)
    setup(args.log_format)
    daemon = Daemon(
        config_path=args.config,
        config_text=args.config.read_text(encoding="utf-8-sig"),
        settings=Settings(**args.settings),
        db_url=os.environ.get(DB_ENV) or None,
        lang=args.lang,
        interval=timedelta(seconds=args.interval) if args.interval else None,
        log_format=args.log_format,
    )
    return daemon.run()


if __name__ == "__main__":
    raise SystemExit(main())
