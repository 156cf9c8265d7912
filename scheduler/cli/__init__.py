"""``zhibu``: the command line, a thin layer over the library (one module per command group)."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from scheduler.cli import events, notify, records, reports, roster, runs, setup, tasks
from scheduler.cli.context import Cli
from scheduler.store.engine import store_error
from workflows.i18n import ZhibuError


class ZhibuGroup(click.Group):
    """Turns zhibu's errors into a clear message and the documented exit code, no traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ZhibuError as error:
            cli = ctx.find_object(Cli)
            lang = cli.lang if cli else "zh"
            click.echo(error.message(lang), err=True)
            ctx.exit(error.exit_code)
        except (OperationalError, DBAPIError) as error:
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


for module in (setup, runs, tasks, records, events, roster, notify, reports):
    module.register(main)
