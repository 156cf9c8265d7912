"""``zhibu``: the command line, a thin layer over the library (one module per command group).

A command's module is imported only when that command runs (``zhibu list`` must not pay for
the daemon, the reports and the notifiers), and ``zhibu --help`` lists them from the table.
"""

from __future__ import annotations

import gc
import importlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import NamedTuple

import click

from scheduler.cli.context import Cli
from scheduler.cli.translated import TranslatedGroup, help_language, speak, translate
from scheduler.store.urls import SIMULATE_ENV
from workflows.errors import ZhibuError
from workflows.i18n import t

INTERRUPTED = 130  # as a shell reports a command ended by SIGINT


class Command(NamedTuple):
    """Where a command is defined ("module:attribute" under scheduler.cli) and the first
    paragraph of its help, which ``zhibu --help`` lists without importing the module (a test
    keeps the two in step)."""

    target: str
    summary: str


COMMANDS = {
    "init": Command("setup:init", "Write a commented starter config and create its store."),
    "check": Command("setup:check", "Validate the config and report every problem at once."),
    "db": Command("setup:db", "The store's schema."),
    "plan": Command("runs:plan", "Preview every occurrence in a date range; writes nothing."),
    "sync": Command("runs:sync_command", "Create the tasks of the current and next periods (idempotent)."),
    "tick": Command("runs:tick_command", "Run one pass: create due tasks and update states."),
    "run": Command("runs:run", "Run as a service: a tick at start, then on a timer (Ctrl+C stops)."),
    "list": Command("listing:list_command", "List tasks, soonest due first (default: open, due soon and overdue)."),
    "agenda": Command("listing:list_command", "List tasks, soonest due first (default: open, due soon and overdue)."),
    "show": Command("tasks:show", "Show one task with its records and history."),
    "done": Command("records:done", "Record that a task was done; paste the key from the reminder."),
    "undo": Command("records:undo", "Reverse the latest record of a task (a reversal is appended)."),
    "waive": Command("records:waive", "Waive a task that is not needed this time, with a reason."),
    "ack": Command("records:ack", "Acknowledge an overdue task: its escalation stops."),
    "snooze": Command("records:snooze_command", "Defer a task's reminders until a date."),
    "confirm": Command(
        "records:confirm",
        "Confirm, as the finder, that a problem was rectified: it is closed (问题消号).",
    ),
    "sendback": Command("records:sendback", "Send a stage back: it closes and the previous stage opens again."),
    "event": Command("events:event", "Events that call for a visit or a talk."),
    "import": Command("roster:import_group", "Load records kept elsewhere."),
    "notify": Command("notify:notify", "Channels and messages."),
    "outbox": Command("notify:outbox", "Messages queued, sent and failed."),
    "status": Command(
        "notify:status",
        "Show the last tick, the delivery queue and recent failures; exits 1 when the service has not ticked for three intervals (for monitors).",
    ),
    "report": Command(
        "reports:report",
        "What each unit did of each obligation: required, on time, late, waived, missing.",
    ),
    "export": Command("reports:export", "Files for other programs."),
    "audit": Command("audit:audit_group", "The history of every record, hash-chained."),
}


def short_help(summary: str, limit: int) -> str:
    """``summary`` abbreviated to ``limit`` characters as click abbreviates a command's help."""
    return click.Command(None, help=summary).get_short_help_str(limit)


def _store_failure(error: Exception) -> bool:
    """Whether ``error`` is the database's (SQLAlchemy is asked only if it was ever loaded)."""
    if isinstance(error, sqlite3.Error):
        return True
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(error, OperationalError | DBAPIError)


class ZhibuGroup(TranslatedGroup):
    """Loads each command when it is called, and turns zhibu's errors into a clear message and
    the documented exit code, no traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute = entry.target.split(":")
        command = getattr(importlib.import_module(f"scheduler.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        if not gc.isenabled():  # paused by scheduler.console for the imports, now done
            gc.freeze()
            gc.enable()
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``zhibu --help``, from the table: no command module is loaded."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        lang = help_language(ctx)
        summaries = {name: translate(entry.summary, lang) or "" for name, entry in COMMANDS.items()}
        rows = [(name, short_help(summaries[name], limit)) for name in self.list_commands(ctx)]
        with formatter.section(translate("Commands", lang) or "Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # every write is one transaction: an interrupted one is rolled back whole
            cli = ctx.find_object(Cli)
            click.echo(t("cli.interrupted", cli.lang if cli else help_language(ctx)), err=True)
            ctx.exit(INTERRUPTED)
        except ZhibuError as error:
            cli = ctx.find_object(Cli)
            lang = cli.lang if cli else "zh"
            click.echo(error.message(lang), err=True)
            ctx.exit(error.exit_code)
        except Exception as error:
            if not _store_failure(error):
                raise
            from scheduler.store.engine import store_error

            cli = ctx.find_object(Cli)
            wrapped = store_error(cli.store_url() if cli else "?", error)
            click.echo(wrapped.message(cli.lang if cli else "zh"), err=True)
            ctx.exit(wrapped.exit_code)


@click.group(cls=ZhibuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="zhibu.toml",
    envvar="ZHIBU_CONFIG",
    show_default=True,
    help="Config file",
)
@click.option("--db", "db_url", envvar="ZHIBU_DB", help="Store URL, overrides [store] url")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="ZHIBU_LANG", help="Language")
@click.option(
    "--simulate",
    is_flag=True,
    envvar="ZHIBU_SIMULATE",
    help="Create the store as a simulation store, where --now and ZHIBU_CLOCK may move time (only when it is created)",
)
@click.version_option(package_name="zhibu")
@click.pass_context
def main(ctx: click.Context, config_path: Path, db_url: str | None, lang: str | None, simulate: bool) -> None:
    """zhibu keeps a Party organization's calendar of obligations: it builds every recurring duty
    from one config file, tracks each to completion, reminds and escalates."""
    if simulate:
        os.environ[SIMULATE_ENV] = "1"  # read where a store is created
    cli = Cli(config_path=config_path, db_url=db_url, lang_option=lang)  # type: ignore[arg-type]
    ctx.obj = cli
    speak(cli.lang)
