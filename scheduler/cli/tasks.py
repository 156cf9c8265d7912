"""``zhibu show``: one task with its records and history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from sqlalchemy import select

from scheduler.cli.context import Cli
from scheduler.cli.listing import state_label, task_record
from scheduler.cli.options import json_option, pass_cli
from scheduler.cli.translated import command
from scheduler.reports.text import to_json, visible
from scheduler.store import evidence
from scheduler.store.listing import TaskFilter, task_lines
from scheduler.store.lookup import find_task, session_reader
from scheduler.store.models import AuditRow, CompletionRow
from scheduler.store.people import operator_names
from scheduler.store.states import DONE_KIND, REVERSAL_KIND


def backfilled(record: CompletionRow, zone: ZoneInfo) -> bool:
    """Whether the record was made after the day it says it happened (补录)."""
    return record.happened_on is not None and record.happened_on < record.recorded_at.astimezone(zone).date()


def _who(record_by: str, on_behalf_of: str | None, names: dict[str, str], cli: Cli) -> str:
    shown = f"{names[record_by]}（{record_by}）" if record_by in names else record_by
    return shown + (" " + cli.t("show.on_behalf", name=on_behalf_of) if on_behalf_of else "")


def _changes(before: dict[str, object] | None, after: dict[str, object] | None) -> str:
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    parts = []
    for key in keys:
        old, new = (before or {}).get(key), (after or {}).get(key)
        parts.append(f"{key} {old} → {new}" if key in (before or {}) and old != new else f"{key}={new}")
    return "，".join(parts)


def _record_line(cli: Cli, record: CompletionRow, zone: ZoneInfo, names: dict[str, str]) -> list[str]:
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
    if record.data.get("amount"):
        parts.append(cli.t("show.amount", amount=record.data["amount"]))
    if record.note:
        parts.append(visible(record.note))
    recorded = record.recorded_at.astimezone(zone)
    parts.append(f"— {_who(record.recorded_by, record.on_behalf_of, names, cli)} {recorded:%Y-%m-%d %H:%M}")
    if backfilled(record, zone):
        parts.append(cli.t("show.backfilled", on=record.happened_on, recorded=f"{recorded:%Y-%m-%d}"))
    lines = ["  " + "  ".join(str(p) for p in parts)]
    for item in record.attachments or []:
        parsed = evidence.parse_reference(item)
        shown = f"{parsed[1]}  sha256:{parsed[0][:16]}…" if parsed else item
        lines.append("      " + cli.t("show.evidence", item=visible(shown)))
    return lines


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
                {
                    "at": h.at,
                    "actor": h.actor,
                    "on_behalf_of": h.on_behalf_of,
                    "action": h.action,
                    "before": h.before,
                    "after": h.after,
                }
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
        names = operator_names(session, {r.recorded_by for r in records} | {h.actor for h in history})
        cli.echo(cli.t("show.records"))
        lines = [line for r in records for line in _record_line(cli, r, app.zone, names)]
        cli.echo("\n".join(lines) or "  " + cli.t("show.none"))
        cli.echo(cli.t("show.history"))
        if not history:
            cli.echo("  " + cli.t("show.none"))
        for h in history:
            at = h.at.astimezone(app.zone)
            who = _who(h.actor, h.on_behalf_of, names, cli)
            cli.echo(f"  {at:%Y-%m-%d %H:%M}  {who}  {h.action}  {visible(_changes(h.before, h.after))}")
