"""``zhibu notify test``, ``zhibu outbox list|retry`` and ``zhibu status``: is anyone hearing us?"""

from __future__ import annotations

import click

from scheduler.actions.outbox import retry
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import json_option, now_option, pass_cli
from scheduler.cli.translated import command, group
from scheduler.engine.digests import SUPERSEDED, UNREACHABLE
from scheduler.engine.outbox import FAILED, QUEUED, SENDING, SENT
from scheduler.reports.text import table, to_json
from scheduler.service.probe import send_test
from scheduler.service.status import outbox_record, outbox_rows, service_status
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE
from workflows.durations import format_duration


@group()
def notify() -> None:
    """Channels and messages."""


@notify.command("test")
@click.option("--to", "who", required=True, help="A person's id or name, or an apprise URL")
@pass_cli
def notify_test(cli: Cli, who: str) -> None:
    """Send a test message now and report each channel's answer."""
    answers = send_test(cli.app(), who, cli.lang)
    for answer in answers:
        if answer.ok:
            cli.echo(cli.t("notify.sent", channel=answer.channel))
        else:
            cli.warn(cli.t("notify.failed", channel=answer.channel, error=answer.error))
    if not all(answer.ok for answer in answers):
        raise SystemExit(1)


@group()
def outbox() -> None:
    """Messages queued, sent and failed."""


@outbox.command("list")
@click.option("--failed", is_flag=True, help="Only failed messages")
@click.option(
    "--status",
    "status_filter",
    type=click.Choice([QUEUED, SENDING, SENT, FAILED, UNREACHABLE, SUPERSEDED]),
    help="Only this status",
)
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows")
@json_option
@pass_cli
def outbox_list(cli: Cli, failed: bool, status_filter: str | None, limit: int, as_json: bool) -> None:
    """List messages, newest first."""
    rows = outbox_rows(cli.app(), FAILED if failed else status_filter, limit)
    if as_json:
        cli.echo(to_json([outbox_record(r) for r in rows]))
        return
    if not rows:
        cli.warn(cli.t("outbox.none"))
        raise SystemExit(1)
    headers = [
        "ID",
        *(cli.t(f"col.{c}") for c in ("kind", "recipient", "channel", "day", "status", "attempts", "error")),
    ]
    cli.echo(
        table(
            headers,
            [
                [r.id, r.kind, r.recipient, r.channel, r.day, r.status, r.attempts, (r.last_error or "")[:80]]
                for r in rows
            ],
        )
    )


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Every failed message")
@pass_cli
def outbox_retry(cli: Cli, ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed messages again (after fixing the channel)."""
    if not ids and not all_failed:
        raise click.UsageError("give message ids or --all-failed")
    count = retry(cli.app(), operator(None), cli.now(None), ids, all_failed=all_failed)
    cli.echo(cli.t("outbox.retried", count=count))
    if not count:
        raise SystemExit(1)


@command()
@now_option
@json_option
@pass_cli
def status(cli: Cli, now_text: str | None, as_json: bool) -> None:
    """Show the last tick, the delivery queue and recent failures; exits 1 when the service has
    not ticked for three intervals (for monitors)."""
    app = cli.app()
    data = service_status(app, cli.now(now_text))
    interval = app.loaded.config.daemon.tick_interval
    if as_json:
        cli.echo(to_json(data))
        raise SystemExit(1 if data["stale"] else 0)
    zone = app.zone
    last = data["last_tick"]
    cli.echo(cli.t("status.last_tick", at=f"{last.astimezone(zone):%Y-%m-%d %H:%M}" if last else cli.t("status.never")))
    queue = data["queue"]
    oldest = data["oldest_queued"]
    cli.echo(
        cli.t(
            "status.queue",
            queued=queue[QUEUED],
            oldest=f"{oldest.astimezone(zone):%Y-%m-%d %H:%M}" if oldest else "-",
            sending=queue[SENDING],
            sent=queue[SENT],
            failed=queue[FAILED],
        )
    )
    cli.echo(
        cli.t(
            "status.tasks", open=data["tasks"][OPEN], due_soon=data["tasks"][DUE_SOON], overdue=data["tasks"][OVERDUE]
        )
    )
    if data["unreachable"]:
        cli.warn(cli.t("status.unreachable", count=len(data["unreachable"]), who="、".join(data["unreachable"][:10])))
    unpublished = app.workdays.unpublished_next_year(cli.now(now_text).astimezone(zone).date())
    if unpublished:
        cli.warn(cli.t("calendar.unpublished", year=unpublished))
    if data["paused_channels"]:
        cli.warn(cli.t("status.paused", channels="、".join(data["paused_channels"])))
    if data["recent_failures"]:
        cli.echo(cli.t("status.failures"))
        for failure in data["recent_failures"]:
            cli.echo(f"  #{failure['id']}  {failure['recipient']}  {failure['channel']}  {failure['last_error']}")
    cli.echo(cli.t("status.store", url=data["store"]["url"], revision=data["store"]["schema"]))
    cli.echo(cli.t("status.mode", mode=cli.t(f"mode.{data['store']['mode']}")))
    cli.echo(cli.t("status.config", path=data["config"]["path"], version=data["config"]["version"]))
    if data["stale"]:
        cli.warn(cli.t("status.stale", interval=format_duration(interval)))
    if data["stale"]:
        raise SystemExit(1)
