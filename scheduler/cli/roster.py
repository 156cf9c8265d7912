"""``zhibu import people FILE``: load a roster (花名册) from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from scheduler.actions.roster_import import apply_import, plan_import
from scheduler.cli.context import Cli, current_user
from scheduler.cli.options import now_option, pass_cli
from scheduler.engine.materialize import sync
from scheduler.store.models import UnitRow
from workflows.i18n import UsageError
from workflows.roster_file import parse_roster, read_rows, unit_lookup

SHOWN = 20


@click.group("import")
def import_group() -> None:
    """Load records kept elsewhere. 导入。"""


@import_group.command("people")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing / 只预览")
@click.option(
    "--mapping", multiple=True, help="HEADER=field for a column zhibu does not know, e.g. 党员编号=id / 列名映射"
)
@click.option("--by", help="Who imports / 导入人")
@now_option
@pass_cli
def import_people(
    cli: Cli, file: Path, dry_run: bool, mapping: tuple[str, ...], by: str | None, now_text: str | None
) -> None:
    """Import or update people from CSV/XLSX with Chinese headers (姓名, 所在支部, 人员类别…); every bad row
    is listed and nothing is written while any row is wrong. 导入花名册。"""
    app = cli.app()
    now = cli.now(now_text)
    pairs = dict(item.split("=", 1) for item in mapping if "=" in item)
    config_ids = {p.id for p in app.loaded.config.people}
    with app.store.writing() as session:
        units = unit_lookup(
            session.execute(select(UnitRow.id, UnitRow.name).where(UnitRow.active.is_(True))).all()
            or [(u.id, u.name) for u in app.loaded.config.units]
        )
        parsed = parse_roster(read_rows(file), units, pairs)
        plan = plan_import(session, parsed.people, config_ids)
        errors = sorted([*parsed.errors, *plan.errors], key=lambda e: (e.row, e.column))
        if errors:
            lines = [cli.t("roster.row_error", row=e.row, message=e.message.render(cli.lang)) for e in errors]
            raise UsageError("roster.invalid", path=file, count=len(errors), details=lines)
        cli.echo(
            cli.t(
                "roster.plan",
                added=len(plan.added),
                changed=len(plan.changed),
                transferred=len(plan.transferred),
                left=len(plan.left),
            )
        )
        for ident, old, new in plan.transferred[:SHOWN]:
            cli.echo(f"  {ident}: {old} → {new}")
        for ident in plan.left[:SHOWN]:
            cli.echo(f"  - {ident}")
        if dry_run:
            cli.echo(cli.t("roster.dry_run"))
            session.rollback()
            return
        apply_import(session, parsed.people, plan, by=current_user(by), now=now)
        session.flush()
        report = sync(session, app.loaded, app.rules, app.workdays, now)
    cli.echo(cli.t("sync.report", created=report.created, retired=report.retired))
