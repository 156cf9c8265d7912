"""The rule engine: rules + roster + calendar + a date range → occurrences (pure, no I/O).

An occurrence is one obligation of one unit (and person, for per-person rules) in one period,
with its opening, due-soon and due instants in UTC computed from local dates in the org's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflows.calendar import WorkCalendar, end_of_local_day, local_midnight
from workflows.due_dates import due_date
from workflows.periods import Period, add_months, period_containing, periods_overlapping
from workflows.recipients import first_person
from workflows.reminders import ReminderStep, reminder_schedule
from workflows.roster import Person, Roster, Unit
from workflows.rules import Rule
from workflows.scope import PAIR, people_in_scope, talk_pairs, units_in_scope
from workflows.vocabulary import UnitKind


def task_key(unit_id: str, alias: str, period_key: str, person_id: str = "") -> str:
    """The key people read and type: ``zb1/支委会/2026-11`` or ``zb1/党费/2026Q1/zhang``."""
    key = f"{unit_id}/{alias}/{period_key}"
    return f"{key}/{person_id}" if person_id else key


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One materializable obligation; ``person_id`` is empty unless the rule is per person."""

    rule_id: str
    alias: str
    unit_id: str
    person_id: str
    period_key: str
    period_start: date
    opens_at: datetime
    due_soon_at: datetime
    due_at: datetime
    due_on: date
    count_required: int
    title: str
    assignee_id: str | None
    reminders: tuple[ReminderStep, ...] = ()
    urgent: bool = False
    schedule_key: str = ""

    @property
    def schedule(self) -> str:
        """The key of the stored reminder schedule this occurrence follows."""
        return self.schedule_key or self.period_key

    @property
    def key(self) -> str:
        """The human task key."""
        return task_key(self.unit_id, self.alias, self.period_key, self.person_id)

    @property
    def natural_key(self) -> tuple[str, str, str, str]:
        """What makes an occurrence unique: (rule, unit, person, period)."""
        return (self.rule_id, self.unit_id, self.person_id, self.period_key)


ANCHORED_OPENING = timedelta(days=30)


CHAIN_OPENING = timedelta(days=60)  # a holiday-anchored task opens a month ahead unless told


def build_occurrence(
    rule: Rule,
    roster: Roster,
    zone: ZoneInfo,
    workdays: WorkCalendar,
    *,
    unit_id: str,
    person_id: str,
    period_key: str,
    period_start: date,
    due_on: date,
    opens_at: datetime,
    schedule_key: str = "",
    reminders: tuple[ReminderStep, ...] | None = None,
    title: str | None = None,
    count_required: int | None = None,
    assignee_id: str | None = None,
) -> Occurrence:
    """An occurrence with everything derived from its due day and opening: the deadline (24:00
    local), when it is due soon, its reminder steps (unless shared ones are given) and its owner."""
    due_at = end_of_local_day(due_on, zone)
    if reminders is None:
        reminders = tuple(reminder_schedule(opens_at, due_at, due_on, rule.remind, rule.ladder, workdays, zone))
    return Occurrence(
        rule_id=rule.id,
        alias=rule.alias,
        unit_id=unit_id,
        person_id=person_id,
        period_key=period_key,
        period_start=period_start,
        opens_at=opens_at,
        due_soon_at=max(opens_at, due_at - rule.due_soon),
        due_at=due_at,
        due_on=due_on,
        count_required=count_required or rule.min_per_period,
        title=title or rule.title,
        assignee_id=assignee_id or first_person(rule.owner, roster, unit_id, person_id),
        reminders=reminders,
        urgent=rule.urgent,
        schedule_key=schedule_key,
    )


TERM_YEARS = {UnitKind.COMMITTEE: 5}  # 党委 5 years; 总支 and 支部 3 (基层组织任期意见, 2018)


DEFAULT_TERM_YEARS = 3


RECORD_OPENING = timedelta(days=30)


def record_date_of(rule: Rule, unit: Unit, person: Person | None) -> date | None:
    """The date in the unit's or person's record that ``rule`` counts from."""
    if rule.record_date == "term_start":
        return unit.term_start
    return getattr(person, rule.record_date or "", None) if person is not None else None


def _record_occurrences(
    rule: Rule, roster: Roster, zone: ZoneInfo, workdays: WorkCalendar, first: date, last: date
) -> Iterator[Occurrence]:
    """Shape 4: due ``after_months`` after a date in a record (and every ``after_months`` after
    that when the rule repeats); the period of the due date names the task."""
    if rule.stages:
        yield from _person_chain_entries(rule, roster, zone, workdays, first, last)
        return
    for unit in units_in_scope(rule, roster):
        subjects: list[Person | None] = list(people_in_scope(rule, roster, unit)) if rule.per_person else [None]
        months = rule.after_months or 12 * (unit.term_years or TERM_YEARS.get(unit.kind, DEFAULT_TERM_YEARS))
        for person in subjects:
            base = record_date_of(rule, unit, person)
            if base is None:
                continue
            elapsed = (first.year - base.year) * 12 + first.month - base.month
            step = max(1, elapsed // months - 1) if rule.repeat else 1
            while True:
                nominal = add_months(base, months * step)
                period = period_containing(rule.every, nominal)
                if period.start > last:
                    break
                if period.last_day >= first:
                    yield _record_occurrence(rule, roster, zone, workdays, unit, person, period, nominal)
                if not rule.repeat:
                    break
                step += 1


ENTRY_DATES = {"applicant": "applied_on", "activist": "activist_since", "probationary": "probation_start"}


def _person_chain_entries(
    rule: Rule, roster: Roster, zone: ZoneInfo, workdays: WorkCalendar, first: date, last: date
) -> Iterator[Occurrence]:
    """A person's chain (发展党员) as the roster stands: each person joins at the stage their status
    enters by, counted from the record date of that status plus the stage's minimum interval;
    later stages open as earlier ones are done. Keys: ``zb2/发展党员/确定发展对象/maliang``."""
    entries = {stage.entry: stage for stage in rule.stages if stage.entry}
    for unit in units_in_scope(rule, roster):
        for person in people_in_scope(rule, roster, unit):
            stage = entries.get(person.status.value)
            base = getattr(person, ENTRY_DATES.get(person.status.value, ""), None)
            if stage is None or base is None:
                continue
            start = base + timedelta(days=stage.wait_days)
            due_on = workdays.adjust(start + timedelta(days=stage.within_days), rule.rest_day)
            if start > last or due_on < first:
                continue
            yield build_occurrence(
                rule,
                roster,
                zone,
                workdays,
                unit_id=unit.id,
                person_id=person.id,
                period_key=stage.name,
                period_start=start,
                due_on=due_on,
                opens_at=local_midnight(start, zone),
                assignee_id=first_person(stage.owner, roster, unit.id, person.id),
                title=f"{rule.title}：{stage.name}",
            )


def _record_occurrence(
    rule: Rule,
    roster: Roster,
    zone: ZoneInfo,
    workdays: WorkCalendar,
    unit: Unit,
    person: Person | None,
    period: Period,
    nominal: date,
) -> Occurrence:
    due_on = workdays.adjust(nominal, rule.rest_day)
    opens_at = end_of_local_day(due_on, zone) - (rule.opens_before or RECORD_OPENING)
    person_id = person.id if person else ""
    return build_occurrence(
        rule,
        roster,
        zone,
        workdays,
        unit_id=unit.id,
        person_id=person_id,
        period_key=period.key,
        period_start=period.start,
        due_on=due_on,
        opens_at=opens_at,
        schedule_key=f"{due_on.isoformat()}/{unit.id}/{person_id}",
    )


def event_occurrences(
    rule: Rule,
    roster: Roster,
    zone: ZoneInfo,
    workdays: WorkCalendar,
    person: Person,
    happened_on: date,
    *,
    unit_id: str | None = None,
    tag: str = "",
    due: date | None = None,
    title: str | None = None,
) -> Occurrence:
    """Shape 5: the task an event about ``person`` on ``happened_on`` calls for — in the person's
    branch (a 党小组 member's task belongs to the branch) unless ``unit_id`` says where — due within
    the rule's days or on ``due``. ``tag`` tells apart several events of one day (problems)."""
    unit = roster.units[unit_id or person.unit_id]
    if unit.kind is UnitKind.GROUP and unit.parent_id in roster.units:
        unit = roster.units[unit.parent_id]
    due_on = workdays.adjust(due or happened_on + timedelta(days=rule.within_days), rule.rest_day)
    due_on = max(due_on, happened_on)
    return build_occurrence(
        rule,
        roster,
        zone,
        workdays,
        unit_id=unit.id,
        person_id=person.id,
        period_key=happened_on.isoformat() + tag,
        period_start=happened_on,
        due_on=due_on,
        opens_at=local_midnight(happened_on, zone),
        schedule_key=f"{due_on.isoformat()}/{unit.id}/{person.id}{tag}",
        title=title,
        # evidence first, then the finder's confirmation: two records close it
        count_required=2 if rule.needs_confirmation else None,
    )


def occurrences_of(
    rule: Rule, roster: Roster, zone: ZoneInfo, workdays: WorkCalendar, first: date, last: date
) -> Iterator[Occurrence]:
    """Every occurrence of ``rule`` in periods overlapping the local dates ``[first, last]``
    (none for a rule triggered by events: those come from :func:`event_occurrences`)."""
    if rule.on_events:
        return
    if rule.record_date is not None:
        yield from _record_occurrences(rule, roster, zone, workdays, first, last)
        return
    units = units_in_scope(rule, roster)
    for period in periods_overlapping(rule.every, first, last):
        due_on = due_date(rule, period, workdays)
        due_at = end_of_local_day(due_on, zone)
        opens_at = local_midnight(period.start, zone)
        if rule.stages:  # a chain starts its first stage this long before the period ends
            opens_at = max(opens_at, end_of_local_day(period.last_day, zone) - (rule.opens_before or CHAIN_OPENING))
        elif rule.opens_before is not None or rule.anchor is not None:
            opens_at = max(opens_at, due_at - (rule.opens_before or ANCHORED_OPENING))
        reminders = tuple(reminder_schedule(opens_at, due_at, due_on, rule.remind, rule.ladder, workdays, zone))
        for unit in units:
            if rule.per_pair:
                for talker, member in talk_pairs(roster, unit):
                    yield build_occurrence(
                        rule,
                        roster,
                        zone,
                        workdays,
                        unit_id=unit.id,
                        person_id=f"{talker.id}{PAIR}{member.id}",
                        period_key=period.key,
                        period_start=period.start,
                        due_on=due_on,
                        opens_at=opens_at,
                        reminders=reminders,
                        assignee_id=talker.id,
                    )
                continue
            if rule.stages:
                opening = rule.stages[0]
                yield build_occurrence(
                    rule,
                    roster,
                    zone,
                    workdays,
                    unit_id=unit.id,
                    person_id="",
                    period_key=f"{period.key}/{opening.name}",
                    period_start=period.start,
                    due_on=workdays.adjust(
                        opens_at.astimezone(zone).date() + timedelta(days=opening.within_days), rule.rest_day
                    ),
                    opens_at=opens_at,
                    assignee_id=first_person(opening.owner, roster, unit.id),
                    title=f"{rule.title}：{opening.name}",
                )
                continue
            subjects: list[Person | None] = (
                list(people_in_scope(rule, roster, unit)) if rule.per_person or rule.per_contact else [None]
            )
            for person in subjects:
                yield build_occurrence(
                    rule,
                    roster,
                    zone,
                    workdays,
                    unit_id=unit.id,
                    person_id=person.id if person else "",
                    period_key=period.key,
                    period_start=period.start,
                    due_on=due_on,
                    opens_at=opens_at,
                    reminders=reminders,
                )


def window_end(rule: Rule, today: date, horizon: int) -> date:
    """The last local date to materialize for ``rule``: the end of ``horizon`` periods after
    the one containing ``today`` (horizon 1 = the current and the next period)."""
    period = period_containing(rule.every, today)
    for _ in range(horizon):
        period = period.next()
    return period.last_day


def occurrences(
    rules: Iterable[Rule],
    roster: Roster,
    zone: ZoneInfo,
    workdays: WorkCalendar,
    first: date,
    today: date,
    horizon: int,
) -> list[Occurrence]:
    """Every occurrence of every rule from the period containing ``first`` up to ``horizon``
    periods after the one containing ``today`` (each rule by its own period length)."""
    found: list[Occurrence] = []
    for rule in rules:
        last = window_end(rule, today, horizon)
        found.extend(occurrences_of(rule, roster, zone, workdays, first, last))
    return found


def later_stages(
    rule: Rule, first: Occurrence, roster: Roster, zone: ZoneInfo, workdays: WorkCalendar
) -> Iterator[Occurrence]:
    """The stages of a chain after ``first``, as ``zhibu plan`` estimates them: each opens the day the
    one before is due (plus its minimum interval), as if every stage were done on its last day."""
    prefix, _, name = first.period_key.rpartition("/")
    index = next((i for i, stage in enumerate(rule.stages) if stage.name == name), None)
    if index is None:
        return
    previous_due = first.due_on
    for stage in rule.stages[index + 1 :]:
        start = previous_due + timedelta(days=stage.wait_days)
        previous_due = workdays.adjust(start + timedelta(days=stage.within_days), rule.rest_day)
        yield build_occurrence(
            rule,
            roster,
            zone,
            workdays,
            unit_id=first.unit_id,
            person_id=first.person_id,
            period_key=f"{prefix}/{stage.name}" if prefix else stage.name,
            period_start=start,
            due_on=previous_due,
            opens_at=local_midnight(start, zone),
            assignee_id=first_person(stage.owner, roster, first.unit_id, first.person_id),
            title=f"{rule.title}：{stage.name}",
        )
