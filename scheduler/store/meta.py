"""The ``meta`` table: small JSON values kept under a key (the last tick, the last sync, the
delivery's paused channels, the nightly re-derive's inputs, the holiday calendar's year tables)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scheduler.store.models import MetaRow
from workflows.calendar import WorkCalendar, YearDays, holidays_version

CALENDAR_META = "calendar"  # + ":" + the country


def read_meta(session: Session, key: str) -> dict[str, Any]:
    """The value kept under ``key`` (a copy), empty when there is none."""
    row = session.get(MetaRow, key)
    return dict(row.value) if row is not None else {}


def write_meta(session: Session, key: str, value: dict[str, Any]) -> None:
    """Keep ``value`` under ``key``, replacing what was there."""
    row = session.get(MetaRow, key)
    if row is None:
        session.add(MetaRow(key=key, value=value))
    else:
        row.value = value


def _kept_years(session: Session, country: str) -> dict[str, Any]:
    kept = read_meta(session, f"{CALENDAR_META}:{country}")
    return dict(kept.get("years") or {}) if kept.get("holidays") == holidays_version() else {}


def recall_calendar(session: Session, calendar: WorkCalendar) -> None:
    """Give ``calendar`` the year tables kept for its country by this version of the holidays
    package (computed by an earlier process), so that it need not import the package."""
    kept = _kept_years(session, calendar.country)
    calendar.learn(
        {int(year): YearDays.from_json(table) for year, table in kept.items() if int(year) not in calendar.years}
    )


def keep_calendar(session: Session, calendar: WorkCalendar) -> None:
    """Keep the year tables ``calendar`` computed, beside those kept before (same package version)."""
    if not calendar.computed:
        return
    years = _kept_years(session, calendar.country) | {
        str(year): calendar.years[year].to_json() for year in calendar.computed
    }
    write_meta(session, f"{CALENDAR_META}:{calendar.country}", {"holidays": holidays_version(), "years": years})
    calendar.computed.clear()
