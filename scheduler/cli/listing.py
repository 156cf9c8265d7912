"""``zhibu list`` (alias ``agenda``): what is open, due and overdue.

Light on purpose: it imports neither SQLAlchemy nor the config schema, so on a SQLite store a
cold ``zhibu list`` costs little more than Python's own start-up (see docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from scheduler.cli.context import Cli
from scheduler.cli.options import json_option, now_option, pass_cli
from scheduler.cli.translated import command
from scheduler.clock import parse_date
from scheduler.reports.text import table, to_json
from scheduler.store.listing import TaskFilter, TaskLine, has_tasks, task_lines
from scheduler.store.states import ALL_STATES, DUE_SOON, OPEN, OVERDUE

if TYPE_CHECKING:
    from scheduler.store.models import TaskRow

STATUS_CHOICES = [s.replace("_", "-") for s in ALL_STATES] + ["active", "all"]


def state_label(cli: Cli, task: TaskRow | TaskLine) -> str:
    """The state as a secretary reads it, with the quota count when there is one."""
    label = cli.t("state.late") if task.state == "done" and task.late else cli.t(f"state.{task.state}")
    if task.count_required > 1:
        label += f" {task.count_done}/{task.count_required}"
    return label


def task_record(task: TaskLine) -> dict[str, Any]:
    """A task as JSON."""
    return {
        "id": task.id,
        "key": task.key,
        "rule": task.rule_id,
        "title": task.title,
        "unit": task.unit_id,
        "unit_name": task.unit_name,
        "person": task.person_id or None,
        "person_name": task.person_name,
        "period": task.period_key,
        "opens_at": task.opens_at,
        "due_at": task.due_at,
        "due_on": task.due_on,
        "state": task.state,
        "late": task.late,
        "count_done": task.count_done,
        "count_required": task.count_required,
        "assignee": task.assignee_id,
        "assignee_name": task.assignee_name,
    }


def render_tasks(cli: Cli, found: Sequence[TaskLine], as_json: bool) -> None:
    """Print tasks as a table or JSON."""
    if as_json:
        cli.echo(to_json([task_record(t) for t in found]))
        return
    headers = [cli.t(f"col.{c}") for c in ("id", "key", "title", "due", "state", "assignee")]
    labels: dict[tuple[str, Any, int, int], str] = {}  # a few distinct states down thousands of rows
    rows = []
    for t in found:
        shown = (t.state, t.late_stored, t.count_done, t.count_required)
        label = labels.get(shown) or labels.setdefault(shown, state_label(cli, t))
        # the stored date is ISO text from SQLite and a date from PostgreSQL: both print as ISO
        rows.append((str(t.id), t.key, t.title, str(t.due_on_stored), label, t.assignee_name or t.assignee_id))
    cli.echo(table(headers, rows))


def _states(values: Sequence[str]) -> tuple[str, ...]:
    if not values or "active" in values:
        extra = tuple(v.replace("-", "_") for v in values if v != "active")
        return (OPEN, DUE_SOON, OVERDUE, *extra)
    if "all" in values:
        return ()
    return tuple(v.replace("-", "_") for v in values)


@command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help="State(s) to show; default: active (open, due-soon, overdue)",
)
@click.option("--unit", help="A unit and the units below it")
@click.option("--rule", "rules", multiple=True, help="Rule id or alias, e.g. 支委会")
@click.option("--assignee", help="Owner's id or name")
@click.option("--chased-by", help="Overdue work escalated to this person (id or name), as their digest lists it")
@click.option("--due-before", help="Due on or before this date")
@click.option("--due-after", help="Due on or after this date")
@click.option("--limit", type=int, help="At most this many rows")
@now_option
@json_option
@pass_cli
def list_command(
    cli: Cli,
    statuses: tuple[str, ...],
    unit: str | None,
    rules: tuple[str, ...],
    assignee: str | None,
    chased_by: str | None,
    due_before: str | None,
    due_after: str | None,
    limit: int | None,
    now_text: str | None,
    as_json: bool,
) -> None:
    """List tasks, soonest due first (default: open, due soon and overdue)."""
    cli.now(now_text)
    wanted = TaskFilter(
        states=_states(statuses),
        unit=unit,
        rule=rules,
        assignee=assignee,
        chased_by=chased_by,
        due_before=parse_date(due_before) if due_before else None,
        due_after=parse_date(due_after) if due_after else None,
        limit=limit,
    )
    rule_ids = cli.app().rule_ids_named(rules) if rules else ()  # aliases live in the validated config
    with cli.reader() as read:
        found = task_lines(read, wanted, rule_ids, brief=not as_json)
        if not found:
            if as_json:
                cli.echo("[]")
            elif not has_tasks(read):
                cli.warn(cli.t("task.empty_store"))
            else:
                cli.warn(cli.t("task.none"))
            raise SystemExit(1)
        render_tasks(cli, found, as_json)
