"""One member's year: dues paid and owed, talks, volunteer hours (zhibu report --person)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.reports.build import LATE, MISSING, ON_TIME, PENDING, Record, Span, build_report
from scheduler.store.models import PersonRow, TaskRow
from scheduler.store.states import DONE, DONE_KIND, RETIRED, WAIVED
from workflows.dues import dues_for_period, monthly_dues
from workflows.errors import NotFoundError


@dataclass
class PersonView:
    """What one member owes and has done in a period."""

    person_id: str
    name: str
    unit_id: str
    status: str
    dues_monthly: Decimal | None
    dues_paid: Decimal
    dues_owed: Decimal
    dues_missing: list[str]
    talks_held: list[str]
    talks_missing: list[str]
    volunteering_hours: Decimal
    volunteering_done: int
    next_dates: list[tuple[str, date]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "person": self.person_id,
            "name": self.name,
            "unit": self.unit_id,
            "status": self.status,
            "dues_monthly": str(self.dues_monthly) if self.dues_monthly is not None else None,
            "dues_paid": str(self.dues_paid),
            "dues_owed": str(self.dues_owed),
            "dues_missing": self.dues_missing,
            "talks_held": self.talks_held,
            "talks_missing": self.talks_missing,
            "volunteering_hours": str(self.volunteering_hours),
            "volunteering_done": self.volunteering_done,
            "next": [{"task": key, "due_on": day.isoformat()} for key, day in self.next_dates],
        }


_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:小时|h\b|hours?)", re.IGNORECASE)


def _hours(record: Record) -> Decimal:
    match = _HOURS.search(record.note)
    return Decimal(match.group(1)) if match else Decimal(0)


def person_view(session: Session, app: App, span: Span, person_id: str, *, today: date) -> PersonView:
    """Dues paid and owed, talks held and missing, volunteering hours and the next dates of one
    person (by id or name) in ``span``."""
    person = (
        session.get(PersonRow, person_id)
        or session.scalars(select(PersonRow).where(PersonRow.name == person_id)).first()
    )
    if person is None:
        choices = session.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(10)).all()
        raise NotFoundError("report.unknown_person", person=person_id, choices="、".join(choices))
    report = build_report(session, app, span, today=today)
    rules = app.rules_by_id
    own = [line for line in report.lines if line.person_id == person.id]
    pairs = [line for line in report.lines if "+" in line.person_id and person.id in line.person_id.split("+")]
    dues = [line for line in own if (rule := rules.get(line.rule_id)) is not None and rule.collects_dues]
    paid = sum((r.amount or Decimal(0) for line in dues for r in line.records if r.kind == DONE_KIND), Decimal(0))
    monthly = monthly_dues(person.dues_base, retired=person.retired, fixed=person.dues_fixed)
    missing_dues = [line for line in dues if line.outcome == MISSING]
    owed = Decimal(0)
    if monthly is not None:
        for line in missing_dues:
            owed += dues_for_period(monthly, rules[line.rule_id].every.value)
    volunteering = [line for line in own if line.rule_id == "volunteering"]
    upcoming = session.execute(
        select(TaskRow.key, TaskRow.due_on)
        .where(TaskRow.person_id == person.id, TaskRow.state.notin_([DONE, WAIVED, RETIRED]), TaskRow.due_on >= today)
        .order_by(TaskRow.due_on)
        .limit(5)
    ).all()
    return PersonView(
        person_id=person.id,
        name=person.name,
        unit_id=person.unit_id,
        status=person.status,
        dues_monthly=monthly,
        dues_paid=paid,
        dues_owed=owed,
        dues_missing=[line.key for line in missing_dues],
        talks_held=[line.key for line in pairs if line.outcome in (ON_TIME, LATE)],
        talks_missing=[line.key for line in pairs if line.outcome in (MISSING, PENDING)],
        volunteering_hours=sum(
            (_hours(r) for line in volunteering for r in line.records if r.kind == DONE_KIND), Decimal(0)
        ),
        volunteering_done=sum(line.count_done for line in volunteering),
        next_dates=[(key, day) for key, day in upcoming],
    )
