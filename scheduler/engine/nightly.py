"""The nightly re-derive, only when something it depends on changed.

Every night the service asks for the whole window to be derived again (``sync --force``): the
safety net for what an ordinary sync cannot see. It runs only when one of its inputs differs from
the last time it ran — the config (its fingerprint covers the rules and the roster files), the
roster imported into the store, the holiday calendar (the holidays package's version and the days
``[calendar]`` declares), the store's schema, or tasks written between two ticks (an event
recorded, a chain's stage opened, a row inserted by hand: the highest task id differs from the one
the last tick left) — and the log says which. Otherwise the night's tick syncs as any other.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.engine.materialize import SYNC_META
from scheduler.store.meta import read_meta, write_meta
from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.models import TaskRow

NIGHTLY_META = "nightly"
MARK_META = "tasks_mark"  # the highest task id when the last tick ended


def _calendar(app: App) -> str:
    from importlib.metadata import version

    declared = app.loaded.config.calendar
    days = (
        ",".join(sorted(str(d) for d in declared.holidays)) + "|" + ",".join(sorted(str(d) for d in declared.workdays))
    )
    return (
        f"holidays {version('holidays')} {app.loaded.config.org.calendar} "
        + hashlib.sha256(days.encode()).hexdigest()[:16]
    )


def _highest_task(session: Session) -> int:
    return int(session.scalar(select(func.max(TaskRow.id))) or 0)


def inputs(session: Session, app: App) -> dict[str, Any]:
    """What a re-derive depends on, as it stands."""
    return {
        "config": app.loaded.fingerprint,
        "roster": int(read_meta(session, SYNC_META).get("roster_version", 0)),
        "calendar": _calendar(app),
        "schema": SCHEMA_HEAD,
    }


def reasons(session: Session, app: App) -> list[str]:
    """Which inputs changed since the last nightly re-derive (all of them the first time); an
    empty list when it need not run."""
    last = read_meta(session, NIGHTLY_META).get("inputs")
    if not last:
        return ["first"]
    now = inputs(session, app)
    changed = [name for name, value in now.items() if last.get(name) != value]
    if _highest_task(session) != int(read_meta(session, MARK_META).get("highest", -1)):
        changed.append("tasks written between ticks")
    return changed


def remember(session: Session, app: App, at: str) -> None:
    """After a re-derive: what it was derived from."""
    write_meta(session, NIGHTLY_META, {"inputs": inputs(session, app), "at": at})


def mark(session: Session) -> None:
    """At the end of every tick: the highest task id, so that tasks written before the next one
    are seen."""
    write_meta(session, MARK_META, {"highest": _highest_task(session)})
