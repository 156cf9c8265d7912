"""``zhibu audit verify``: walk the hash-chained history and say whether it is intact."""

from __future__ import annotations

import click

from scheduler.cli.context import Cli
from scheduler.cli.options import json_option, pass_cli
from scheduler.cli.translated import group
from scheduler.reports.integrity import verify
from scheduler.reports.text import to_json


@group("audit")
def audit_group() -> None:
    """The history of every record, hash-chained."""


@audit_group.command("verify")
@click.option("--head", "head", help="A head printed earlier (in a report or digest): is it still in the chain?")
@json_option
@pass_cli
def audit_verify(cli: Cli, head: str | None, as_json: bool) -> None:
    """Recompute every link of the history's chains and check the evidence files (exit 1 on a mismatch)."""
    found = verify(cli.app(), head)
    if as_json:
        cli.echo(
            to_json(
                {
                    "ok": found.ok,
                    "chains": [vars(v) | {"ok": v.ok} for v in found.chains],
                    "evidence": [vars(m) for m in found.evidence],
                    "head_found": found.head_found,
                }
            )
        )
    else:
        for verdict in found.chains:
            if verdict.ok:
                cli.echo(cli.t("audit.chain_ok", table=verdict.table, rows=verdict.rows, head=verdict.head))
            else:
                cli.warn(cli.t("audit.chain_broken", table=verdict.table, id=verdict.broken_at, rows=verdict.rows))
        for missing in found.evidence:
            cli.warn(cli.t(f"audit.evidence_{missing.reason}", id=missing.completion_id, name=missing.name))
        if found.head_found is not None:
            (cli.echo if found.head_found else cli.warn)(
                cli.t("audit.head_found" if found.head_found else "audit.head_missing", head=head)
            )
    if not found.ok:
        raise SystemExit(1)
