"""``zhibu notify test``, ``zhibu outbox list|retry`` and ``zhibu status``: is anyone hearing us?"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from notifiers.channels import parse_channel, send
from notifiers.redact import redact_text, redact_url
from notifiers.render import environment, render
from notifiers.routing import channel_url, targets_for
from scheduler import clock
from scheduler.cli.context import Cli
from scheduler.cli.options import json_option, now_option, pass_cli
from scheduler.engine.outbox import FAILED, QUEUED, SENDING, SENT
from scheduler.engine.tick import TICK_META
from scheduler.reports.text import table, to_json
from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.models import MetaRow, OutboxRow, PersonRow, TaskRow
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE
from workflows.durations import format_duration
from workflows.i18n import NotFoundError, UsageError


@click.group()
def notify() -> None:
    """Channels and messages. 提醒渠道。"""


@notify.command("test")
@click.option("--to", "who", required=True, help="A person's id or name, or an apprise URL / 人员或渠道地址")
@pass_cli
def notify_test(cli: Cli, who: str) -> None:
    """Send a test message now and report each channel's answer. 发送测试消息。"""
    app = cli.app()
    message = render(environment(app.templates_dir), cli.lang, "test", {"org": app.loaded.config.org.name})
    if "://" in who:
        if parse_channel(who) is None:
            raise UsageError("config.bad_channel_url", url=redact_url(who))
        attempts = [(redact_url(who), who)]
        secrets = [who]
    else:
        configured = next((p for p in app.loaded.config.people if who in (p.id, p.name)), None)
        if configured is not None:
            ident, email = configured.id, configured.email
        else:
            with app.store.reading() as session:
                stored = session.scalars(
                    select(PersonRow).where(or_(PersonRow.id == who, PersonRow.name == who))
                ).first()
            if stored is None:
                raise NotFoundError("notify.unknown", who=who)
            ident, email = stored.id, stored.email
        targets = targets_for(f"person:{ident}", app.loaded, email)
        if not targets:
            raise NotFoundError("notify.no_target", who=who)
        attempts = [
            (t.channel + (f" ({t.address})" if t.address else ""), channel_url(app.loaded, t) or "") for t in targets
        ]
        secrets = list(app.loaded.channel_urls.values())
    failures = 0
    for label, url in attempts:
        result = send(url, message)
        if result.ok:
            cli.echo(cli.t("notify.sent", channel=label))
        else:
            failures += 1
            cli.warn(cli.t("notify.failed", channel=label, error=redact_text(result.error, secrets)))
    if failures:
        raise SystemExit(1)


@click.group()
def outbox() -> None:
    """Messages queued, sent and failed. 发件箱。"""


def outbox_record(row: OutboxRow) -> dict[str, Any]:
    """An outbox row as JSON (bodies left out)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "recipient": row.recipient,
        "channel": row.channel,
        "address": row.address,
        "day": row.day,
        "title": row.title,
        "items": row.items,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "sent_at": row.sent_at,
        "last_error": row.last_error,
    }


@outbox.command("list")
@click.option("--failed", is_flag=True, help="Only failed messages / 只看失败的")
@click.option(
    "--status", "status_filter", type=click.Choice([QUEUED, SENDING, SENT, FAILED]), help="Only this status / 状态"
)
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows / 最多显示行数")
@json_option
@pass_cli
def outbox_list(cli: Cli, failed: bool, status_filter: str | None, limit: int, as_json: bool) -> None:
    """List messages, newest first. 列出消息。"""
    app = cli.app()
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if failed or status_filter:
        query = query.where(OutboxRow.status == (FAILED if failed else status_filter))
    with app.store.reading() as session:
        rows = list(session.scalars(query))
    if as_json:
        cli.echo(to_json([outbox_record(r) for r in rows]))
        return
    if not rows:
        cli.warn(cli.t("outbox.none"))
        raise SystemExit(1)
    headers = ["ID", "kind", "recipient", "channel", "day", "status", "attempts", "error"]
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
@click.option("--all-failed", is_flag=True, help="Every failed message / 全部失败消息")
@pass_cli
def outbox_retry(cli: Cli, ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed messages again (after fixing the channel). 重新发送失败的消息。"""
    if not ids and not all_failed:
        raise click.UsageError("give message ids or --all-failed")
    app = cli.app()
    now = clock.now()
    condition = OutboxRow.status == FAILED if all_failed else OutboxRow.id.in_(ids)
    with app.store.writing() as session:
        result = session.execute(
            update(OutboxRow)
            .where(condition, OutboxRow.status != SENT)
            .values(status=QUEUED, attempts=0, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    cli.echo(cli.t("outbox.retried", count=count))
    if not count:
        raise SystemExit(1)


def status_data(session: Session) -> dict[str, Any]:
    """Queue depth, the oldest queued message, recent failures, task counts, the last tick."""
    counts = dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())
    oldest = session.scalar(select(func.min(OutboxRow.created_at)).where(OutboxRow.status == QUEUED))
    failures = session.scalars(
        select(OutboxRow).where(OutboxRow.status == FAILED).order_by(OutboxRow.id.desc()).limit(5)
    ).all()
    tasks = dict(
        session.execute(
            select(TaskRow.state, func.count())
            .where(TaskRow.state.in_([OPEN, DUE_SOON, OVERDUE]))
            .group_by(TaskRow.state)
        ).all()
    )
    tick_row = session.get(MetaRow, TICK_META)
    return {
        "last_tick": datetime.fromisoformat(tick_row.value["at"]) if tick_row else None,
        "queue": {state: counts.get(state, 0) for state in (QUEUED, SENDING, SENT, FAILED)},
        "oldest_queued": oldest,
        "recent_failures": [outbox_record(r) for r in failures],
        "tasks": {state: tasks.get(state, 0) for state in (OPEN, DUE_SOON, OVERDUE)},
    }


@click.command()
@now_option
@json_option
@pass_cli
def status(cli: Cli, now_text: str | None, as_json: bool) -> None:
    """Show the last tick, the delivery queue and recent failures; exits 1 when the service has
    not ticked for three intervals (for monitors). 运行状态。"""
    app = cli.app()
    now = cli.now(now_text)
    with app.store.reading() as session:
        data = status_data(session)
    interval = app.loaded.config.daemon.tick_interval
    last = data["last_tick"]
    data["stale"] = last is None or now - last > 3 * interval
    data["next_tick"] = last + interval if last else None
    data["store"] = {"url": app.store.display_url, "schema": app.store.schema_revision() or SCHEMA_HEAD}
    data["config"] = {"path": str(app.loaded.path), "version": app.loaded.fingerprint[:12]}
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
    if data["recent_failures"]:
        cli.echo(cli.t("status.failures"))
        for failure in data["recent_failures"]:
            cli.echo(f"  #{failure['id']}  {failure['recipient']}  {failure['channel']}  {failure['last_error']}")
    cli.echo(cli.t("status.store", url=data["store"]["url"], revision=data["store"]["schema"]))
    cli.echo(cli.t("status.config", path=data["config"]["path"], version=data["config"]["version"]))
    if data["stale"]:
        cli.warn(cli.t("status.stale", interval=format_duration(interval)))
    if data["stale"]:
        raise SystemExit(1)
