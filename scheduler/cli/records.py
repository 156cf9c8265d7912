"""``zhibu done``, ``undo``, ``waive``, ``ack``, ``snooze``, ``sendback`` and ``confirm``: parse, call
the actions layer, print what it answers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from scheduler.actions import recording
from scheduler.actions.records import DoneRequest
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import by_option, now_option, pass_cli
from scheduler.cli.translated import command
from scheduler.clock import parse_date, parse_instant
from workflows.errors import UsageError
from workflows.quorum import Attendance


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


@command()
@click.argument("key")
@click.option("--on", "on_text", help="Date it happened (default today)")
@click.option("--attendees", type=click.IntRange(min=0), help="Number present")
@click.option("--present", multiple=True, help="Names or ids present, comma-separated")
@click.option("--absent", multiple=True, help="Names or ids absent, comma-separated")
@click.option("--note", help="Topic, findings, anything worth keeping")
@click.option("--attach", "attachments", multiple=True, help="File path or URL of the minutes, photos…")
@click.option("--amount", help="Dues paid, in yuan")
@click.option("--problem", "problems", multiple=True, help="A problem found (e.g. on a visit): becomes a 整改 task")
@click.option("--fix-by", "fix_by", help="Deadline of the problems' rectification (default: 30 days)")
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
    """Record that a task was done; paste the key from the reminder."""
    app = cli.app()
    now = cli.now(now_text)
    request = DoneRequest(
        on=parse_date(on_text, today=now.astimezone(app.zone).date()) if on_text else None,
        attendance=Attendance(attendees=attendees, present=_names(present), absent=_names(absent)),
        note=note,
        attachments=attachments,
        amount=parse_amount(amount) if amount is not None else None,
    )
    fix = parse_date(fix_by, today=now.astimezone(app.zone).date()) if fix_by else None
    result = recording.done(app, operator(by), now, key, request, problems=problems, fix_by=fix)
    print_done(cli, result)


def print_done(cli: Cli, result: recording.Done) -> None:
    """What ``done`` recorded, the tasks it opened, and the warnings it calls for."""
    cli.echo(
        cli.t("task.recorded", key=result.key, on=result.on, count=result.count_done, required=result.count_required)
    )
    for line in result.problems:
        cli.echo(cli.t("rectify.created", key=line.key, owner=line.owner, due=line.due_on))
    following = result.next_stage
    if following is not None and following.starts_on is not None:
        start, owner, due = following.starts_on, following.owner, following.due_on
        cli.echo(cli.t("chain.next_later", key=following.key, start=start, owner=owner, due=due))
    elif following is not None:
        cli.echo(cli.t("chain.next", key=following.key, owner=following.owner, due=following.due_on))
    if result.late:
        cli.warn(cli.t("task.recorded_late", due=result.due_on))
    if result.dues_expected is not None:
        paid = result.amount
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


@command()
@click.argument("key")
@by_option
@now_option
@pass_cli
def undo(cli: Cli, key: str, by: str | None, now_text: str | None) -> None:
    """Reverse the latest record of a task (a reversal is appended)."""
    result = recording.undo(cli.app(), operator(by), cli.now(now_text), key)
    cli.echo(cli.t("task.undone", key=result.key, record=result.record_id))


@command()
@click.argument("key")
@click.option("--reason", required=True, help="Why it is not needed")
@by_option
@now_option
@pass_cli
def waive(cli: Cli, key: str, reason: str, by: str | None, now_text: str | None) -> None:
    """Waive a task that is not needed this time, with a reason."""
    result = recording.waive(cli.app(), operator(by), cli.now(now_text), key, reason)
    cli.echo(cli.t("task.waived_ok", key=result.key, reason=reason))


@command()
@click.argument("key")
@by_option
@now_option
@pass_cli
def ack(cli: Cli, key: str, by: str | None, now_text: str | None) -> None:
    """Acknowledge an overdue task: its escalation stops."""
    result = recording.ack(cli.app(), operator(by), cli.now(now_text), key)
    cli.echo(cli.t("task.acked", key=result.key))


@command("snooze")
@click.argument("key")
@click.option("--until", "until_text", required=True, help="No reminder before this date or time")
@by_option
@now_option
@pass_cli
def snooze_command(cli: Cli, key: str, until_text: str, by: str | None, now_text: str | None) -> None:
    """Defer a task's reminders until a date."""
    zone = cli.app().zone
    until = parse_instant(until_text, zone)
    result = recording.snooze(cli.app(), operator(by), cli.now(now_text), key, until)
    cli.echo(cli.t("task.snoozed", key=result.key, until=f"{until.astimezone(zone):%Y-%m-%d %H:%M}"))


@command("sendback")
@click.argument("key")
@click.option("--reason", required=True, help="Why it goes back (审查未通过的原因)")
@by_option
@now_option
@pass_cli
def sendback(cli: Cli, key: str, reason: str, by: str | None, now_text: str | None) -> None:
    """Send a stage back: it closes and the previous stage opens again."""
    reopened = recording.send_back(cli.app(), operator(by), cli.now(now_text), key, reason)
    cli.echo(cli.t("chain.sent_back", key=reopened.key, owner=reopened.owner, due=reopened.due_on))


@command()
@click.argument("key")
@click.option("--note", help="What was checked")
@by_option
@now_option
@pass_cli
def confirm(cli: Cli, key: str, note: str | None, by: str | None, now_text: str | None) -> None:
    """Confirm, as the finder, that a problem was rectified: it is closed (问题消号)."""
    result = recording.confirm(cli.app(), operator(by), cli.now(now_text), key, note)
    cli.echo(cli.t("rectify.confirmed", key=result.key))
