"""When messages may be delivered: outside quiet hours, and on working days (pure).

Quiet hours such as ``21:00-08:00`` wrap midnight. Rest days are weekends and official holidays
from the one calendar module, with 调休 workdays counting as working; nobody hears from zhibu
on the first day of the Spring Festival. Urgent messages ignore both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflows.calendar import WorkCalendar


def parse_quiet_hours(text: str | None) -> tuple[time, time] | None:
    """``"21:00-08:00"`` → (21:00, 08:00); empty → None."""
    if not text:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    return start, end


@dataclass(frozen=True)
class DeliveryWindow:
    """The times at which a recipient may be sent non-urgent messages."""

    zone: ZoneInfo
    workdays: WorkCalendar
    quiet: tuple[time, time] | None = (time(21), time(8))
    rest_days: bool = True

    def in_quiet_hours(self, local: datetime) -> bool:
        """Whether the local wall-clock time is inside the quiet hours."""
        if self.quiet is None:
            return False
        start, end = self.quiet
        moment = local.time()
        if start <= end:
            return start <= moment < end
        return moment >= start or moment < end

    def allows(self, instant: datetime) -> bool:
        """Whether a non-urgent message may be delivered at ``instant``."""
        local = instant.astimezone(self.zone)
        if self.rest_days and not self.workdays.is_working_day(local.date()):
            return False
        return not self.in_quiet_hours(local)

    def next_allowed(self, instant: datetime) -> datetime:
        """The first instant at or after ``instant`` when delivery is allowed."""
        candidate = instant
        for _ in range(400):  # a year of rest days at most
            if self.allows(candidate):
                return candidate
            local = candidate.astimezone(self.zone)
            if self.rest_days and not self.workdays.is_working_day(local.date()):
                opening = self.quiet[1] if self.quiet else time(0)
                next_day = datetime.combine(local.date() + timedelta(days=1), opening, tzinfo=self.zone)
                candidate = next_day.astimezone(UTC)
                continue
            assert self.quiet is not None
            end = datetime.combine(local.date(), self.quiet[1], tzinfo=self.zone)
            if end <= local:
                end += timedelta(days=1)
            candidate = end.astimezone(UTC)
        return candidate
