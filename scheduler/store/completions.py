"""Appending to the completion table: every record on a task — done, waiver, reversal, sendback —
is written here, stamped with the real time and sealed into its hash chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import chain
from scheduler.store.audit import Actor
from scheduler.store.models import CompletionRow

# the columns' defaults, spelled out: the hash covers what is stored, not what the ORM fills in
DEFAULTS: dict[str, Any] = {
    "reverses_id": None,
    "on_behalf_of": None,
    "happened_on": None,
    "late": False,
    "expected": None,
    "present": None,
    "quorum_met": None,
    "note": None,
}


def append(session: Session, actor: Actor, **values: Any) -> CompletionRow:
    """Add a completion row made by ``actor`` (its login and whom it was made for) with
    ``values`` (task_id, kind, recorded_at, …)."""
    row = {**DEFAULTS, "present_names": [], "absent_names": [], "attachments": [], "data": {}, **values}
    row["recorded_by"], row["on_behalf_of"] = actor.login, actor.on_behalf_of
    row["written_at"] = clock.wall_clock()
    completion = CompletionRow(**chain.seal(session, "completion", row))
    session.add(completion)
    return completion
