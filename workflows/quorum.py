"""Quorum checks for meetings (pure).

支部党员大会: more than half of the members entitled to vote must be present; probationary
members attend but do not vote (支部工作条例). 支委会: more than half of the committee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from workflows.errors import UsageError
from workflows.roster import Person, Roster

QuorumKind = Literal["members", "committee"]


@dataclass(frozen=True)
class Attendance:
    """Who came, as the secretary recorded it: a head count or names present/absent."""

    attendees: int | None = None
    present: Sequence[str] = ()
    absent: Sequence[str] = ()

    @property
    def given(self) -> bool:
        """Whether anything about attendance was recorded."""
        return self.attendees is not None or bool(self.present) or bool(self.absent)


@dataclass(frozen=True)
class QuorumVerdict:
    """应到/实到 and whether the quorum was met (None when the record cannot tell)."""

    kind: QuorumKind
    expected: int
    present: int | None
    voting_expected: int
    voting_present_min: int | None
    voting_present_max: int | None
    met: bool | None
    present_ids: tuple[str, ...] = ()
    absent_ids: tuple[str, ...] = ()


def _match(names: Sequence[str], people: Sequence[Person], unit_id: str) -> list[Person]:
    """The people named (by id or name); every unknown name reported at once, and a name two
    people share refused rather than guessed."""
    by_id = {p.id: p for p in people}
    by_name: dict[str, list[Person]] = {}
    for someone in people:
        by_name.setdefault(someone.name, []).append(someone)
    found: list[Person] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for raw in names:
        name = raw.strip()
        named = by_name.get(name, [])
        if name not in by_id and len(named) > 1:
            ambiguous.append(f"{name}（{'、'.join(p.id for p in named)}）")
            continue
        person: Person | None = by_id.get(name) or (named[0] if named else None)
        if person is None:
            unknown.append(name)
        else:
            found.append(person)
    if ambiguous:
        raise UsageError("task.ambiguous_attendee", names="、".join(ambiguous), unit=unit_id)
    if unknown:
        raise UsageError("task.unknown_attendee", name="、".join(unknown), unit=unit_id)
    return found


def check_quorum(kind: QuorumKind, roster: Roster, unit_id: str, attendance: Attendance) -> QuorumVerdict:
    """Count 应到/实到 for the unit and decide the quorum from what was recorded."""
    if kind == "committee":
        expected_people = roster.committee_of(unit_id)
        voters = expected_people
    else:
        expected_people = roster.members_of(unit_id)
        voters = roster.voting_members_of(unit_id)
    voter_ids = {p.id for p in voters}
    expected, voting_expected = len(expected_people), len(voters)

    present_ids: tuple[str, ...] = ()
    absent_ids: tuple[str, ...] = ()
    if attendance.present:
        came = _match(attendance.present, expected_people, unit_id)
        present_ids = tuple(p.id for p in came)
        present: int | None = len(set(present_ids))
        low = high = len({p.id for p in came if p.id in voter_ids})
    elif attendance.absent:
        away = _match(attendance.absent, expected_people, unit_id)
        absent_ids = tuple(p.id for p in away)
        present = expected - len(set(absent_ids))
        low = high = voting_expected - len({p.id for p in away if p.id in voter_ids})
    elif attendance.attendees is not None:
        present = attendance.attendees
        if present > expected:
            raise UsageError("task.too_many_attendees", present=present, expected=expected, unit=unit_id)
        non_voters = expected - voting_expected
        # A bare head count does not say how many were probationary: bound the voters.
        low, high = max(0, present - non_voters), min(present, voting_expected)
    else:
        return QuorumVerdict(kind, expected, None, voting_expected, None, None, None)

    met: bool | None
    if low * 2 > voting_expected:
        met = True
    elif high * 2 <= voting_expected:
        met = False
    else:
        met = None
    return QuorumVerdict(kind, expected, present, voting_expected, low, high, met, present_ids, absent_ids)
