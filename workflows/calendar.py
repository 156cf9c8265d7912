"""Working days and local-time arithmetic: the one calendar module.

Working days follow the official schedule through the ``holidays`` package: its China
calendar knows the State Council's holidays and the 调休 weekend workdays for published years
and computes the lunar holidays for later ones. Reminders (quiet days) use the same module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


class RestDayPolicy(StrEnum):
    """Where a deadline that falls on a rest day goes."""

    KEEP = "keep"
    PREVIOUS = "previous"
    NEXT = "next"


class WorkCalendar:
    """Working days of one country (China by default), including 调休 workdays."""

    def __init__(self, country: str = "CN") -> None:
        self.country = country
        self._holidays = holidays.country_holidays(country)

    def is_working_day(self, day: date) -> bool:
        """True on weekdays that are not holidays and on 调休 weekend workdays."""
        return bool(self._holidays.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        """The official holiday on ``day``, if any."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def adjust(self, day: date, policy: RestDayPolicy) -> date:
        """Move ``day`` off a rest day according to ``policy``."""
        if policy is RestDayPolicy.KEEP:
            return day
        step = timedelta(days=-1 if policy is RestDayPolicy.PREVIOUS else 1)
        while not self.is_working_day(day):
            day += step
        return day


@lru_cache(maxsize=8)
def work_calendar(country: str = "CN") -> WorkCalendar:
    """A shared calendar per country (the holiday tables are built lazily per year)."""
    return WorkCalendar(country)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` ends (24:00), i.e. the next day's midnight."""
    return local_midnight(day + timedelta(days=1), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The local date in ``zone`` of an aware instant."""
    return instant.astimezone(zone).date()
