"""``zhibu plan``, ``sync``, ``tick`` and ``run``: turning rules into tasks over time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from scheduler import clock
from scheduler.actions.resync import force_sync
from scheduler.app import calendar_of, config_exposure, store_url
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import json_option, now_option, pass_cli
from scheduler.cli.translated import command
from scheduler.clock import parse_date
from scheduler.engine.directory import load_roster
from scheduler.engine.materialize import sync
from scheduler.engine.summary import tick_summary
from scheduler.engine.tick import tick
from scheduler.reports.text import table, to_json
from scheduler.store.engine import open_store
from workflows.config.load import LoadedConfig
from workflows.durations import format_duration, parse_duration
from workflows.errors import UsageError
from workflows.occurrences import later_stages, occurrences_of
from workflows.roster import Roster, roster_from_config
from workflows.rules import rules_from_config


def planning_roster(cli: Cli, loaded: LoadedConfig) -> Roster:
    """The config's roster plus the people imported into the store, read without writing; the
    config's alone when there is no store yet (planning never creates one)."""
    config_roster = roster_from_config(loaded)
    url = store_url(loaded, cli.db_url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///").split("?")[0]).exists():
        return config_roster
    store = open_store(url, create=False)
    try:
        if store.schema_revision() is None:
            return config_roster
        configured = {p.id for p in config_roster.people}  # once, not per person read
        with store.reading() as session:
            imported = [p for p in load_roster(session).people if p.id not in configured]
    finally:
        store.close()
    return Roster.build(config_roster.units.values(), [*config_roster.people, *imported])


@command()
@click.option("--from", "start_text", required=True, help="First date, e.g. 2026-01-01")
@click.option("--to", "end_text", required=True, help="Last date, e.g. 2026-12-31")
@click.option("--unit", "units", multiple=True, help="Only these units")
@click.option("--rule", "rule_names", multiple=True, help="Only these rules (id or alias)")
@json_option
@pass_cli
def plan(
    cli: Cli, start_text: str, end_text: str, units: tuple[str, ...], rule_names: tuple[str, ...], as_json: bool
) -> None:
    """Preview every occurrence in a date range; writes nothing."""
    start, end = parse_date(start_text), parse_date(end_text)
    if start > end:
        raise UsageError("time.bad_range", start=start, end=end)
    loaded = cli.loaded()
    config = loaded.config
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(config.org.timezone)
    rules = [r for r in rules_from_config(config) if not rule_names or r.id in rule_names or r.alias in rule_names]
    roster = planning_roster(cli, loaded)
    workdays = calendar_of(config)
    found = [
        o
        for rule in rules
        for o in occurrences_of(rule, roster, zone, workdays, start, end)
        if not units or o.unit_id in units
    ]
    by_id = {rule.id: rule for rule in rules}
    estimated = [  # a chain's later stages open as earlier ones are done: shown with estimated dates
        later
        for o in found
        if by_id[o.rule_id].stages
        for later in later_stages(by_id[o.rule_id], o, roster, zone, workdays)
        if later.opens_at.astimezone(zone).date() <= end
    ]
    guessed = {o.key for o in estimated}
    found = sorted([*found, *estimated], key=lambda o: (o.due_at, o.key))
    if as_json:
        cli.echo(
            to_json(
                [
                    {
                        "key": o.key,
                        "rule": o.rule_id,
                        "title": o.title,
                        "unit": o.unit_id,
                        "person": o.person_id or None,
                        "period": o.period_key,
                        "opens_at": o.opens_at,
                        "due_at": o.due_at,
                        "due_on": o.due_on,
                        "count_required": o.count_required,
                        "assignee": o.assignee_id,
                        "estimated": o.key in guessed,
                    }
                    for o in found
                ]
            )
        )
        return
    headers = [cli.t(f"col.{c}") for c in ("key", "title", "opens", "due", "count", "assignee")]
    mark = {True: "≈", False: ""}
    rows = [
        [
            o.key,
            o.title,
            f"{mark[o.key in guessed]}{o.opens_at.astimezone(zone).date()}",
            f"{mark[o.key in guessed]}{o.due_on}",
            o.count_required,
            o.assignee_id or "",
        ]
        for o in found
    ]
    cli.echo(table(headers, rows))
    cli.echo(cli.t("plan.total", count=len(found)))
    if guessed:
        cli.echo(cli.t("plan.estimated", count=len(guessed)))


@command("sync")
@now_option
@click.option("--force", is_flag=True, help="Sync even if nothing seems changed")
@pass_cli
def sync_command(cli: Cli, now_text: str | None, force: bool) -> None:
    """Create the tasks of the current and next periods (idempotent)."""
    app = cli.app()
    now = cli.now(now_text)
    progress = cli.progress("progress.sync")
    if force:
        report = force_sync(app, operator(None), now, progress)
    else:
        with app.store.serialized() as session:
            report = sync(session, app.loaded, app.rules, app.workdays, now, progress=progress)
    if report.skipped:
        cli.echo(cli.t("sync.skipped"))
    else:
        cli.echo(cli.t("sync.report", created=report.created, retired=report.retired))


@command("tick")
@now_option
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line")
@pass_cli
def tick_command(cli: Cli, now_text: str | None, quiet: bool) -> None:
    """Run one pass: create due tasks and update states."""
    app = cli.app()
    report = tick(app, cli.now(now_text), lang=cli.lang)
    for line in tick_summary(app, report, cli.lang, agenda=not quiet):
        cli.echo(line)


@command()
@click.option("--interval", help="Tick interval, overrides [daemon] tick_interval, e.g. 5m")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr",
)
@pass_cli
def run(cli: Cli, interval: str | None, log_format: str) -> None:
    """Run as a service: a tick at start, then on a timer (Ctrl+C stops)."""
    import os
    import sys

    from scheduler.service.daemon import DB_ENV, Settings, service_argv

    every = None
    if interval:
        every = parse_duration(interval)
        if every is None or every <= timedelta(0):
            raise UsageError("config.bad_duration", value=interval)
    loaded = cli.loaded()  # validated before anything starts
    for key in config_exposure(loaded):
        cli.warn(f"{cli.t('config.warning')}: {cli.t(key, path=loaded.path)}")
    if clock.moved():
        cli.app().store.require_simulation(clock.CLOCK_ENV)
    settings = Settings.of(loaded, cli.db_url)
    shown = format_duration(every or loaded.config.daemon.tick_interval)
    cli.echo(cli.t("run.started", interval=shown, url=settings.store))
    argv = service_argv(loaded.path, settings, lang=cli.lang_option, interval=every, log_format=log_format)
    if cli.db_url:
        os.environ[DB_ENV] = cli.db_url
    sys.stdout.flush()
    sys.stderr.flush()
    # the service is this same process (systemd's main pid) without the libraries the validation
    # loaded: it only keeps time and starts a process for each tick (scheduler.service.daemon)
    os.execv(argv[0], argv)
