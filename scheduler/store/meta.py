"""The ``meta`` table: small JSON values kept under a key (the last tick, the last sync, the
delivery's paused channels, the nightly re-derive's inputs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scheduler.store.models import MetaRow


def read_meta(session: Session, key: str) -> dict[str, Any]:
    """The value kept under ``key`` (a copy), empty when there is none."""
    row = session.get(MetaRow, key)
    return dict(row.value) if row is not None else {}


def write_meta(session: Session, key: str, value: dict[str, Any]) -> None:
    """Keep ``value`` under ``key``, replacing what was there."""
    row = session.get(MetaRow, key)
    if row is None:
        session.add(MetaRow(key=key, value=value))
    else:
        row.value = value
