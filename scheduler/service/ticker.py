"""One tick in a process of its own: what ``zhibu run`` starts for every tick, and for every
config reload (to validate the new file before the service takes it).

The service keeps no data between ticks (:mod:`scheduler.service.daemon`). Each tick's process parses
the config text the service hands it, opens the store, runs :func:`scheduler.engine.tick.tick`, reports
and exits, so what a tick allocates — a city's first sync, a morning of digests — goes back to
the system when it ends, and a tick that crashes, or is killed for memory, fails alone.

The conversation is two JSON lines: the service writes an :class:`Order` on the child's stdin
and keeps stdin open; the child writes its result on the file descriptor ``--report-fd`` names.
Should the service die, the child's stdin reaches its end and the child exits at once, as the
whole service would have (a crash loses nothing: the tick's work is one transaction, and
delivery claims each message before sending it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from scheduler.service.logs import LOGGER, Redacting, setup
from workflows.i18n import Lang

if TYPE_CHECKING:
    from workflows.config.load import LoadedConfig

log = logging.getLogger(LOGGER)
EXIT_ORPHANED = 70  # the service went away mid-tick


@dataclass(frozen=True)
class Order:
    """What the service asks of one child."""

    mode: Literal["tick", "check"]
    config_path: str
    config_text: str
    db_url: str | None = None
    lang: str | None = None
    log_format: str = "text"
    now: str = ""  # ISO instant of the tick, read from the service's clock when the timer fired
    nightly: bool = False  # the nightly re-derive, when anything it depends on changed
    agenda: bool = False  # print the first tick's agenda on stdout

    def to_line(self) -> bytes:
        """The order as one JSON line."""
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass
class Outcome:
    """How one child's order went: its JSON result, or why there was none."""

    ok: bool
    result: dict[str, Any]
    error: str | None = None

    @classmethod
    def of(cls, data: bytes, code: int, overran_budget: float | None) -> Outcome:
        """The outcome from what the child reported, its exit code, and the budget it overran."""
        if overran_budget is not None:
            return cls(False, {}, f"it ran past its budget of {overran_budget:.0f} s and was killed")
        try:
            result = json.loads(data)
        except ValueError:
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            return cls(False, {}, f"its process ended with {how} before reporting")
        return cls(bool(result.get("ok")), result, result.get("error"))


def cpu_seconds() -> float:
    """The CPU this process has used so far, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    """This process's peak resident size in MB (Linux reports kilobytes). A tick forked from the
    warm worker counts the worker's pages it maps too: see :func:`own_mb`."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def own_mb() -> float:
    """The memory this process holds that no other process shares, in MB (its private pages, from
    ``/proc/self/smaps_rollup``): for a tick forked from the warm worker, what the tick added to
    the worker's; for a cold tick, about its resident size. 0 where the kernel does not say."""
    try:
        lines = Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines()
    except OSError:
        return 0.0
    private = (line.split() for line in lines if line.startswith(("Private_Clean:", "Private_Dirty:")))
    return sum(int(fields[1]) for fields in private) / 1024


def _tick(
    order: Order,
    stop: threading.Event,
    redacting: Redacting,
    started: datetime,
    loaded: LoadedConfig | None,
    reused: bool,
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from scheduler import clock
    from scheduler.app import App, parse_checked, store_url
    from scheduler.engine.outbox import QUEUED
    from scheduler.engine.tick import tick
    from scheduler.store import chain
    from scheduler.store.engine import open_store
    from scheduler.store.models import OutboxRow

    now = datetime.fromisoformat(order.now)
    clock.set_now(now)  # the instant the timer fired, however long this process took to start
    loaded = loaded or parse_checked(order.config_text, Path(order.config_path))
    redacting.urls = list(loaded.channel_urls.values())
    lang = cast(Lang | None, order.lang)
    app = App(loaded=loaded, store=open_store(store_url(loaded, order.db_url)))
    try:
        if clock.simulated_by_env():  # the timer's own instant is pinned, and is the real time
            app.store.require_simulation(clock.CLOCK_ENV)
        report = tick(app, now, nightly=order.nightly, lang=lang, should_stop=stop.is_set)
        log.info(
            "tick %s: %d created, %d overdue, %d notices, %d messages queued, %d sent, %d to retry, %d failed"
            " (%.1f s, CPU %.1f s, peak %.0f MB, own %.0f MB, config %s)",
            now.astimezone(app.zone).strftime("%Y-%m-%d %H:%M"),
            report.sync.created,
            report.sweep.count("overdue"),
            report.fired.notices,
            report.digests.messages + report.urgent,
            report.delivery.sent,
            report.delivery.retried,
            report.delivery.failed,
            (clock.wall_clock() - started).total_seconds(),
            cpu_seconds(),
            peak_mb(),
            own_mb(),
            "reused" if reused else "read",
        )
        if order.agenda:
            from scheduler.engine.summary import tick_summary

            for line in tick_summary(app, report, lang or loaded.config.org.locale, agenda=True):
                print(line)
            sys.stdout.flush()
        with app.store.reading() as session:
            log.info("history heads: %s", chain.head_line(chain.heads(session)))
            queued = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == QUEUED))
    finally:
        app.store.close()
    return {"ok": True, "queued": queued or 0, "peak_mb": round(peak_mb(), 1)}


def _check(order: Order) -> dict[str, Any]:
    from scheduler.app import parse_checked

    parse_checked(order.config_text, Path(order.config_path))  # raises ConfigError with every issue
    return {"ok": True}


def carry_out(
    order: Order,
    stop: threading.Event,
    redacting: Redacting,
    started: datetime,
    loaded: LoadedConfig | None = None,
    *,
    reused: bool = False,
) -> dict[str, Any]:
    """Do what ``order`` asks (with the config already parsed, from a warm worker, or parsing its
    text) and say how it went; an error is reported, never raised."""
    from workflows.errors import ZhibuError

    try:
        return _tick(order, stop, redacting, started, loaded, reused) if order.mode == "tick" else _check(order)
    except ZhibuError as error:
        detail, trace = error.message("en"), False
    except Exception as error:  # the service must outlive a bad tick; this one is reported
        detail, trace = repr(error), True
    if order.mode == "tick":
        log.error("tick at %s failed: %s", order.now, detail, exc_info=trace)
    return {"ok": False, "error": detail}


def _exit_when_orphaned() -> None:
    """Block on stdin; its end means the service is gone, and this tick goes with it. (Raw
    reads: a thread blocked inside a buffered reader would hold its lock at interpreter exit.)"""
    while os.read(0, 4096):
        pass
    os._exit(EXIT_ORPHANED)


def main(argv: Sequence[str] | None = None) -> int:
    """Read one order, carry it out, write the result, exit 0 if it went well."""
    from scheduler import clock

    started = clock.wall_clock()  # the tick's line says how long its process took, start-up included
    parser = argparse.ArgumentParser(prog="python -m scheduler.service.ticker", description=__doc__)
    parser.add_argument("--report-fd", type=int, required=True)
    args = parser.parse_args(argv)
    order = Order(**json.loads(sys.stdin.buffer.readline()))
    threading.Thread(target=_exit_when_orphaned, daemon=True).start()
    stop = threading.Event()
    # The service decides how to stop: it forwards its first SIGTERM here (finish the message
    # in progress, then end) and kills this process on the second. Ctrl+C in a terminal reaches
    # the service only; systemd's SIGTERM to the whole unit means the same as the service's.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    redacting = setup(order.log_format)
    result = carry_out(order, stop, redacting, started)
    with os.fdopen(args.report_fd, "w", encoding="utf-8") as report:
        report.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
