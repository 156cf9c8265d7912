"""When a task's reminders fire (pure): the rule's plan before the deadline and its escalation
ladder after it, counted in working days on the org's calendar.

A step says when, whom (as recipient references such as ``owner`` or ``role:secretary@parent``)
and whether it escalates (``zhibu ack`` stops those). The steps of one rule in one period are
the same for all its tasks, so they are computed once per period and stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflows.calendar import RestDayPolicy, WorkCalendar, local_midnight
from workflows.durations import format_duration, parse_duration
from workflows.periods import add_months


@dataclass(frozen=True)
class Rung:
    """One rung of an escalation ladder: ``after`` working days past the deadline, tell ``to``."""

    after: int
    to: tuple[str, ...]
    repeat_every: int | None = None
    max_repeats: int = 0
    after_months: int | None = None


@dataclass(frozen=True)
class ReminderStep:
    """One moment at which recipients hear about a task."""

    at: datetime
    name: str
    to: tuple[str, ...]
    escalation: bool

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for the schedule table."""
        return {"at": self.at.isoformat(), "name": self.name, "to": list(self.to), "escalation": self.escalation}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReminderStep:
        """Read a step back from the schedule table."""
        return cls(datetime.fromisoformat(data["at"]), data["name"], tuple(data["to"]), bool(data["escalation"]))


def working_day_after(day: date, count: int, workdays: WorkCalendar) -> date:
    """The ``count``-th working day after ``day`` (``count`` 0 is ``day`` itself)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if workdays.is_working_day(current):
            remaining -= 1
    return current


def reminder_schedule(
    opens_at: datetime,
    due_at: datetime,
    due_on: date,
    remind: tuple[str, ...],
    ladder: tuple[Rung, ...],
    workdays: WorkCalendar,
    zone: ZoneInfo,
) -> list[ReminderStep]:
    """Every reminder step of a task, sorted by time.

    ``remind`` holds ``open`` (when the task opens), ``due`` (the start of the due day) and
    durations before the due day (``1d``: the day before); a reminder that would come before
    the task opens is dropped, since the opening one covers it.
    """
    steps: list[ReminderStep] = []
    for item in remind:
        if item == "open":
            steps.append(ReminderStep(opens_at, "open", ("owner",), False))
        elif item == "due":
            steps.append(ReminderStep(max(opens_at, local_midnight(due_on, zone)), "due", ("owner",), False))
        else:
            before = parse_duration(item) or timedelta(0)
            at = local_midnight(due_on, zone) - before  # "1d": the day before the due date
            if at > opens_at:
                steps.append(ReminderStep(at, f"before:{format_duration(before)}", ("owner",), False))
    for index, rung in enumerate(ladder, start=1):
        if rung.after_months:
            day = workdays.adjust(add_months(due_on, rung.after_months), RestDayPolicy.NEXT)
        else:
            day = working_day_after(due_on, rung.after, workdays)
        steps.append(ReminderStep(local_midnight(day, zone), f"escalate:{index}", rung.to, True))
        for repeat in range(1, rung.max_repeats + 1 if rung.repeat_every else 1):
            day = working_day_after(day, rung.repeat_every or 0, workdays)
            steps.append(ReminderStep(local_midnight(day, zone), f"escalate:{index}:{repeat}", rung.to, True))
    steps.sort(key=lambda step: (step.at, step.name))
    return steps
