"""State changes by time: upcoming → open → due soon → overdue.

Each step selects through an index on (state, instant) and updates only the rows it found, so
a tick costs what changes, not what is stored. Done, waived and retired are set by people
(or by sync) and never by time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from scheduler.store import audit
from scheduler.store.engine import analyze_if_filled
from scheduler.store.lifecycle import change_many
from scheduler.store.models import TaskRow
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE, UPCOMING

BATCH = 2_000  # rows read, moved or written at once: a batch's rows and their statements' parameters (~3 MB)


@dataclass
class SweepReport:
    """What the sweep changed: how many tasks moved into each state."""

    moved: dict[str, int] = field(default_factory=lambda: {OPEN: 0, DUE_SOON: 0, OVERDUE: 0})

    def count(self, state: str) -> int:
        """How many tasks moved into ``state``."""
        return self.moved[state]


# (target state, the states it can come from, the instant that triggers it); latest first so a
# task that slept through several thresholds lands in the right one in a single tick.
_STEPS: list[tuple[str, tuple[str, ...], InstrumentedAttribute[datetime]]] = [
    (OVERDUE, (UPCOMING, OPEN, DUE_SOON), TaskRow.due_at),
    (DUE_SOON, (UPCOMING, OPEN), TaskRow.due_soon_at),
    (OPEN, (UPCOMING,), TaskRow.opens_at),
]


def _any_passed(
    session: Session, sources: tuple[str, ...], instant: InstrumentedAttribute[datetime], now: datetime
) -> bool:
    """Whether a task in one of ``sources`` has ``instant`` passed: each state's earliest, read from
    the (state, instant) index alone. Most ticks find none, and PostgreSQL's planner, which cannot
    tell that the earliest upcoming opening is still ahead (it multiplies the odds of the state and
    of the instant), would read the whole task table to find none: 0.75 s at a province."""
    for state in sources:
        earliest = session.scalar(select(func.min(instant)).where(TaskRow.state == state))
        if earliest is not None and earliest <= now:
            return True
    return False


def sweep(session: Session, now: datetime) -> SweepReport:
    """Move every task whose threshold has passed into its new state, with an audit row each."""
    report = SweepReport()
    for target, sources, instant in _STEPS:
        if not _any_passed(session, sources, instant, now):
            continue
        # ids and states only, a batch at a time: a moved task leaves the step's states, so each
        # query finds the next ones (a month's end at a city's size moves some 60,000 tasks at once,
        # a tick after a month's pause hundreds of thousands: held whole they were 58 MB)
        passed = select(TaskRow.id, TaskRow.state).where(TaskRow.state.in_(sources), instant <= now).limit(BATCH)
        moved = 0
        while found := [(task_id, state) for task_id, state in session.execute(passed)]:
            change_many(session, found, target, now=now, actor=audit.DAEMON, action="state", checked_states=sources)
            moved += len(found)
            if len(found) < BATCH:
                break
        report.moved[target] += moved
        analyze_if_filled(session, TaskRow.__tablename__, moved)  # the next step asks by state too
    return report
