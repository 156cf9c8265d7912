"""The organization as the rule engine sees it: units and people, plain immutable data."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from workflows.config.load import LoadedConfig
from workflows.vocabulary import COMMITTEE_ROLES, MEMBER_STATUSES, VOTING_STATUSES, Status, UnitKind


@dataclass(frozen=True, slots=True)
class Unit:
    """A 党委, 党总支, 党支部 or 党小组."""

    id: str
    name: str
    kind: UnitKind
    parent_id: str | None = None
    term_start: date | None = None
    term_years: int | None = None


@dataclass(frozen=True, slots=True)  # a province has half a million
class Person:
    """A member, probationary member, activist, target or applicant of one unit."""

    id: str
    name: str
    unit_id: str
    status: Status = Status.FULL
    roles: frozenset[str] = frozenset()
    joined: date | None = None
    probation_start: date | None = None
    applied_on: date | None = None
    activist_since: date | None = None
    mobile: bool = False
    retired: bool = False
    contact_units: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Roster:
    """Units and people with the look-ups rules need (members of a unit, holders of a role)."""

    units: dict[str, Unit]
    people: tuple[Person, ...] = field(default=())

    @classmethod
    def build(cls, units: Iterable[Unit], people: Iterable[Person]) -> Roster:
        """A roster from any iterables of units and people."""
        return cls(units={u.id: u for u in units}, people=tuple(people))

    @cached_property
    def _by_unit(self) -> dict[str, list[Person]]:
        table: dict[str, list[Person]] = defaultdict(list)
        for person in self.people:
            table[person.unit_id].append(person)
        return table

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for unit in self.units.values():
            if unit.parent_id:
                table[unit.parent_id].append(unit.id)
        return table

    def people_in(self, unit_id: str, *, with_groups: bool = False) -> list[Person]:
        """People whose unit is ``unit_id``; with ``with_groups``, also those recorded in its
        party groups (党小组 are part of their branch, unlike branches under a committee)."""
        found = list(self._people_of(unit_id))
        if with_groups:
            for child in self._groups_of(unit_id):
                found.extend(self._people_of(child))
        return found

    def _people_of(self, unit_id: str) -> Sequence[Person]:
        return self._by_unit.get(unit_id, ())

    def _groups_of(self, unit_id: str) -> list[str]:
        return [child for child in self._children.get(unit_id, ()) if self.units[child].kind is UnitKind.GROUP]

    def members_of(self, unit_id: str) -> list[Person]:
        """Party members (full and probationary) of a unit, its party groups included."""
        return [p for p in self.people_in(unit_id, with_groups=True) if p.status in MEMBER_STATUSES]

    def voting_members_of(self, unit_id: str) -> list[Person]:
        """Members with a vote (probationary members attend but do not vote)."""
        return [p for p in self.members_of(unit_id) if p.status in VOTING_STATUSES]

    def committee_of(self, unit_id: str) -> list[Person]:
        """The unit's committee: its secretary, deputy secretary and committee members."""
        return [p for p in self.people_in(unit_id) if p.roles & COMMITTEE_ROLES]

    def committee_above(self, unit_id: str) -> str | None:
        """The nearest 党委 above ``unit_id`` (the unit itself when it is one)."""
        current: str | None = unit_id
        while current is not None and current in self.units:
            if self.units[current].kind is UnitKind.COMMITTEE:
                return current
            current = self.units[current].parent_id
        return None

    @cached_property
    def _contacts(self) -> dict[str, list[Person]]:
        table: dict[str, list[Person]] = defaultdict(list)
        for person in sorted(self.people, key=lambda p: p.id):
            for unit_id in person.contact_units:
                table[unit_id].append(person)
        return table

    @cached_property
    def _holders(self) -> dict[tuple[str, str], list[Person]]:
        table: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for person in sorted(self.people, key=lambda p: p.id):
            for role in person.roles:
                table[person.unit_id, role].append(person)
        return table

    def contact_leaders(self, unit_id: str) -> list[Person]:
        """Leadership members who have ``unit_id`` as a contact branch (联系点)."""
        return list(self._contacts.get(unit_id, ()))

    def holders(self, unit_id: str, role: str) -> list[Person]:
        """People holding ``role`` in ``unit_id``, by id for a stable choice."""
        return list(self._holders.get((unit_id, role), ()))


@dataclass(frozen=True)
class UnitByUnitRoster(Roster):
    """Every unit, with only the role holders and contact leaders held (``people``); the other
    people of a unit are read when a rule asks for them — ``read(unit_ids)`` gives the people of a
    batch of units, the asked one and those after it by id (the order rules walk units in) with
    their party groups — and forgotten when the next batch is read. A city's 30,000 people are
    then never all in memory, only a batch of units' worth."""

    read: Callable[[Sequence[str]], Iterable[Person]] = lambda unit_ids: ()
    batch: int = 200
    _window: dict[str, list[Person]] = field(default_factory=dict)

    @cached_property
    def _order(self) -> list[str]:
        return sorted(unit_id for unit_id, unit in self.units.items() if unit.kind is not UnitKind.GROUP)

    def _people_of(self, unit_id: str) -> Sequence[Person]:
        if unit_id not in self._window:
            self._read_from(unit_id)
        return self._window.get(unit_id, ())

    def _read_from(self, unit_id: str) -> None:
        start = bisect.bisect_left(self._order, unit_id)
        ids = [unit_id, *(u for u in self._order[start : start + self.batch] if u != unit_id)]
        ids += [group for parent in list(ids) for group in self._groups_of(parent) if group not in ids]
        self._window.clear()
        self._window.update((each, []) for each in ids)
        for person in self.read(ids):
            self._window[person.unit_id].append(person)


NO_NAMES: frozenset[str] = frozenset()


def names(values: Iterable[str] | None) -> frozenset[str]:
    """Roles or contact branches as a set; the empty set shared (most people hold neither, and an
    empty frozenset is 216 bytes: 200 MB for a province's two each)."""
    return frozenset(values) if values else NO_NAMES


def roster_from_config(loaded: LoadedConfig) -> Roster:
    """The roster the config gives: its units, its people and those of its roster files."""
    config = loaded.config
    units = [
        Unit(id=u.id, name=u.name, kind=u.kind, parent_id=u.parent, term_start=u.term_start, term_years=u.term_years)
        for u in config.units
    ]
    people = [
        Person(
            id=p.id,
            name=p.name,
            unit_id=p.unit,
            status=p.status,
            roles=names(p.roles),
            joined=p.joined,
            probation_start=p.probation_start,
            applied_on=p.applied_on,
            activist_since=p.activist_since,
            mobile=p.mobile,
            retired=p.retired,
            contact_units=names(p.contact_units),
        )
        for p in loaded.people()
    ]
    return Roster.build(units, people)
