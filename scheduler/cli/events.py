"""``zhibu event add|list``: facts recorded later that call for a visit or a talk (五必访、五必谈)."""

from __future__ import annotations

import click
from sqlalchemy import select

from scheduler.actions.events import add_event
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import by_option, json_option, now_option, pass_cli
from scheduler.cli.translated import group
from scheduler.clock import parse_date
from scheduler.reports.text import table, to_json
from scheduler.store.models import EventRow
from workflows.vocabulary import EVENT_NAMES


@group()
def event() -> None:
    """Events that call for a visit or a talk."""


@event.command("add")
@click.argument("kind")
@click.option("--person", "who", required=True, help="The person's id or name")
@click.option("--on", "on_text", help="Date it happened (default today)")
@click.option("--note", help="What happened")
@by_option
@now_option
@pass_cli
def event_add(
    cli: Cli, kind: str, who: str, on_text: str | None, note: str | None, by: str | None, now_text: str | None
) -> None:
    """Record an event (e.g."""
    app, now = cli.app(), cli.now(now_text)
    on = parse_date(on_text, today=now.astimezone(app.zone).date()) if on_text else None
    result = add_event(app, operator(by), now, kind, who, on=on, note=note)
    name = EVENT_NAMES.get(result.kind, (result.kind, result.kind))[0 if cli.lang == "zh" else 1]
    cli.echo(cli.t("event.recorded", id=result.id, kind=name, who=result.person_id, on=result.on))
    for key, due in result.tasks:
        cli.echo(cli.t("event.task", key=key, due=due or "?"))


@event.command("list")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows")
@json_option
@pass_cli
def event_list(cli: Cli, limit: int, as_json: bool) -> None:
    """Recorded events, newest first."""
    app = cli.app()
    with app.store.reading() as session:
        rows = list(session.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(limit)))
    if as_json:
        cli.echo(
            to_json(
                [
                    {
                        "id": r.id,
                        "kind": r.kind,
                        "person": r.person_id,
                        "unit": r.unit_id,
                        "on": r.happened_on,
                        "note": r.note,
                        "by": r.recorded_by,
                    }
                    for r in rows
                ]
            )
        )
        return
    cli.echo(
        table(
            ["ID", *(cli.t(f"col.{c}") for c in ("kind", "person", "unit", "on", "note"))],
            [[r.id, r.kind, r.person_id, r.unit_id, r.happened_on, r.note or ""] for r in rows],
        )
    )
