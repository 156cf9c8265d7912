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
    """Working days of one country (China by default), including 调休 workdays; a year the config
    declares (``[calendar]``) follows the declared days off and workdays alone."""

    def __init__(
        self, country: str = "CN", days_off: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()
    ) -> None:
        self.country = country
        self._holidays = holidays.country_holidays(country)
        self.days_off, self.workdays = days_off, workdays
        self.declared_years = frozenset(day.year for day in days_off | workdays)

    def is_working_day(self, day: date) -> bool:
        """True on weekdays that are not holidays and on 调休 weekend workdays."""
        if day.year in self.declared_years:
            return day in self.workdays or (day.weekday() < 5 and day not in self.days_off)
        return bool(self._holidays.is_working_day(day))

    def is_published(self, year: int) -> bool:
        """Whether ``year``'s official arrangement is known: declared in the config, or in the
        holidays package as the State Council published it (not only computed from the lunar
        calendar). Countries other than China count as known."""
        if year in self.declared_years or self.country != "CN":
            return True
        from holidays.countries.china import ChinaStaticHolidays

        return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})

    def unpublished_next_year(self, today: date) -> int | None:
        """From November, next year when its arrangement is not known yet (zhibu then warns)."""
        year = today.year + 1
        return year if today.month >= 11 and not self.is_published(year) else None

    def holiday_name(self, day: date) -> str | None:
        """The official holiday on ``day``, if any."""
        if day.year in self.declared_years:
            return "放假" if day in self.days_off else None
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


class Anchor(StrEnum):
    """Days of the Chinese calendar an obligation can be anchored on (shape 7)."""

    SPRING_FESTIVAL = "spring_festival"  # 春节, the first day of the lunar year
    NEW_YEAR_EVE = "new_year_eve"  # 除夕
    QINGMING = "qingming"  # 清明
    PARTY_FOUNDING = "party_founding"  # 七一
    NATIONAL_DAY = "national_day"  # 国庆


ANCHOR_ALIASES: dict[str, Anchor] = {a.value: a for a in Anchor} | {
    "春节": Anchor.SPRING_FESTIVAL,
    "除夕": Anchor.NEW_YEAR_EVE,
    "清明": Anchor.QINGMING,
    "七一": Anchor.PARTY_FOUNDING,
    "建党节": Anchor.PARTY_FOUNDING,
    "国庆": Anchor.NATIONAL_DAY,
    "国庆节": Anchor.NATIONAL_DAY,
}


@lru_cache(maxsize=256)
def anchor_date(anchor: Anchor, year: int) -> date:
    """The date of ``anchor`` in ``year``; lunar ones from the holidays package, which computes
    them for years the official schedule does not cover yet."""
    if anchor is Anchor.PARTY_FOUNDING:
        return date(year, 7, 1)
    if anchor is Anchor.NATIONAL_DAY:
        return date(year, 10, 1)
    china = holidays.country_holidays("CN", years=year, language="en_US")
    if anchor is Anchor.QINGMING:
        return min(day for day in china.get_named("Tomb-Sweeping Day") if day.year == year)
    first_day = min(day for day in china.get_named("Spring Festival") if day.year == year)
    return first_day - timedelta(days=1) if anchor is Anchor.NEW_YEAR_EVE else first_day


@lru_cache(maxsize=8)
def work_calendar(
    country: str = "CN", days_off: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()
) -> WorkCalendar:
    """A shared calendar per country and declared days (the holiday tables are built lazily per year)."""
    return WorkCalendar(country, days_off, workdays)


@lru_cache(maxsize=16_384)
def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` ends (24:00), i.e. the next day's midnight."""
    return local_midnight(day + timedelta(days=1), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The local date in ``zone`` of an aware instant."""
    return instant.astimezone(zone).date()
