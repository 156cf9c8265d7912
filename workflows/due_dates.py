"""When an occurrence of a rule is due (pure): the nominal day in its period, moved off rest days
as the rule says."""

from __future__ import annotations

import calendar as monthcal
from datetime import date, timedelta

from workflows.calendar import RestDayPolicy, WorkCalendar
from workflows.periods import MONTHS_IN, Period, PeriodKind, add_months
from workflows.rules import Rule


def nominal_due_date(rule: Rule, period: Period, workdays: WorkCalendar) -> date:
    """The due date the rule names, before any rest-day adjustment."""
    if rule.anchor is not None:
        return workdays.anchor(rule.anchor, period.start.year) + timedelta(days=rule.anchor_offset)
    if period.kind is PeriodKind.WEEK:
        if rule.due_weekday:
            return period.start + timedelta(days=rule.due_weekday - 1)
        return period.last_day
    if rule.due_day is None and rule.due_month is None:
        return period.last_day
    month_index = (rule.due_month or MONTHS_IN[period.kind]) - 1
    month_start = add_months(period.start, month_index)
    days_in_month = monthcal.monthrange(month_start.year, month_start.month)[1]
    if rule.due_day is None:
        return month_start.replace(day=days_in_month)
    return month_start.replace(day=min(rule.due_day, days_in_month))


def due_date(rule: Rule, period: Period, workdays: WorkCalendar) -> date:
    """The due date after moving it off a rest day; when the previous working day would fall
    before the period (a due day inside the National Day week), it moves forward instead."""
    nominal = nominal_due_date(rule, period, workdays)
    adjusted = workdays.adjust(nominal, rule.rest_day)
    if adjusted < period.start:
        return workdays.adjust(nominal, RestDayPolicy.NEXT)
    return adjusted
