"""Working days and local-time arithmetic: the one calendar module.

Working days follow the official schedule through the ``holidays`` package: its China
calendar knows the State Council's holidays and the 调休 weekend workdays for published years
and computes the lunar holidays for later ones. Reminders (quiet days) use the same module.

A year's table (:class:`YearDays`) is computed once and can be kept (the store keeps it beside
the package's version): a process that is given its tables never imports the package, whose
~300 modules of every country's holidays weigh ~10 MB in each tick.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo


class RestDayPolicy(StrEnum):
    """Where a deadline that falls on a rest day goes."""

    KEEP = "keep"
    PREVIOUS = "previous"
    NEXT = "next"


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


@cache
def holidays_version() -> str:
    """The installed holidays package's version (read from its metadata, not by importing it)."""
    from importlib.metadata import version

    return version("holidays")


@dataclass(frozen=True)
class YearDays:
    """One year of a country's official calendar as the holidays package computes it: its rest
    days (weekends and holidays, less the 调休 weekend workdays), whether the year is published,
    and the Chinese calendar's movable days of that year."""

    rest: frozenset[date]
    published: bool
    spring_festival: date
    qingming: date

    def to_json(self) -> dict[str, Any]:
        """As JSON values (ISO dates)."""
        return {
            "rest": sorted(day.isoformat() for day in self.rest),
            "published": self.published,
            "spring_festival": self.spring_festival.isoformat(),
            "qingming": self.qingming.isoformat(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> YearDays:
        """Back from :meth:`to_json`."""
        return cls(
            rest=frozenset(date.fromisoformat(day) for day in value["rest"]),
            published=bool(value["published"]),
            spring_festival=date.fromisoformat(value["spring_festival"]),
            qingming=date.fromisoformat(value["qingming"]),
        )


def compute_year(country: str, year: int) -> YearDays:
    """``year``'s table for ``country``, from the holidays package (imported here, when a year is
    not known yet). The movable days are China's whatever the country."""
    import holidays

    table = holidays.country_holidays(country, years=year)
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    china = holidays.country_holidays("CN", years=year, language="en_US")
    published = True
    if country == "CN":
        from holidays.countries.china import ChinaStaticHolidays

        published = year in getattr(ChinaStaticHolidays, "special_public_holidays", {})
    return YearDays(
        rest=frozenset(day for day in days if not table.is_working_day(day)),
        published=published,
        spring_festival=min(day for day in china.get_named("Spring Festival") if day.year == year),
        qingming=min(day for day in china.get_named("Tomb-Sweeping Day") if day.year == year),
    )


class WorkCalendar:
    """Working days of one country (China by default), including 调休 workdays; a year the config
    declares (``[calendar]``) follows the declared days off and workdays alone. Each year's table
    is computed when first asked, unless it was given (:meth:`learn`)."""

    def __init__(
        self, country: str = "CN", days_off: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()
    ) -> None:
        self.country = country
        self.days_off, self.workdays = days_off, workdays
        self.declared_years = frozenset(day.year for day in days_off | workdays)
        self.years: dict[int, YearDays] = {}
        self.computed: set[int] = set()  # years computed here, not given: worth keeping

    def learn(self, years: Mapping[int, YearDays]) -> None:
        """Take tables computed before (by this version of the holidays package)."""
        for year, table in years.items():
            self.years.setdefault(year, table)

    def year(self, year: int) -> YearDays:
        """``year``'s table, computed if not known."""
        if year not in self.years:
            self.years[year] = compute_year(self.country, year)
            self.computed.add(year)
        return self.years[year]

    def is_working_day(self, day: date) -> bool:
        """True on weekdays that are not holidays and on 调休 weekend workdays."""
        if day.year in self.declared_years:
            return day in self.workdays or (day.weekday() < 5 and day not in self.days_off)
        return day not in self.year(day.year).rest

    def is_published(self, year: int) -> bool:
        """Whether ``year``'s official arrangement is known: declared in the config, or in the
        holidays package as the State Council published it (not only computed from the lunar
        calendar). Countries other than China count as known."""
        if year in self.declared_years or self.country != "CN":
            return True
        return self.year(year).published

    def unpublished_next_year(self, today: date) -> int | None:
        """From November, next year when its arrangement is not known yet (zhibu then warns)."""
        year = today.year + 1
        return year if today.month >= 11 and not self.is_published(year) else None

    def adjust(self, day: date, policy: RestDayPolicy) -> date:
        """Move ``day`` off a rest day according to ``policy``."""
        if policy is RestDayPolicy.KEEP:
            return day
        step = timedelta(days=-1 if policy is RestDayPolicy.PREVIOUS else 1)
        while not self.is_working_day(day):
            day += step
        return day

    def anchor(self, anchor: Anchor, year: int) -> date:
        """The date of ``anchor`` in ``year``; lunar ones as the holidays package computes them,
        also for years the official schedule does not cover yet."""
        if anchor is Anchor.PARTY_FOUNDING:
            return date(year, 7, 1)
        if anchor is Anchor.NATIONAL_DAY:
            return date(year, 10, 1)
        table = self.year(year)
        if anchor is Anchor.QINGMING:
            return table.qingming
        return table.spring_festival - timedelta(days=1) if anchor is Anchor.NEW_YEAR_EVE else table.spring_festival


@lru_cache(maxsize=8)
def work_calendar(
    country: str = "CN", days_off: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()
) -> WorkCalendar:
    """A shared calendar per country and declared days (the holiday tables are built lazily per year)."""
    return WorkCalendar(country, days_off, workdays)


@lru_cache(maxsize=4_096)
def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` ends (24:00), i.e. the next day's midnight."""
    return local_midnight(day + timedelta(days=1), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The local date in ``zone`` of an aware instant."""
    return instant.astimezone(zone).date()
