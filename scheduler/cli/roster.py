"""``zhibu import people FILE``: load a roster (花名册) from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.actions import roster_import
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import by_option, now_option, pass_cli
from scheduler.cli.translated import group

SHOWN = 20


@group("import")
def import_group() -> None:
    """Load records kept elsewhere."""


@import_group.command("people")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing")
@click.option(
    "--mapping",
    multiple=True,
    help="HEADER=field for a column zhibu does not know, e.g. 党员编号=id; HEADER=- skips a column",
)
@by_option
@now_option
@pass_cli
def import_people(
    cli: Cli, file: Path, dry_run: bool, mapping: tuple[str, ...], by: str | None, now_text: str | None
) -> None:
    """Import or update people from CSV/XLSX with Chinese headers (姓名, 所在支部, 人员类别…); every bad row
    is listed and nothing is written while any row is wrong."""
    pairs = dict(item.split("=", 1) for item in mapping if "=" in item)
    progress = cli.progress("progress.roster")
    result = roster_import.import_people(
        cli.app(), operator(by), cli.now(now_text), file, pairs, dry_run=dry_run, progress=progress
    )
    plan = result.plan
    if result.ignored:
        cli.echo(cli.t("roster.ignored", columns="、".join(result.ignored)))
    for warning in result.warnings:
        cli.warn(cli.t("roster.row_warning", row=warning.row, message=warning.message.render(cli.lang)))
    counts = {"added": len(plan.added), "changed": len(plan.changed), "transferred": len(plan.transferred)}
    cli.echo(cli.t("roster.plan", **counts, left=len(plan.left)))
    for ident, old, new in plan.transferred[:SHOWN]:
        cli.echo(f"  {ident}: {old} → {new}")
    for ident in plan.left[:SHOWN]:
        cli.echo(f"  - {ident}")
    if result.dry_run:
        cli.echo(cli.t("roster.dry_run"))
    else:
        cli.echo(cli.t("sync.report", created=result.created, retired=result.retired))
