"""Whom a rule applies to (pure): the units in its scope, the people of a per-person rule, the
pairs of a per-pair one."""

from __future__ import annotations

from workflows.roster import Person, Roster, Unit
from workflows.rules import Rule


def reads_everyone(rule: Rule) -> bool:
    """Whether ``rule``'s occurrences read people beyond the role holders and contact leaders
    (who own tasks and are visited): its members, their pairs, a date in their records."""
    person_date = rule.record_date not in (None, "term_start")
    return (
        (rule.per_person and not rule.per_contact)
        or rule.per_pair
        or person_date
        or bool(rule.stages and rule.record_date)
    )


def units_in_scope(rule: Rule, roster: Roster) -> list[Unit]:
    """The units a rule applies to, by explicit id or by kind, sorted by id."""
    if rule.unit_ids is not None:
        selected = [roster.units[u] for u in rule.unit_ids if u in roster.units]
    else:
        selected = [u for u in roster.units.values() if u.kind in rule.unit_kinds]
    return sorted(selected, key=lambda u: u.id)


def people_in_scope(rule: Rule, roster: Roster, unit: Unit) -> list[Person]:
    """The people a per-person rule selects in ``unit`` (its party groups included)."""
    if rule.per_contact:
        return roster.contact_leaders(unit.id)
    selected = [
        p
        for p in roster.people_in(unit.id, with_groups=True)
        if p.status in rule.person_status
        and (not rule.person_roles or p.roles & rule.person_roles)
        and (rule.person_mobile is None or p.mobile == rule.person_mobile)
    ]
    return sorted(selected, key=lambda p: p.id)


PAIR = "+"  # joins the two people of a pair in a task key: zb1/谈心谈话/2026/zhangwei+sunli


def talk_pairs(roster: Roster, unit: Unit) -> list[tuple[Person, Person]]:
    """Each committee member with each other party member of the unit (谈心谈话)."""
    members = sorted(roster.members_of(unit.id), key=lambda p: p.id)
    return [
        (talker, member)
        for talker in sorted(roster.committee_of(unit.id), key=lambda p: p.id)
        for member in members
        if member.id != talker.id
    ]
