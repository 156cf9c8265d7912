"""Units and people: copy the config's into the store, and read the roster back for the rules.

People may also come from a roster import (source ``import``); the config only touches its own.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.store.models import PersonRow, UnitRow
from workflows.config.schema import Config
from workflows.roster import Person, Roster, Unit
from workflows.vocabulary import Status, UnitKind


def _unit_values(config: Config) -> dict[str, dict[str, Any]]:
    return {
        u.id: {
            "name": u.name,
            "kind": u.kind.value,
            "parent_id": u.parent,
            "term_start": u.term_start,
            "term_years": u.term_years,
            "active": True,
        }
        for u in config.units
    }


def _money(value: float | None) -> Decimal | None:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else None


def _person_values(config: Config) -> dict[str, dict[str, Any]]:
    return {
        p.id: {
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
            "active": True,
        }
        for p in config.people
    }


def _audit_value(values: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {k: plain(v) for k, v in values.items()}


def _upsert(
    session: Session,
    model: type[UnitRow] | type[PersonRow],
    wanted: dict[str, dict[str, Any]],
    entity: str,
    now: datetime,
    actor: str,
) -> int:
    """Bring the config-sourced rows of ``model`` in line with ``wanted``; return changes."""
    changes = 0
    rows: list[Any] = list(session.scalars(select(model)))
    existing = {row.id: row for row in rows}
    for ident, values in wanted.items():
        row = existing.get(ident)
        if row is None:
            session.add(model(id=ident, source="config", **values))
            audit.record(
                session,
                at=now,
                actor=actor,
                action="create",
                entity=entity,
                entity_id=ident,
                after=_audit_value(values),
            )
            changes += 1
            continue
        before = {k: getattr(row, k) for k in values}
        if before != values:
            for k, v in values.items():
                setattr(row, k, v)
            audit.record(
                session,
                at=now,
                actor=actor,
                action="update",
                entity=entity,
                entity_id=ident,
                before=_audit_value(before),
                after=_audit_value(values),
            )
            changes += 1
    for ident, row in existing.items():
        if ident not in wanted and row.source == "config" and row.active:
            row.active = False
            audit.record(session, at=now, actor=actor, action="deactivate", entity=entity, entity_id=ident)
            changes += 1
    return changes


def sync_directory(session: Session, config: Config, now: datetime, actor: str = audit.DAEMON) -> int:
    """Upsert the config's units and people; deactivate those removed from it."""
    changes = _upsert(session, UnitRow, _unit_values(config), "unit", now, actor)
    changes += _upsert(session, PersonRow, _person_values(config), "person", now, actor)
    return changes


UNIT_TABLE = cast(Table, UnitRow.__table__)
PERSON_TABLE = cast(Table, PersonRow.__table__)


def load_roster(session: Session) -> Roster:
    """The active units and people in the store, as the rule engine's roster (read as plain rows:
    a province's half a million people are not worth an ORM object each)."""
    units = [
        Unit(
            id=row.id,
            name=row.name,
            kind=UnitKind(row.kind),
            parent_id=row.parent_id,
            term_start=row.term_start,
            term_years=row.term_years,
        )
        for row in session.execute(select(UNIT_TABLE).where(UNIT_TABLE.c.active.is_(True)))
    ]
    people = [
        Person(
            id=row.id,
            name=row.name,
            unit_id=row.unit_id,
            status=Status(row.status),
            roles=frozenset(row.roles or ()),
            joined=row.joined,
            probation_start=row.probation_start,
            applied_on=row.applied_on,
            activist_since=row.activist_since,
            mobile=row.mobile,
            retired=row.retired,
            contact_units=frozenset(row.contact_units or ()),
        )
        for row in session.execute(select(PERSON_TABLE).where(PERSON_TABLE.c.active.is_(True)))
    ]
    return Roster.build(units, people)
