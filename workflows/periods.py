"""Calendar periods (week, month, quarter, half year, year) and their keys.

Periods are ranges of *local* dates in the org's zone; turning them into UTC instants is the
job of :mod:`workflows.calendar`. Keys are what people read and type:
``2026-W05``, ``2026-11``, ``2026Q1``, ``2026H1``, ``2026``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from workflows.errors import UsageError


class PeriodKind(StrEnum):
    """How often a periodic obligation recurs."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


MONTHS_IN: dict[PeriodKind, int] = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF: 6,
    PeriodKind.YEAR: 12,
}

PERIOD_NAMES_ZH: dict[PeriodKind, str] = {
    PeriodKind.WEEK: "周",
    PeriodKind.MONTH: "月",
    PeriodKind.QUARTER: "季度",
    PeriodKind.HALF: "半年",
    PeriodKind.YEAR: "年",
}


@dataclass(frozen=True, order=True)
class Period:
    """A half-open range of local dates ``[start, end)`` with its human key."""

    start: date
    end: date
    kind: PeriodKind
    key: str

    @property
    def last_day(self) -> date:
        """The last date inside the period."""
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the period."""
        return self.start <= day < self.end

    def next(self) -> Period:
        """The period right after this one."""
        return period_containing(self.kind, self.end)


@lru_cache(maxsize=4_096)
def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months: the same day of the month, or that month's last day when
    it is shorter (31 January + 1 month is 28 or 29 February). Cached: a rule's occurrences ask
    the same few dates again for every unit and person."""
    result: date = day + relativedelta(months=months)
    return result


def _key(kind: PeriodKind, start: date) -> str:
    if kind is PeriodKind.WEEK:
        iso_year, iso_week, _ = start.isocalendar()
        return f"{iso_year}-W{iso_week:02d}"
    if kind is PeriodKind.MONTH:
        return f"{start.year}-{start.month:02d}"
    if kind is PeriodKind.QUARTER:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if kind is PeriodKind.HALF:
        return f"{start.year}H{(start.month - 1) // 6 + 1}"
    return f"{start.year}"


@lru_cache(maxsize=4_096)
def period_containing(kind: PeriodKind, day: date) -> Period:
    """The period of ``kind`` that contains the local date ``day``; weeks start on Monday
    (cached, as :func:`add_months`; a period is immutable)."""
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    else:
        months = MONTHS_IN[kind]
        first_month = (day.month - 1) // months * months + 1
        start = date(day.year, first_month, 1)
        end = add_months(start, months)
    return Period(start=start, end=end, kind=kind, key=_key(kind, start))


def periods_overlapping(kind: PeriodKind, first: date, last: date) -> Iterator[Period]:
    """Every period of ``kind`` that contains at least one day of ``[first, last]``."""
    period = period_containing(kind, first)
    while period.start <= last:
        yield period
        period = period.next()


_KEY_PATTERNS: list[tuple[re.Pattern[str], PeriodKind]] = [
    (re.compile(r"^(\d{4})-W(\d{2})$"), PeriodKind.WEEK),
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})H([12])$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
]


def parse_period_key(text: str) -> Period:
    """Parse ``2026``, ``2026H1``, ``2026Q1``, ``2026-03`` or ``2026-W05`` (case-insensitive)."""
    value = text.strip().upper()
    for pattern, kind in _KEY_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year, number = int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1
        try:
            if kind is PeriodKind.WEEK:
                return period_containing(kind, date.fromisocalendar(year, number, 1))
            if kind is PeriodKind.YEAR:
                return period_containing(kind, date(year, 1, 1))
            months = MONTHS_IN[kind]
            if kind is PeriodKind.MONTH and not 1 <= number <= 12:
                break
            return period_containing(kind, date(year, (number - 1) * months + 1, 1))
        except ValueError:
            break
    raise UsageError("time.bad_period", value=text)
