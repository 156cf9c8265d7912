"""Periods, their keys and their bounds in Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import SHANGHAI
from workflows.calendar import end_of_local_day, local_midnight
from workflows.errors import UsageError
from workflows.periods import PeriodKind, parse_period_key, period_containing, periods_overlapping


def test_quarter_ends_at_beijing_midnight_not_utc() -> None:
    q1 = period_containing(PeriodKind.QUARTER, date(2026, 2, 10))
    assert (q1.key, q1.start, q1.last_day) == ("2026Q1", date(2026, 1, 1), date(2026, 3, 31))
    assert end_of_local_day(q1.last_day, SHANGHAI) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert local_midnight(q1.start, SHANGHAI) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_week_starts_on_monday_with_iso_key() -> None:
    week = period_containing(PeriodKind.WEEK, date(2026, 1, 1))  # a Thursday
    assert week.start == date(2025, 12, 29)
    assert week.start.weekday() == 0
    assert week.key == "2026-W01"
    assert week.next().key == "2026-W02"


@pytest.mark.parametrize(
    ("kind", "day", "key"),
    [
        (PeriodKind.MONTH, date(2026, 11, 24), "2026-11"),
        (PeriodKind.QUARTER, date(2026, 11, 24), "2026Q4"),
        (PeriodKind.HALF, date(2026, 6, 30), "2026H1"),
        (PeriodKind.HALF, date(2026, 7, 1), "2026H2"),
        (PeriodKind.YEAR, date(2026, 12, 31), "2026"),
    ],
)
def test_period_keys_round_trip(kind: PeriodKind, day: date, key: str) -> None:
    period = period_containing(kind, day)
    assert period.key == key
    assert parse_period_key(key) == period
    assert parse_period_key(key.lower()) == period


def test_periods_overlapping_covers_the_range() -> None:
    keys = [p.key for p in periods_overlapping(PeriodKind.MONTH, date(2026, 11, 30), date(2027, 2, 1))]
    assert keys == ["2026-11", "2026-12", "2027-01", "2027-02"]


@pytest.mark.parametrize("bad", ["2026Q5", "2026-13", "26Q1", "2026H3", "2026-W60", "next quarter"])
def test_bad_period_keys_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_period_key(bad)
