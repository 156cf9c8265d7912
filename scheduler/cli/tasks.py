"""``zhibu list`` (alias ``agenda``) and ``zhibu show``: what is open, due and overdue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.cli.context import Cli
from scheduler.cli.output import json_option, table, to_json
from scheduler.clock import parse_date
from scheduler.records import DONE_KIND, REVERSAL_KIND
from scheduler.store.models import AuditRow, CompletionRow, PersonRow, TaskRow, UnitRow
from scheduler.sweep import ALL_STATES, DUE_SOON, OPEN, OVERDUE
from scheduler.tasks import TaskFilter, find_task, list_tasks

pass_cli = click.make_pass_decorator(Cli)
STATUS_CHOICES = [s.replace("_", "-") for s in ALL_STATES] + ["active", "all"]


def _names(session: Session, model: type[PersonRow] | type[UnitRow], ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def state_label(cli: Cli, task: TaskRow) -> str:
    """The state as a secretary reads it, with the quota count when there is one."""
    label = cli.t("state.late") if task.state == "done" and task.late else cli.t(f"state.{task.state}")
    if task.count_required > 1:
        label += f" {task.count_done}/{task.count_required}"
    return label


def task_record(task: TaskRow, people: dict[str, str], units: dict[str, str]) -> dict[str, Any]:
    """A task as JSON."""
    return {
        "id": task.id,
        "key": task.key,
        "rule": task.rule_id,
        "title": task.title,
        "unit": task.unit_id,
        "unit_name": units.get(task.unit_id),
        "person": task.person_id or None,
        "person_name": people.get(task.person_id) if task.person_id else None,
        "period": task.period_key,
        "opens_at": task.opens_at,
        "due_at": task.due_at,
        "due_on": task.due_on,
        "state": task.state,
        "late": task.late,
        "count_done": task.count_done,
        "count_required": task.count_required,
        "assignee": task.assignee_id,
        "assignee_name": people.get(task.assignee_id or ""),
    }


def render_tasks(cli: Cli, session: Session, found: Sequence[TaskRow], as_json: bool) -> None:
    """Print tasks as a table or JSON."""
    people = _names(
        session,
        PersonRow,
        {t.assignee_id for t in found if t.assignee_id} | {t.person_id for t in found if t.person_id},
    )
    units = _names(session, UnitRow, {t.unit_id for t in found})
    if as_json:
        cli.echo(to_json([task_record(t, people, units) for t in found]))
        return
    headers = [cli.t(f"col.{c}") for c in ("id", "key", "title", "due", "state", "assignee")]
    rows = [
        [
            t.id,
            t.key,
            t.title,
            t.due_on.isoformat(),
            state_label(cli, t),
            people.get(t.assignee_id or "", t.assignee_id or ""),
        ]
        for t in found
    ]
    cli.echo(table(headers, rows))


def _states(values: Sequence[str]) -> tuple[str, ...]:
    if not values or "active" in values:
        extra = tuple(v.replace("-", "_") for v in values if v != "active")
        return (OPEN, DUE_SOON, OVERDUE, *extra)
    if "all" in values:
        return ()
    return tuple(v.replace("-", "_") for v in values)


@click.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help="State(s) to show; default: active (open, due-soon, overdue) / 状态",
)
@click.option("--unit", help="A unit and the units below it / 组织（含下级）")
@click.option("--rule", "rules", multiple=True, help="Rule id or alias, e.g. 支委会 / 规则")
@click.option("--assignee", help="Owner's id or name / 负责人")
@click.option("--due-before", help="Due on or before this date / 截止日期不晚于")
@click.option("--due-after", help="Due on or after this date / 截止日期不早于")
@click.option("--limit", type=int, help="At most this many rows / 最多显示行数")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601) / 模拟当前时间")
@json_option
@pass_cli
def list_command(
    cli: Cli,
    statuses: tuple[str, ...],
    unit: str | None,
    rules: tuple[str, ...],
    assignee: str | None,
    due_before: str | None,
    due_after: str | None,
    limit: int | None,
    now_text: str | None,
    as_json: bool,
) -> None:
    """List tasks, soonest due first (default: open, due soon and overdue). 列出任务。"""
    app = cli.app()
    cli.now(now_text)
    wanted = TaskFilter(
        states=_states(statuses),
        unit=unit,
        rule=rules,
        assignee=assignee,
        due_before=parse_date(due_before) if due_before else None,
        due_after=parse_date(due_after) if due_after else None,
        limit=limit,
    )
    with app.store.reading() as session:
        found = list_tasks(session, wanted, app.rule_ids_named(rules) if rules else ())
        if not found:
            if as_json:
                cli.echo("[]")
            elif session.scalar(select(TaskRow.id).limit(1)) is None:
                cli.warn(cli.t("task.empty_store"))
            else:
                cli.warn(cli.t("task.none"))
            raise SystemExit(1)
        render_tasks(cli, session, found, as_json)


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


@click.command()
@click.argument("key")
@json_option
@pass_cli
def show(cli: Cli, key: str, as_json: bool) -> None:
    """Show one task with its records and history. 查看任务详情。"""
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
        people = _names(session, PersonRow, {task.assignee_id or "", task.person_id})
        units = _names(session, UnitRow, {task.unit_id})
        if as_json:
            data = task_record(task, people, units)
            data["records"] = [{c.name: getattr(r, c.name) for c in CompletionRow.__table__.columns} for r in records]
            data["history"] = [
                {"at": h.at, "actor": h.actor, "action": h.action, "before": h.before, "after": h.after}
                for h in history
            ]
            cli.echo(to_json(data))
            return
        local_due = task.due_at.astimezone(app.zone)
        opens = task.opens_at.astimezone(app.zone)
        assignee = people.get(task.assignee_id or "", task.assignee_id or "-")
        cli.echo(f"#{task.id}  {task.key}  {task.title}")
        cli.echo(f"{cli.t('col.unit')}: {units.get(task.unit_id, task.unit_id)}   {cli.t('col.assignee')}: {assignee}")
        due = f"{task.due_on} ({local_due:%Y-%m-%d %H:%M} {app.zone.key})"
        cli.echo(f"{cli.t('col.opens')}: {opens:%Y-%m-%d %H:%M}   {cli.t('col.due')}: {due}")
        cli.echo(f"{cli.t('col.state')}: {state_label(cli, task)}")
        cli.echo(cli.t("show.records"))
        cli.echo("\n".join(_record_line(cli, r) for r in records) or "  " + cli.t("show.none"))
        cli.echo(cli.t("show.history"))
        for h in history:
            at = h.at.astimezone(app.zone)
            cli.echo(f"  {at:%Y-%m-%d %H:%M}  {h.actor}  {h.action}  {h.before or ''} → {h.after or ''}")


def register(group: click.Group) -> None:
    """Add this module's commands to ``zhibu``."""
    group.add_command(list_command, "list")
    group.add_command(list_command, "agenda")
    group.add_command(show)
