"""The one clock. Everything that needs the time calls :func:`now`; nothing else reads it.

``zhibu tick --now T`` (and every command's ``--now``) sets an override so a whole year can be
simulated from the shell; tests use time-machine, which moves what :func:`now` reads.

A process started by a test can be given a running simulated clock through the environment:
``ZHIBU_CLOCK="2026-03-01T08:00+08:00@1760000000x3600"`` means "at the real Unix time
1760000000 it was 2026-03-01 08:00 in Beijing, and time runs 3600 times faster". It is stateless,
so a daemon killed and restarted carries on along the same simulated timeline.

``ZHIBU_CLOCK="file:/tmp/now"`` is a stepped clock: the time is the instant written in that file
(``2026-03-01T08:00+08:00``), moved by whoever drives the simulation — a benchmark steps a daemon
through a year one day at a time, each tick done before the clock moves on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from workflows.errors import UsageError

_override: datetime | None = None
CLOCK_ENV = "ZHIBU_CLOCK"
_CLOCK = re.compile(r"^(?P<start>[^@]+)@(?P<epoch>[0-9.]+)x(?P<speed>[0-9.]+)$")
_FILE = "file:"


def _simulated(spec: str, real: datetime) -> datetime:
    if spec.startswith(_FILE):
        return _stepped(Path(spec.removeprefix(_FILE)))
    match = _CLOCK.match(spec.strip())
    if not match:
        raise ValueError(f"{CLOCK_ENV} must look like 2026-03-01T08:00+08:00@1760000000x3600")
    start = datetime.fromisoformat(match["start"])
    if start.tzinfo is None:
        raise ValueError(f"{CLOCK_ENV} needs a time zone in its start instant")
    elapsed = real - datetime.fromtimestamp(float(match["epoch"]), UTC)
    return (start + elapsed * float(match["speed"])).astimezone(UTC)


def _stepped(path: Path) -> datetime:
    text = path.read_text(encoding="utf-8").strip()
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{CLOCK_ENV}: {path} must hold an instant with its time zone, not {text!r}")
    return instant.astimezone(UTC)


def stepped() -> bool:
    """Whether the time is read from a file moved by a driver (see the module's docstring)."""
    return os.environ.get(CLOCK_ENV, "").strip().startswith(_FILE)


def simulated_by_env() -> bool:
    """Whether ZHIBU_CLOCK sets the time of this process."""
    return bool(os.environ.get(CLOCK_ENV, "").strip())


def moved() -> bool:
    """Whether time is not the real time: pinned (``--now``) or simulated by ZHIBU_CLOCK. Only a
    simulation store accepts that (:func:`scheduler.store.engine.Store.require_simulation`)."""
    return _override is not None or simulated_by_env()


def now() -> datetime:
    """The current instant, aware, in UTC."""
    if _override is not None:
        return _override
    real = datetime.now(UTC)
    spec = os.environ.get(CLOCK_ENV)
    return _simulated(spec, real) if spec else real


def wall_clock() -> datetime:
    """The real time, never simulated: for the daemon's timer, which runs in real seconds."""
    return datetime.now(UTC)


def simulation_speed() -> float:
    """How many simulated seconds pass per real second (1 unless ZHIBU_CLOCK says otherwise)."""
    match = _CLOCK.match(os.environ.get(CLOCK_ENV, "").strip())
    return float(match["speed"]) if match else 1.0


def set_now(instant: datetime | None) -> None:
    """Pin :func:`now` to ``instant`` (aware), or release it with None."""
    global _override
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the clock takes aware datetimes only")
    _override = instant.astimezone(UTC) if instant is not None else None


@contextmanager
def pinned(instant: datetime) -> Iterator[None]:
    """Pin the clock for the duration of a ``with`` block."""
    previous = _override
    set_now(instant)
    try:
        yield
    finally:
        set_now(previous)


def today(zone: ZoneInfo) -> date:
    """Today's date in ``zone``."""
    return now().astimezone(zone).date()


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """Parse ISO 8601; a date alone means its local midnight, a time without zone is local."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("time.bad_instant", value=text) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


_TYPED_DATE = re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


def parse_date(text: str, today: date | None = None) -> date:
    """A date as secretaries type it: ``2026-04-02``, ``2026/4/2``, ``2026.4.2``, ``2026年4月2日``,
    or ``4月2日`` (in the year of ``today``, when given)."""
    value = text.strip()
    typed = _TYPED_DATE.match(value)
    if typed:
        value = f"{int(typed[1]):04d}-{int(typed[2]):02d}-{int(typed[3]):02d}"
    elif (month_day := _MONTH_DAY.match(value)) and today is not None:
        value = f"{today.year:04d}-{int(month_day[1]):02d}-{int(month_day[2]):02d}"
    if not _DATE_ONLY.match(value):
        raise UsageError("time.bad_date", value=text)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError("time.bad_date", value=text) from None
