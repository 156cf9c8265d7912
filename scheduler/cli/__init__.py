"""``zhibu``: the command line, a thin layer over the library (one module per command group).

A command's module is imported only when that command runs (``zhibu list`` must not pay for
the daemon, the reports and the notifiers); ``zhibu --help`` imports them all.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from pathlib import Path

import click

from scheduler.cli.context import Cli
from workflows.i18n import ZhibuError

# command → "module:attribute" under scheduler.cli
COMMANDS = {
    "init": "setup:init",
    "check": "setup:check",
    "db": "setup:db",
    "plan": "runs:plan",
    "sync": "runs:sync_command",
    "tick": "runs:tick_command",
    "run": "runs:run",
    "list": "listing:list_command",
    "agenda": "listing:list_command",
    "show": "tasks:show",
    "done": "records:done",
    "undo": "records:undo",
    "waive": "records:waive",
    "ack": "records:ack",
    "snooze": "records:snooze_command",
    "confirm": "records:confirm",
    "sendback": "records:sendback",
    "event": "events:event",
    "import": "roster:import_group",
    "notify": "notify:notify",
    "outbox": "notify:outbox",
    "status": "notify:status",
    "report": "reports:report",
    "export": "reports:export",
}


def _store_failure(error: Exception) -> bool:
    """Whether ``error`` is the database's (SQLAlchemy is asked only if it was ever loaded)."""
    if isinstance(error, sqlite3.Error):
        return True
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(error, OperationalError | DBAPIError)


class ZhibuGroup(click.Group):
    """Loads each command when it is called, and turns zhibu's errors into a clear message and
    the documented exit code, no traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(f"scheduler.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
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
            url = cli.db_url or str(cli.config_path) if cli else "?"
            wrapped = store_error(url, error)
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
    help="Config file / 配置文件",
)
@click.option("--db", "db_url", envvar="ZHIBU_DB", help="Store URL, overrides [store] url / 数据库地址")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="ZHIBU_LANG", help="Language / 语言")
@click.version_option(package_name="zhibu")
@click.pass_context
def main(ctx: click.Context, config_path: Path, db_url: str | None, lang: str | None) -> None:
    """zhibu 支部 — keeps a Party organization's calendar of obligations.

    zhibu 记录党组织的各项经常性工作（三会一课、党费、谈心谈话……），按周期生成任务、
    跟踪完成情况并提醒。
    """
    ctx.obj = Cli(config_path=config_path, db_url=db_url, lang_option=lang)  # type: ignore[arg-type]
