"""Recipient references → people and channels (pure).

References as written in the config: ``owner`` (the task's assignee), ``self`` (the person of a
per-person task), ``person:ID``, ``role:ROLE`` (in the task's unit), ``role:ROLE@parent``,
``role:ROLE@committee`` (the nearest 党委 above), ``leader-of`` / ``leader-of:UNIT`` (the leaders
whose contact branch it is) and ``unit-channel`` (the unit's group bot).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workflows.roster import Roster

PERSON, CHANNEL = "person:", "channel:"


def resolve(
    ref: str,
    roster: Roster,
    unit_id: str,
    *,
    person_id: str = "",
    assignee_id: str | None = None,
    unit_channels: Mapping[str, str] | None = None,
) -> list[str]:
    """The recipients (``person:ID`` or ``channel:NAME``) one reference names, in a stable order."""
    if ref == "owner":
        return [PERSON + assignee_id] if assignee_id else []
    if ref == "self":
        return [PERSON + person_id] if person_id else []
    if ref == "unit-channel":
        channel = (unit_channels or {}).get(unit_id)
        return [CHANNEL + channel] if channel else []
    kind, _, value = ref.partition(":")
    if kind == "person":
        return [PERSON + value]
    if kind == "leader-of":
        return [PERSON + p.id for p in roster.contact_leaders(value or unit_id)]
    role, _, where = value.partition("@")
    unit = roster.units.get(unit_id)
    if where == "parent":
        target = unit.parent_id if unit else None
    elif where == "committee":
        # the 党委 above the unit; a committee at the top answers for itself
        parent = unit.parent_id if unit else None
        target = (roster.committee_above(parent) if parent else None) or roster.committee_above(unit_id)
    else:
        target = unit_id
    return [PERSON + p.id for p in roster.holders(target, role)] if target else []


def first_person(refs: Iterable[str], roster: Roster, unit_id: str, person_id: str = "") -> str | None:
    """The first person the references name, tried in order (how a task's owner is chosen)."""
    for ref in refs:
        for recipient in resolve(ref, roster, unit_id, person_id=person_id):
            if recipient.startswith(PERSON):
                return recipient.removeprefix(PERSON)
    return None
