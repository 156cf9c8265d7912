"""Tamper-evident history: the audit and completion tables as hash chains.

Each row stores the hash of the row before it (``prev_hash``) and its own: sha256 over that
previous hash and the row's canonical content (its fields as sorted, compact JSON, instants in
UTC). Editing a row changes its hash and breaks the link to the next; deleting one breaks the
link across the gap. :func:`verify` recomputes every link from the rows — it never trusts a
stored verdict — and the head (the last hash) is printed where people keep it, so a rewritten
chain can be told from the one they saw (as git and Certificate Transparency do).

Rows are appended in a write transaction; on PostgreSQL an advisory lock makes appends of two
processes take turns, so each reads the head the other left.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scheduler.store.models import AuditRow, CompletionRow

GENESIS = "0" * 64
CHAIN_LOCK = 0x7A68_6962_75 + 2  # beside the tick and migration locks of store.engine

AUDIT_FIELDS = ("at", "written_at", "actor", "on_behalf_of", "action", "entity", "entity_id", "before", "after")
COMPLETION_FIELDS = (
    "task_id",
    "kind",
    "reverses_id",
    "recorded_by",
    "on_behalf_of",
    "recorded_at",
    "written_at",
    "happened_on",
    "late",
    "expected",
    "present",
    "present_names",
    "absent_names",
    "quorum_met",
    "note",
    "attachments",
    "data",
)
CHAINS: dict[str, tuple[type[AuditRow] | type[CompletionRow], tuple[str, ...]]] = {
    "audit": (AuditRow, AUDIT_FIELDS),
    "completion": (CompletionRow, COMPLETION_FIELDS),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(values: Mapping[str, Any], fields: tuple[str, ...]) -> bytes:
    """The bytes a row's hash covers: its fields as sorted, compact JSON."""
    content = {name: _plain(values.get(name)) for name in fields}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def link(previous: str, values: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """The hash of a row that follows ``previous``."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(values, fields)).hexdigest()


def _head_key(table: str) -> str:
    return f"chain_head:{table}"


def head(session: Session, table: str) -> str:
    """The hash the next row of ``table`` follows, read once per transaction (after taking the
    append lock on PostgreSQL) and then carried in the session."""
    key = _head_key(table)
    if key not in session.info:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        model, _ = CHAINS[table]
        last = session.scalar(select(model.hash).order_by(model.id.desc()).limit(1))
        session.info[key] = last or GENESIS
    return str(session.info[key])


def seal(session: Session, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` of a new row of ``table`` with its ``prev_hash`` and ``hash``; the session's
    head moves on, so rows must be inserted in the order they were sealed."""
    _, fields = CHAINS[table]
    previous = head(session, table)
    values["prev_hash"] = previous
    values["hash"] = link(previous, values, fields)
    session.info[_head_key(table)] = values["hash"]
    return values


def forget_head(session: Session) -> None:
    """Drop the carried heads (the transaction ended: another process may append next)."""
    for table in CHAINS:
        session.info.pop(_head_key(table), None)


@dataclass(frozen=True)
class Verdict:
    """What walking a chain found: how many rows, its head, and the first row that breaks it."""

    table: str
    rows: int
    head: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether every link matched."""
        return self.broken_at is None


def _rows(session: Session, table: str, batch: int = 5_000) -> Iterator[Any]:
    model, fields = CHAINS[table]
    columns = [model.id, model.prev_hash, model.hash, *(getattr(model, name) for name in fields)]
    last = 0
    while True:
        chunk = session.execute(select(*columns).where(model.id > last).order_by(model.id).limit(batch)).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id


def verify(session: Session, table: str) -> Verdict:
    """Walk ``table`` in id order and recompute every link; the first mismatch is named."""
    _, fields = CHAINS[table]
    previous, count = GENESIS, 0
    for row in _rows(session, table):
        values = row._asdict()
        if row.prev_hash != previous:
            return Verdict(table, count, previous, row.id, "prev_hash")
        if link(previous, values, fields) != row.hash:
            return Verdict(table, count, previous, row.id, "hash")
        previous, count = row.hash, count + 1
    return Verdict(table, count, previous)


def contains(session: Session, table: str, digest: str) -> bool:
    """Whether ``digest`` is the hash of a row of ``table`` (a head printed earlier)."""
    model, _ = CHAINS[table]
    match = model.hash == digest if len(digest) == len(GENESIS) else model.hash.startswith(digest, autoescape=True)
    return session.scalar(select(model.id).where(match).limit(1)) is not None


def heads(session: Session) -> dict[str, str]:
    """The current head of each chain (the last row's hash), as printed in reports and digests."""
    found = {}
    for table, (model, _) in CHAINS.items():
        found[table] = session.scalar(select(model.hash).order_by(model.id.desc()).limit(1)) or GENESIS
    return found


def head_line(heads: dict[str, str]) -> str:
    """The heads as printed at the foot of reports, in the office's digest and the tick's log
    (the first 16 hex digits of each; ``zhibu audit verify --head`` takes either form)."""
    return f"audit {heads.get('audit', GENESIS)[:16]} · completion {heads.get('completion', GENESIS)[:16]}"
