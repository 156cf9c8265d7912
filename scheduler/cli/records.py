"""``zhibu done``, ``zhibu undo`` and ``zhibu waive``: recording what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.actions.chains import advance, send_back
from scheduler.actions.events import record_problem
from scheduler.actions.records import (
    DoneRequest,
    DoneResult,
    acknowledge,
    record_done,
    record_waiver,
    snooze,
    undo_latest,
)
from scheduler.app import App
from scheduler.cli.context import Cli, current_user
from scheduler.cli.options import by_option, now_option, pass_cli
from scheduler.clock import parse_date, parse_instant
from scheduler.engine.directory import load_roster
from scheduler.store.lookup import find_task
from scheduler.store.models import PersonRow, TaskRow
from workflows.calendar import local_date
from workflows.i18n import UsageError
from workflows.quorum import Attendance

T = TypeVar("T")


def parse_amount(text: str) -> Decimal:
    """An amount in yuan such as ``37.5`` or ``37.50元``."""
    try:
        value = Decimal(text.strip().removesuffix("元").strip())
    except InvalidOperation:
        raise UsageError("dues.bad_amount", value=text) from None
    if value < 0 or not value.is_finite():
        raise UsageError("dues.bad_amount", value=text)
    return value.quantize(Decimal("0.01"))


def _names(values: tuple[str, ...]) -> list[str]:
    """Names given as repeated options or comma/、-separated lists."""
    names: list[str] = []
    for value in values:
        for part in value.replace("，", ",").replace("、", ",").split(","):
            if part.strip():
                names.append(part.strip())
    return names


def change_task(
    cli: Cli, key: str, now_text: str | None, change: Callable[[Session, TaskRow, datetime], T]
) -> tuple[TaskRow, T]:
    """Find the task (locked for the transaction), apply ``change`` and commit; or change nothing."""
    app = cli.app()
    now = cli.now(now_text)
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        result = change(session, task, now)
    return task, result


@click.command()
@click.argument("key")
@click.option("--on", "on_text", help="Date it happened (default today) / 日期，默认今天")
@click.option("--attendees", type=click.IntRange(min=0), help="Number present (实到人数)")
@click.option("--present", multiple=True, help="Names or ids present, comma-separated / 到会人员")
@click.option("--absent", multiple=True, help="Names or ids absent, comma-separated / 缺席人员")
@click.option("--note", help="Topic, findings, anything worth keeping / 备注、主题")
@click.option("--attach", "attachments", multiple=True, help="File path or URL of the minutes, photos… / 附件")
@click.option("--amount", help="Dues paid, in yuan / 实缴党费（元）")
@click.option(
    "--problem", "problems", multiple=True, help="A problem found (e.g. on a visit): becomes a 整改 task / 发现的问题"
)
@click.option("--fix-by", "fix_by", help="Deadline of the problems' rectification (default: 30 days) / 整改期限")
@by_option
@now_option
@pass_cli
def done(
    cli: Cli,
    key: str,
    on_text: str | None,
    attendees: int | None,
    present: tuple[str, ...],
    absent: tuple[str, ...],
    note: str | None,
    attachments: tuple[str, ...],
    amount: str | None,
    problems: tuple[str, ...],
    fix_by: str | None,
    by: str | None,
    now_text: str | None,
) -> None:
    """Record that a task was done; paste the key from the reminder. 登记完成。"""
    app = cli.app()
    now = cli.now(now_text)
    due = parse_date(fix_by) if fix_by else None
    request = DoneRequest(
        on=parse_date(on_text) if on_text else None,
        attendance=Attendance(attendees=attendees, present=_names(present), absent=_names(absent)),
        note=note,
        attachments=attachments,
        by=current_user(by),
        amount=parse_amount(amount) if amount is not None else None,
    )
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        result = _record(session, app, task, request, now)
        following = advance(session, app, task, now)
        next_line = None
        if following is not None:
            owner = _owner_name(session, following)
            if following.period_start > local_date(now, app.zone) and following.stage:
                start = following.period_start
                next_line = cli.t("chain.next_later", key=following.key, start=start, owner=owner, due=following.due_on)
            else:
                next_line = cli.t("chain.next", key=following.key, owner=owner, due=following.due_on)
        finder = task.person_id or task.assignee_id or request.by
        problem_keys = [
            key
            for text in problems
            for key in record_problem(
                session,
                app,
                unit_id=task.unit_id,
                finder=finder,
                text=text,
                on=result.completion.happened_on or local_date(now, app.zone),
                due=due,
                by=request.by,
                now=now,
            )
        ]
        created = {t.key: t for t in session.scalars(select(TaskRow).where(TaskRow.key.in_(problem_keys)))}
        owners = dict(session.execute(select(PersonRow.id, PersonRow.name)).all()) if problem_keys else {}
        problem_lines = [
            cli.t("rectify.created", key=k, owner=owners.get(created[k].assignee_id or "", "-"), due=created[k].due_on)
            for k in problem_keys
        ]
    on = result.completion.happened_on
    cli.echo(cli.t("task.recorded", key=task.key, on=on, count=task.count_done, required=task.count_required))
    for line in problem_lines:
        cli.echo(line)
    if next_line:
        cli.echo(next_line)
    if result.late:
        cli.warn(cli.t("task.recorded_late", due=task.due_on))
    if result.dues_expected is not None:
        paid = request.amount
        if paid is None:
            cli.warn(cli.t("dues.no_amount", expected=result.dues_expected))
        elif paid != result.dues_expected:
            cli.warn(cli.t("dues.differs", expected=result.dues_expected, paid=paid))
    verdict = result.quorum
    if verdict is not None:
        if verdict.met is True:
            cli.echo(cli.t("task.quorum_ok", expected=verdict.voting_expected, present=verdict.voting_present_min))
        elif verdict.met is False:
            cli.warn(cli.t("task.quorum_failed", expected=verdict.voting_expected, present=verdict.voting_present_max))
        elif verdict.present is None:
            cli.warn(cli.t("task.quorum_unknown"))
        else:
            cli.warn(cli.t("task.quorum_ambiguous", present=verdict.present, voting=verdict.voting_expected))


@click.command()
@click.argument("key")
@by_option
@now_option
@pass_cli
def undo(cli: Cli, key: str, by: str | None, now_text: str | None) -> None:
    """Reverse the latest record of a task (a reversal is appended). 撤销最近一次登记。"""
    task, reversal = change_task(
        cli, key, now_text, lambda session, task, now: undo_latest(session, task, by=current_user(by), now=now)
    )
    cli.echo(cli.t("task.undone", key=task.key, record=reversal.reverses_id))


@click.command()
@click.argument("key")
@click.option("--reason", required=True, help="Why it is not needed / 免除原因")
@by_option
@now_option
@pass_cli
def waive(cli: Cli, key: str, reason: str, by: str | None, now_text: str | None) -> None:
    """Waive a task that is not needed this time, with a reason. 免除任务。"""
    task, _ = change_task(
        cli,
        key,
        now_text,
        lambda session, task, now: record_waiver(session, task, reason, by=current_user(by), now=now),
    )
    cli.echo(cli.t("task.waived_ok", key=task.key, reason=reason))


@click.command()
@click.argument("key")
@by_option
@now_option
@pass_cli
def ack(cli: Cli, key: str, by: str | None, now_text: str | None) -> None:
    """Acknowledge an overdue task: its escalation stops. 确认逾期任务，停止逐级上报。"""
    task, _ = change_task(
        cli, key, now_text, lambda session, task, now: acknowledge(session, task, by=current_user(by), now=now)
    )
    cli.echo(cli.t("task.acked", key=task.key))


@click.command("snooze")
@click.argument("key")
@click.option("--until", "until_text", required=True, help="No reminder before this date or time / 暂停提醒至")
@by_option
@now_option
@pass_cli
def snooze_command(cli: Cli, key: str, until_text: str, by: str | None, now_text: str | None) -> None:
    """Defer a task's reminders until a date. 暂停提醒至某日。"""
    zone = cli.app().zone
    until = parse_instant(until_text, zone)
    task, _ = change_task(
        cli, key, now_text, lambda session, task, now: snooze(session, task, until, by=current_user(by), now=now)
    )
    cli.echo(cli.t("task.snoozed", key=task.key, until=f"{until.astimezone(zone):%Y-%m-%d %H:%M}"))


def _record(session: Session, app: App, task: TaskRow, request: DoneRequest, now: datetime) -> DoneResult:
    """``record_done`` with what the app knows: the task's rule, the roster, today's date."""
    rule = app.rules_by_id.get(task.rule_id)
    return record_done(
        session, task, request, rule=rule, roster=load_roster(session), today=local_date(now, app.zone), now=now
    )


def _owner_name(session: Session, task: TaskRow) -> str:
    person = session.get(PersonRow, task.assignee_id) if task.assignee_id else None
    return person.name if person else "-"


@click.command("sendback")
@click.argument("key")
@click.option("--reason", required=True, help="Why it goes back (审查未通过的原因) / 退回原因")
@by_option
@now_option
@pass_cli
def sendback(cli: Cli, key: str, reason: str, by: str | None, now_text: str | None) -> None:
    """Send a stage back: it closes and the previous stage opens again. 退回上一阶段。"""
    app = cli.app()
    _, reopened = change_task(
        cli,
        key,
        now_text,
        lambda session, task, now: send_back(session, app, task, reason, by=current_user(by), now=now),
    )
    with app.store.reading() as session:
        owner = _owner_name(session, reopened)
    cli.echo(cli.t("chain.sent_back", key=reopened.key, owner=owner, due=reopened.due_on))


@click.command()
@click.argument("key")
@click.option("--note", help="What was checked / 确认意见")
@by_option
@now_option
@pass_cli
def confirm(cli: Cli, key: str, note: str | None, by: str | None, now_text: str | None) -> None:
    """Confirm, as the finder, that a problem was rectified: it is closed (问题消号). 确认整改销号。"""
    app = cli.app()
    now = cli.now(now_text)
    request = DoneRequest(note=note, by=current_user(by), confirmation=True)
    with app.store.writing() as session:
        task = find_task(session, key, for_update=True)
        _record(session, app, task, request, now)
    cli.echo(cli.t("rectify.confirmed", key=task.key))
