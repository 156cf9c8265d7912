"""The rule engine on China's working-day calendar: due dates, quotas, per-person tasks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import EXAMPLE, SHANGHAI
from workflows.calendar import RestDayPolicy, work_calendar
from workflows.config.load import load_config
from workflows.occurrences import occurrences, occurrences_of
from workflows.periods import PeriodKind, period_containing
from workflows.roster import Person, Roster, Unit, roster_from_config
from workflows.rules import Rule, rules_from_config
from workflows.vocabulary import Status, UnitKind

CN = work_calendar("CN")


def make_rule(**changes: object) -> Rule:
    values: dict[str, object] = {
        "id": "committee_meeting",
        "alias": "支委会",
        "title": "支部委员会会议",
        "title_en": "",
        "every": PeriodKind.MONTH,
        "unit_kinds": frozenset({UnitKind.BRANCH}),
        "unit_ids": None,
        "min_per_period": 1,
        "per_person": False,
        "person_status": frozenset({Status.FULL, Status.PROBATIONARY}),
        "person_roles": frozenset(),
        "due_day": None,
        "due_month": None,
        "due_weekday": None,
        "opens_before": None,
        "due_soon": timedelta(days=7),
        "rest_day": RestDayPolicy.PREVIOUS,
        "owner": ("role:secretary",),
        "escalate_to": (),
        "quorum": None,
    }
    values.update(changes)
    return Rule(**values)  # type: ignore[arg-type]


ROSTER = Roster.build(
    [Unit("dw", "党委", UnitKind.COMMITTEE), Unit("zb1", "一支部", UnitKind.BRANCH, "dw")],
    [
        Person("shuji", "书记甲", "zb1", roles=frozenset({"secretary"})),
        Person("a", "党员甲", "zb1"),
        Person("b", "预备党员乙", "zb1", status=Status.PROBATIONARY),
        Person("c", "积极分子丙", "zb1", status=Status.ACTIVIST),
        Person("dwsj", "党委书记", "dw", roles=frozenset({"secretary"})),
    ],
)


def due_days(rule: Rule, first: date, last: date) -> dict[str, date]:
    return {o.period_key: o.due_on for o in occurrences_of(rule, ROSTER, SHANGHAI, CN, first, last)}


def test_monthly_meeting_due_on_last_working_day() -> None:
    # 2026-01-31 and 2026-10-31 are Saturdays; 2026-05-31 is a Sunday.
    due = due_days(make_rule(), date(2026, 1, 1), date(2026, 12, 31))
    assert due["2026-01"] == date(2026, 1, 30)
    assert due["2026-05"] == date(2026, 5, 29)
    assert due["2026-10"] == date(2026, 10, 30)
    assert due["2026-03"] == date(2026, 3, 31)


def test_quarterly_meeting_due_at_quarter_end_beijing_midnight() -> None:
    [q1] = occurrences_of(
        make_rule(every=PeriodKind.QUARTER), ROSTER, SHANGHAI, CN, date(2026, 1, 1), date(2026, 3, 31)
    )
    assert q1.due_on == date(2026, 3, 31)
    assert q1.due_at == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert q1.opens_at == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert q1.due_soon_at == q1.due_at - timedelta(days=7)


def test_tiaoxiu_saturday_is_a_working_day_for_deadlines() -> None:
    # 15 Feb 2026 is a Sunday inside the Spring Festival break; 14 Feb is a 调休 working Saturday.
    due = due_days(make_rule(due_day=15), date(2026, 2, 1), date(2026, 2, 28))
    assert due["2026-02"] == date(2026, 2, 14)
    assert CN.is_working_day(date(2026, 2, 14))
    assert not CN.is_working_day(date(2026, 2, 17))  # Spring Festival


def test_deadline_in_spring_festival_moves_to_next_working_day_when_asked() -> None:
    due = due_days(make_rule(due_day=17, rest_day=RestDayPolicy.NEXT), date(2026, 2, 1), date(2026, 2, 28))
    assert due["2026-02"] == date(2026, 2, 24)
    kept = due_days(make_rule(due_day=17, rest_day=RestDayPolicy.KEEP), date(2026, 2, 1), date(2026, 2, 28))
    assert kept["2026-02"] == date(2026, 2, 17)


def test_deadline_in_national_day_week_does_not_leave_its_month() -> None:
    # 3 Oct 2026 is in the National Day break; the previous working day (30 Sep) is in September,
    # so the deadline moves forward to the first working day after the break.
    due = due_days(make_rule(due_day=3), date(2026, 10, 1), date(2026, 10, 31))
    assert due["2026-10"] == date(2026, 10, 8)


def test_spring_festival_2027_computed_holidays_move_deadlines() -> None:
    # 2027's lunar new year is 6 Feb; 8 Feb (Mon) is off, 4 Feb (Thu) is the last working day before.
    due = due_days(make_rule(due_day=8), date(2027, 2, 1), date(2027, 2, 28))
    assert due["2027-02"] == date(2027, 2, 4)


def test_fixed_day_beyond_month_length_is_clamped() -> None:
    rule = make_rule(due_day=31, rest_day=RestDayPolicy.KEEP)
    due = due_days(rule, date(2026, 1, 1), date(2026, 4, 30))
    assert due == {
        "2026-01": date(2026, 1, 31),
        "2026-02": date(2026, 2, 28),
        "2026-03": date(2026, 3, 31),
        "2026-04": date(2026, 4, 30),
    }
    assert due_days(rule, date(2028, 2, 1), date(2028, 2, 29))["2028-02"] == date(2028, 2, 29)


def test_quarter_rule_with_due_month_and_day() -> None:
    rule = make_rule(every=PeriodKind.QUARTER, due_month=1, due_day=20, rest_day=RestDayPolicy.KEEP)
    assert due_days(rule, date(2026, 1, 1), date(2026, 12, 31)) == {
        "2026Q1": date(2026, 1, 20),
        "2026Q2": date(2026, 4, 20),
        "2026Q3": date(2026, 7, 20),
        "2026Q4": date(2026, 10, 20),
    }


def test_weekly_rule_due_on_weekday() -> None:
    rule = make_rule(
        every=PeriodKind.WEEK, due_weekday=4, rest_day=RestDayPolicy.KEEP, unit_kinds=frozenset({UnitKind.COMMITTEE})
    )
    due = due_days(rule, date(2026, 11, 23), date(2026, 12, 6))
    assert due == {"2026-W48": date(2026, 11, 26), "2026-W49": date(2026, 12, 3)}


def test_quota_rule_requires_count() -> None:
    [occurrence] = occurrences_of(make_rule(min_per_period=2), ROSTER, SHANGHAI, CN, date(2026, 3, 1), date(2026, 3, 1))
    assert occurrence.count_required == 2


def test_per_person_rule_selects_members_not_activists() -> None:
    rule = make_rule(alias="党费", per_person=True, every=PeriodKind.QUARTER)
    found = list(occurrences_of(rule, ROSTER, SHANGHAI, CN, date(2026, 1, 1), date(2026, 1, 1)))
    assert sorted(o.key for o in found) == ["zb1/党费/2026Q1/a", "zb1/党费/2026Q1/b", "zb1/党费/2026Q1/shuji"]
    assert {o.assignee_id for o in found} == {"shuji"}


def test_per_person_rule_filtered_by_role_and_owned_by_self() -> None:
    rule = make_rule(
        alias="述职",
        per_person=True,
        person_roles=frozenset({"secretary"}),
        owner=("self",),
        unit_kinds=frozenset({UnitKind.BRANCH, UnitKind.COMMITTEE}),
    )
    found = occurrences_of(rule, ROSTER, SHANGHAI, CN, date(2026, 1, 1), date(2026, 1, 1))
    assert sorted((o.key, o.assignee_id) for o in found) == [
        ("dw/述职/2026-01/dwsj", "dwsj"),
        ("zb1/述职/2026-01/shuji", "shuji"),
    ]


def test_owner_falls_back_along_the_list_and_to_parent() -> None:
    rule = make_rule(owner=("role:dues-collector", "role:secretary@parent"))
    [occurrence] = occurrences_of(rule, ROSTER, SHANGHAI, CN, date(2026, 1, 1), date(2026, 1, 1))
    assert occurrence.assignee_id == "dwsj"


def test_materialize_window_is_current_and_next_period() -> None:
    loaded = load_config(EXAMPLE)
    rules = rules_from_config(loaded.config)
    roster = roster_from_config(loaded)
    today = date(2026, 11, 24)
    found = occurrences(rules, roster, SHANGHAI, CN, today, today, horizon=1)
    periods = {(o.rule_id, o.period_key) for o in found}
    assert ("committee_meeting", "2026-11") in periods
    assert ("committee_meeting", "2026-12") in periods
    assert ("committee_meeting", "2027-01") not in periods
    assert ("member_meeting", "2027Q1") in periods
    assert ("member_meeting", "2027Q2") not in periods


def test_example_year_has_the_expected_count_per_rule() -> None:
    """Counts computed from the rule numbers: 3 branches, 2 party groups, 14 dues payers."""
    loaded = load_config(EXAMPLE)
    rules = rules_from_config(loaded.config)
    roster = roster_from_config(loaded)
    found = [o for r in rules for o in occurrences_of(r, roster, SHANGHAI, CN, date(2026, 1, 1), date(2026, 12, 31))]
    branches, groups = 3, 2
    members = {"zb1": 7, "zb2": 4, "zb3": 3}  # full + probationary; the activist pays no dues
    assert Counter(o.rule_id for o in found) == {
        "member_meeting": 4 * branches,
        "committee_meeting": 12 * branches,
        "group_meeting": 12 * groups,
        "party_lecture": 4 * branches,
        "theme_day": 12 * branches,
        "dues": 4 * sum(members.values()),
    }
    dues_owner = {o.unit_id: o.assignee_id for o in found if o.rule_id == "dues"}
    assert dues_owner == {"zb1": "lina", "zb2": "fengjing", "zb3": "guoqing"}


@pytest.mark.parametrize("day", [date(2026, 3, 31), date(2026, 4, 1)])
def test_keys_are_stable(day: date) -> None:
    rule = make_rule(every=PeriodKind.QUARTER, alias="党员大会")
    [o] = occurrences_of(rule, ROSTER, SHANGHAI, CN, day, day)
    assert o.key == f"zb1/党员大会/{period_containing(PeriodKind.QUARTER, day).key}"
