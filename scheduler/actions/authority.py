"""Who may record what: authority follows the unit tree and the roles people hold.

- The 党委 office — people of a committee unit holding one of ``[org] office_roles`` (党务专干,
  组织委员 by default) — may write anywhere in that committee and below.
- A unit's secretary, deputy secretary, committee members and (for a 党小组) its leader may write
  in their unit and below.
- A leader (领导班子成员) may record the visits to and the problems of their contact units.
- Anyone may record their own tasks: those about them (per-person) or owned by them.

A refusal raises :class:`NotAllowedError` (exit 4) naming who may act, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.actions.operator import Operator
from scheduler.app import App
from scheduler.engine.directory import sync_directory
from scheduler.store.models import PersonRow, TaskRow, UnitRow
from workflows.errors import NotAllowedError
from workflows.vocabulary import COMMITTEE_ROLES, UnitKind

LEADING_ROLES = COMMITTEE_ROLES | {"group-leader"}
SHOWN = 5  # people named in a refusal


@dataclass(frozen=True)
class Seat:
    """What a person's authority is made of: their unit, its kind, their roles and contacts."""

    person_id: str
    name: str
    unit_id: str
    roles: frozenset[str]
    contact_units: frozenset[str]


def _seat(row: PersonRow) -> Seat:
    return Seat(row.id, row.name, row.unit_id, frozenset(row.roles or ()), frozenset(row.contact_units or ()))


def _with_logins(session: Session) -> list[PersonRow]:
    # only the few people who have a login are read (JSON compared as text: '[]' is none)
    query = select(PersonRow).where(PersonRow.active.is_(True), cast(PersonRow.logins, String) != "[]")
    return list(session.scalars(query))


def _find(session: Session, login: str) -> PersonRow | None:
    return next((row for row in _with_logins(session) if login in (row.logins or ())), None)


def identify(session: Session, operator: Operator, app: App | None = None) -> tuple[Operator, Seat]:
    """The person the operator's login belongs to; refused when it belongs to nobody. A login the
    config gives someone the store has not seen yet (a new store, an edited config) brings the
    config's units and people into the store first."""
    if operator.via_link and operator.person_id:  # the link's signature said who: no login to look up
        linked = session.get(PersonRow, operator.person_id)
        if linked is None or not linked.active:
            raise NotAllowedError("auth.unknown_login", login=operator.login)
        return operator.as_person(linked.id, linked.name), _seat(linked)
    row = _find(session, operator.login)
    if row is None and app is not None and any(operator.login in p.login for p in app.loaded.people()):
        sync_directory(session, app.loaded, clock.now())
        session.flush()
        row = _find(session, operator.login)
    if row is None:
        raise NotAllowedError("auth.unknown_login", login=operator.login)
    return operator.as_person(row.id, row.name), _seat(row)


def _parents(session: Session) -> dict[str, tuple[str | None, str]]:
    rows = session.execute(select(UnitRow.id, UnitRow.parent_id, UnitRow.kind)).all()
    return {row.id: (row.parent_id, row.kind) for row in rows}


def _lineage(unit_id: str, parents: dict[str, tuple[str | None, str]]) -> list[str]:
    """``unit_id`` and every unit above it, nearest first."""
    chain: list[str] = []
    current: str | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current, (None, ""))[0]
    return chain


def _office_roles(app: App) -> frozenset[str]:
    return frozenset(app.loaded.config.org.office_roles)


def governs(seat: Seat, unit_id: str, parents: dict[str, tuple[str | None, str]], office: frozenset[str]) -> bool:
    """Whether ``seat`` may write anything of ``unit_id``: as the office of a committee above it,
    or as a secretary or committee member of that unit or one above it."""
    if seat.unit_id not in _lineage(unit_id, parents):
        return False
    kind = parents.get(seat.unit_id, (None, ""))[1]
    return bool(seat.roles & LEADING_ROLES) or (kind == UnitKind.COMMITTEE.value and bool(seat.roles & office))


def may_act_on(app: App, seat: Seat, task: TaskRow, parents: dict[str, tuple[str | None, str]]) -> bool:
    """Whether ``seat`` may record on ``task``."""
    if seat.person_id in (task.person_id, task.assignee_id):
        return True
    if governs(seat, task.unit_id, parents, _office_roles(app)):
        return True
    rule = app.rules_by_id.get(task.rule_id)
    contact_work = rule is not None and (rule.per_contact or rule.needs_confirmation)
    return "leader" in seat.roles and task.unit_id in seat.contact_units and contact_work


def _who_may(app: App, session: Session, task: TaskRow, parents: dict[str, tuple[str | None, str]]) -> list[str]:
    lineage = set(_lineage(task.unit_id, parents))
    candidates = session.scalars(
        select(PersonRow).where(PersonRow.active.is_(True), PersonRow.unit_id.in_(lineage)).order_by(PersonRow.id)
    )
    office = _office_roles(app)
    names = [row.name for row in candidates if governs(_seat(row), task.unit_id, parents, office)]
    owner = session.get(PersonRow, task.assignee_id) if task.assignee_id else None
    if owner is not None and owner.name not in names:
        names.insert(0, owner.name)
    return names


def _names(names: Iterable[str]) -> str:
    listed = list(names)
    more = len(listed) - SHOWN
    return "、".join(listed[:SHOWN]) + (f" 等 {len(listed)} 人" if more > 0 else "") if listed else "-"


def authorize_task(session: Session, app: App, operator: Operator, task: TaskRow, action: str) -> Operator:
    """The operator, known as their person, when they may ``action`` the task; else refused."""
    known, seat = identify(session, operator, app)
    parents = _parents(session)
    if may_act_on(app, seat, task, parents):
        return known
    who = _names(_who_may(app, session, task, parents))
    raise NotAllowedError("auth.refused", who=known.label, action=action, key=task.key, allowed=who)


def authorize_unit(session: Session, app: App, operator: Operator, unit_id: str, action: str) -> Operator:
    """The operator when they govern ``unit_id`` (events about its people); else refused."""
    known, seat = identify(session, operator, app)
    parents = _parents(session)
    if governs(seat, unit_id, parents, _office_roles(app)):
        return known
    raise NotAllowedError("auth.refused_unit", who=known.label, action=action, unit=unit_id)


def authorize_office(session: Session, app: App, operator: Operator, action: str) -> Operator:
    """The operator when they are the office of a committee (roster import, retries, forced
    syncs: writes that reach the whole organization); else refused."""
    known, seat = identify(session, operator, app)
    parents = _parents(session)
    kind = parents.get(seat.unit_id, (None, ""))[1]
    if kind == UnitKind.COMMITTEE.value and seat.roles & (_office_roles(app) | LEADING_ROLES):
        return known
    raise NotAllowedError("auth.office_only", who=known.label, action=action)
