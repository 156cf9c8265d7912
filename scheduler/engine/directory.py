"""Units and people: copy the config's into the store, and read the roster back for the rules.

People may also come from a roster import (source ``import``); the config only touches its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from scheduler.engine.sweep import BATCH
from scheduler.store import audit
from scheduler.store.engine import in_chunks
from scheduler.store.models import PersonRow, UnitRow
from workflows.config.load import LoadedConfig
from workflows.config.schema import Config, PersonEntry
from workflows.roster import Person, Roster, Unit, UnitByUnitRoster, names
from workflows.vocabulary import Status, UnitKind


def _unit_values(config: Config) -> Iterator[tuple[str, dict[str, Any]]]:
    return (
        (
            u.id,
            {
                "name": u.name,
                "kind": u.kind.value,
                "parent_id": u.parent,
                "term_start": u.term_start,
                "term_years": u.term_years,
                "active": True,
            },
        )
        for u in config.units
    )


def _money(value: float | None) -> Decimal | None:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else None


def _person_values(people: Iterable[PersonEntry]) -> Iterator[tuple[str, dict[str, Any]]]:
    return (
        (
            p.id,
            {
                "name": p.name,
                "unit_id": p.unit,
                "status": p.status.value,
                "roles": sorted(p.roles),
                "email": p.email,
                "phone": p.phone,
                "joined": p.joined,
                "probation_start": p.probation_start,
                "applied_on": p.applied_on,
                "activist_since": p.activist_since,
                "dues_base": _money(p.dues_base),
                "dues_fixed": _money(p.dues_fixed),
                "mobile": p.mobile,
                "retired": p.retired,
                "contact_units": sorted(p.contact_units),
                "logins": sorted(p.login),
                "active": True,
            },
        )
        for p in people
    )


def _audit_value(values: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {k: plain(v) for k, v in values.items()}


def _upsert(
    session: Session,
    model: type[UnitRow] | type[PersonRow],
    wanted: Iterable[tuple[str, dict[str, Any]]],
    entity: str,
    now: datetime,
    actor: str,
) -> int:
    """Bring the config-sourced rows of ``model`` in line with ``wanted`` (id, values); return
    the changes.

    Read and written a batch at a time, as plain rows, no ORM object per row: a city's first
    sync copies 30,000 people (as ORM objects, with an audit object each, that took 110 MB), and
    neither the people wanted nor those stored are ever all in memory — the ids seen are."""
    table = cast(Table, model.__table__)
    seen: set[str] = set()
    changes = rewritten = 0

    def audit_row(action: str, ident: str, **change: Any) -> dict[str, Any]:
        return {"at": now, "actor": actor, "action": action, "entity": entity, "entity_id": ident, **change}

    stream = iter(wanted)
    while batch := list(itertools.islice(stream, BATCH)):
        existing = {
            row["id"]: row
            for ids in in_chunks([ident for ident, _ in batch])
            for row in session.execute(select(table).where(table.c.id.in_(ids))).mappings()
        }
        created: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for ident, values in batch:
            seen.add(ident)
            row = existing.get(ident)
            if row is None:
                audits.append(audit_row("create", ident, before=None, after=_audit_value(values)))
                created.append({"id": ident, "source": "config", **values})
                continue
            before = {k: row[k] for k in values}
            if before != values:
                audits.append(audit_row("update", ident, before=_audit_value(before), after=_audit_value(values)))
                updated.append({"key": ident, **values})
        if created:
            session.execute(insert(table), created)
        if updated:
            changed: dict[str, Any] = {k: bindparam(k) for k in updated[0] if k != "key"}
            session.execute(update(table).where(table.c.id == bindparam("key")).values(changed), updated)
        audit.record_many(session, audits)
        changes += len(audits)
        rewritten += len(updated)
    configured = select(table.c.id).where(table.c.source == "config", table.c.active.is_(True))
    left = [ident for ident in session.scalars(configured) if ident not in seen]
    for ids in in_chunks(left):
        session.execute(update(table).where(table.c.id.in_(ids)).values(active=False))
        audit.record_many(session, [audit_row("deactivate", ident, before=None, after=None) for ident in ids])
    if rewritten or left:
        session.expire_all()  # rows loaded earlier in this session must not shadow these writes
    return changes + len(left)


def sync_directory(session: Session, loaded: LoadedConfig, now: datetime, actor: str = audit.DAEMON) -> int:
    """Upsert the config's units and people (its roster files read now, a batch at a time: a bad
    row raises after the last, and the transaction is dropped); deactivate those removed from it."""
    changes = _upsert(session, UnitRow, _unit_values(loaded.config), "unit", now, actor)
    changes += _upsert(session, PersonRow, _person_values(loaded.each_person()), "person", now, actor)
    return changes


UNIT_TABLE = cast(Table, UnitRow.__table__)
PERSON_TABLE = cast(Table, PersonRow.__table__)


def _units(session: Session, unit_filter: ColumnElement[bool]) -> list[Unit]:
    return [
        Unit(
            id=row.id,
            name=row.name,
            kind=UnitKind(row.kind),
            parent_id=row.parent_id,
            term_start=row.term_start,
            term_years=row.term_years,
        )
        for row in session.execute(select(UNIT_TABLE).where(unit_filter))
    ]


def _people(session: Session, person_filter: ColumnElement[bool], unit_ids: dict[str, str]) -> Iterator[Person]:
    for row in session.execute(select(PERSON_TABLE).where(person_filter)):
        yield Person(
            id=row.id,
            name=row.name,
            unit_id=unit_ids.get(row.unit_id, row.unit_id),  # one string per unit, not per person
            status=Status(row.status),
            roles=names(row.roles),
            joined=row.joined,
            probation_start=row.probation_start,
            applied_on=row.applied_on,
            activist_since=row.activist_since,
            mobile=row.mobile,
            retired=row.retired,
            contact_units=names(row.contact_units),
        )


ACTIVE_PERSON = PERSON_TABLE.c.active.is_(True)
HOLDS = (func.json_array_length(PERSON_TABLE.c.roles) > 0) | (func.json_array_length(PERSON_TABLE.c.contact_units) > 0)


def load_roster(session: Session, around: str | None = None, *, holders_only: bool = False) -> Roster:
    """The active units and people in the store, as the rule engine's roster (read as plain rows:
    a province's half a million people are not worth an ORM object each). With ``around``, only
    that unit, the units right above and below it, and their people: what a record's quorum or
    a task page needs, at any size of the organization. With ``holders_only``, every unit but only
    the people holding a role or a contact branch: what addressing a reminder by role needs (a
    city's 30,000 members are a few thousand holders)."""
    unit_filter: ColumnElement[bool] = UNIT_TABLE.c.active.is_(True)
    person_filter: ColumnElement[bool] = ACTIVE_PERSON & HOLDS if holders_only else ACTIVE_PERSON
    if around is not None:
        parent = session.scalar(select(UNIT_TABLE.c.parent_id).where(UNIT_TABLE.c.id == around))
        near = {around, *session.scalars(select(UNIT_TABLE.c.id).where(UNIT_TABLE.c.parent_id == around))}
        unit_filter = unit_filter & UNIT_TABLE.c.id.in_(near | ({parent} if parent else set()))
        person_filter = person_filter & PERSON_TABLE.c.unit_id.in_(near)
    units = _units(session, unit_filter)
    return Roster.build(units, _people(session, person_filter, {unit.id: unit.id for unit in units}))


def roster_unit_by_unit(session: Session) -> UnitByUnitRoster:
    """Every active unit and its role holders, each unit's other people read from the store when
    a rule asks for them, a batch of units at a time (:class:`UnitByUnitRoster`): what rules that
    read every member need, without the whole membership in memory."""
    units = _units(session, UNIT_TABLE.c.active.is_(True))
    unit_ids = {unit.id: unit.id for unit in units}

    def read(wanted: Sequence[str]) -> list[Person]:
        return list(_people(session, ACTIVE_PERSON & PERSON_TABLE.c.unit_id.in_(wanted), unit_ids))

    holders = tuple(_people(session, ACTIVE_PERSON & HOLDS, unit_ids))
    return UnitByUnitRoster(units={unit.id: unit for unit in units}, people=holders, read=read)
