"""``zhibu audit verify``: is the history what it was? Both chains walked and every link
recomputed, every evidence file found and hashed again, and a head printed earlier looked up."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from scheduler.app import App
from scheduler.store import chain, evidence
from scheduler.store.models import CompletionRow


@dataclass(frozen=True)
class Integrity:
    """What verification found: each chain's verdict, missing or changed evidence, and whether
    a head given to look for is in a chain."""

    chains: list[chain.Verdict]
    evidence: list[evidence.Missing] = field(default_factory=list)
    head_found: bool | None = None

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return all(v.ok for v in self.chains) and not self.evidence and self.head_found is not False


def verify(app: App, head: str | None = None) -> Integrity:
    """Walk both chains, check the evidence, and look for ``head`` (a full hash or its first
    16 characters as printed) among the rows' hashes."""
    with app.store.reading() as session:
        verdicts = [chain.verify(session, table) for table in chain.CHAINS]
        attachments = session.execute(select(CompletionRow.id, CompletionRow.attachments)).all()
        missing = evidence.check(app.evidence_dir, ((row.id, row.attachments) for row in attachments))
        found = None
        if head is not None:
            found = any(chain.contains(session, table, head.strip().lower()) for table in chain.CHAINS)
    return Integrity(verdicts, missing, found)
