"""Importing a roster into the store: idempotent upsert by id, a dry run, and what changed.

Imported people live beside the config's (source ``import``); an id the config defines cannot be
imported. Someone absent from the new file has left: they are deactivated, and the next sync
retires their future open tasks while their history stays with the old unit. Someone whose unit
changed has transferred: their future open tasks retire in the old unit and appear in the new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.actions.authority import authorize_office
from scheduler.actions.operator import Operator
from scheduler.app import App
from scheduler.engine.materialize import SYNC_META, sync
from scheduler.store import audit
from scheduler.store.models import MetaRow, PersonRow, UnitRow
from workflows.errors import UsageError
from workflows.i18n import Message
from workflows.roster_file import RowError, parse_roster, read_rows, unit_lookup


@dataclass
class ImportPlan:
    """What an import adds, changes, moves and removes; ``errors`` block it."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    transferred: list[tuple[str, str, str]] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _values(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": person["name"],
        "unit_id": person["unit"],
        "status": person.get("status", "full"),
        "roles": sorted(person.get("roles", [])),
        "joined": person.get("joined"),
        "probation_start": person.get("probation_start"),
        "applied_on": person.get("applied_on"),
        "activist_since": person.get("activist_since"),
        "dues_base": person.get("dues_base"),
        "dues_fixed": person.get("dues_fixed"),
        "phone": person.get("phone"),
        "email": person.get("email"),
        "mobile": person.get("mobile", False),
        "retired": person.get("retired", False),
        "logins": sorted(person.get("login", [])),
    }


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v for k, v in values.items()
    }


def plan_import(
    session: Session, people: list[dict[str, Any]], config_ids: set[str], rows: dict[str, int] | None = None
) -> ImportPlan:
    """Compare the file with the store; nothing is written."""
    plan = ImportPlan()
    stored = {row.id: row for row in session.scalars(select(PersonRow))}
    incoming = {p["id"] for p in people}
    for number, person in enumerate(people, start=2):
        ident = person["id"]
        if ident in config_ids:
            plan.errors.append(
                RowError((rows or {}).get(ident, number), "id", Message("roster.in_config", {"id": ident}))
            )
            continue
        row = stored.get(ident)
        values = _values(person)
        if row is None or not row.active:
            plan.added.append(ident)
        elif any(getattr(row, k) != v for k, v in values.items()):
            if row.unit_id != values["unit_id"]:
                plan.transferred.append((ident, row.unit_id, values["unit_id"]))
            plan.changed.append(ident)
    plan.left = sorted(
        ident for ident, row in stored.items() if row.source == "import" and row.active and ident not in incoming
    )
    return plan


def apply_import(session: Session, people: list[dict[str, Any]], plan: ImportPlan, *, by: str, now: datetime) -> None:
    """Write the plan: upsert, deactivate those who left, and make the next sync look again."""
    stored = {row.id: row for row in session.scalars(select(PersonRow))}
    for person in people:
        ident, values = person["id"], _values(person)
        row = stored.get(ident)
        if row is None:
            session.add(PersonRow(id=ident, source="import", active=True, contact_units=[], **values))
            audit.record(
                session, at=now, actor=by, action="import", entity="person", entity_id=ident, after=_plain(values)
            )
        elif ident in plan.changed or ident in plan.added:
            before = {k: getattr(row, k) for k in values}
            for key, value in values.items():
                setattr(row, key, value)
            row.active, row.source = True, "import"
            audit.record(
                session,
                at=now,
                actor=by,
                action="import",
                entity="person",
                entity_id=ident,
                before=_plain(before),
                after=_plain(values),
            )
    for ident in plan.left:
        stored[ident].active = False
        audit.record(session, at=now, actor=by, action="left", entity="person", entity_id=ident)
    meta = session.get(MetaRow, SYNC_META)
    changed = plan.added or plan.changed or plan.left
    if meta is not None and changed:  # a new roster version: the next sync materializes again
        meta.value = {**meta.value, "roster_version": int(meta.value.get("roster_version", 0)) + 1}


@dataclass(frozen=True)
class Imported:
    """What ``import people`` found and, unless a dry run, did: the plan and the sync after it."""

    plan: ImportPlan
    dry_run: bool
    created: int = 0
    retired: int = 0
    warnings: tuple[RowError, ...] = ()  # read, but worth a look (two people of one name in a branch)
    ignored: tuple[str, ...] = ()  # headers of the columns skipped


def import_people(
    app: App,
    operator: Operator,
    now: datetime,
    file: Path,
    mapping: dict[str, str],
    *,
    dry_run: bool,
    progress: Callable[[Iterable[list[Any]]], Iterable[list[Any]]] = lambda rows: rows,
) -> Imported:
    """Load a roster file: every bad row listed and nothing written while any is wrong; else the
    people upserted, leavers deactivated and the tasks synced (nothing at all with ``dry_run``)."""
    config_ids = {p.id for p in app.loaded.people()}
    with app.store.writing() as session:
        known = authorize_office(session, app, operator, "import people")
        units = unit_lookup(
            session.execute(select(UnitRow.id, UnitRow.name).where(UnitRow.active.is_(True))).all()
            or [(u.id, u.name) for u in app.loaded.config.units]
        )
        parsed = parse_roster(progress(read_rows(file)), units, mapping)
        plan = plan_import(session, parsed.people, config_ids)
        errors = sorted([*parsed.errors, *plan.errors], key=lambda e: (e.row, e.column))
        if errors:
            lines = [Message("roster.row_error", {"row": e.row, "message": e.message}) for e in errors]
            raise UsageError("roster.invalid", path=file, count=len(errors), details=lines)
        warnings, ignored = tuple(parsed.warnings), tuple(parsed.ignored)
        if dry_run:
            session.rollback()
            return Imported(plan, dry_run=True, warnings=warnings, ignored=ignored)
        apply_import(session, parsed.people, plan, by=known.login, now=now)
        session.flush()
        report = sync(session, app.loaded, app.rules, app.workdays, now)
        return Imported(
            plan, dry_run=False, created=report.created, retired=report.retired, warnings=warnings, ignored=ignored
        )
