"""``zhibu show``: one task with its records and history."""

from __future__ import annotations

import click
from sqlalchemy import select

from scheduler.cli.context import Cli
from scheduler.cli.listing import state_label, task_record
from scheduler.cli.options import json_option, pass_cli
from scheduler.cli.translated import command
from scheduler.reports.text import to_json
from scheduler.store.listing import TaskFilter, task_lines
from scheduler.store.lookup import find_task, session_reader
from scheduler.store.models import AuditRow, CompletionRow
from scheduler.store.states import DONE_KIND, REVERSAL_KIND


def _record_line(cli: Cli, record: CompletionRow) -> str:
    if record.kind == REVERSAL_KIND:
        what = cli.t("record.reversal", id=record.reverses_id)
    else:
        what = cli.t(f"record.{record.kind}")
    parts = [f"#{record.id}", what]
    if record.kind == DONE_KIND and record.happened_on:
        parts.append(record.happened_on.isoformat() + (f" ({cli.t('state.late')})" if record.late else ""))
    if record.expected is not None or record.present is not None:
        parts.append(f"{record.present}/{record.expected}")
    if record.quorum_met is not None:
        parts.append("✓" if record.quorum_met else "✗")
    if record.note:
        parts.append(record.note)
    parts.extend(record.attachments or [])
    parts.append(f"— {record.recorded_by} {record.recorded_at:%Y-%m-%d %H:%M}Z")
    return "  " + "  ".join(str(p) for p in parts)


@command()
@click.argument("key")
@json_option
@pass_cli
def show(cli: Cli, key: str, as_json: bool) -> None:
    """Show one task with its records and history."""
    app = cli.app()
    with app.store.reading() as session:
        task = find_task(session, key)
        records = list(
            session.scalars(select(CompletionRow).where(CompletionRow.task_id == task.id).order_by(CompletionRow.id))
        )
        history = list(
            session.scalars(
                select(AuditRow)
                .where(AuditRow.entity == "task", AuditRow.entity_id == str(task.id))
                .order_by(AuditRow.id)
            )
        )
        line = task_lines(session_reader(session), TaskFilter(states=(), task_id=task.id))[0]
        if as_json:
            data = task_record(line)
            data["records"] = [{c.name: getattr(r, c.name) for c in CompletionRow.__table__.columns} for r in records]
            data["history"] = [
                {"at": h.at, "actor": h.actor, "action": h.action, "before": h.before, "after": h.after}
                for h in history
            ]
            cli.echo(to_json(data))
            return
        local_due = task.due_at.astimezone(app.zone)
        opens = task.opens_at.astimezone(app.zone)
        assignee = line.assignee_name or task.assignee_id or "-"
        cli.echo(f"#{task.id}  {task.key}  {task.title}")
        cli.echo(f"{cli.t('col.unit')}: {line.unit_name or task.unit_id}   {cli.t('col.assignee')}: {assignee}")
        due = f"{task.due_on} ({local_due:%Y-%m-%d %H:%M} {app.zone.key})"
        cli.echo(f"{cli.t('col.opens')}: {opens:%Y-%m-%d %H:%M}   {cli.t('col.due')}: {due}")
        cli.echo(f"{cli.t('col.state')}: {state_label(cli, task)}")
        cli.echo(cli.t("show.records"))
        cli.echo("\n".join(_record_line(cli, r) for r in records) or "  " + cli.t("show.none"))
        cli.echo(cli.t("show.history"))
        for h in history:
            at = h.at.astimezone(app.zone)
            cli.echo(f"  {at:%Y-%m-%d %H:%M}  {h.actor}  {h.action}  {h.before or ''} → {h.after or ''}")
