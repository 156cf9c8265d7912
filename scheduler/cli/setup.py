"""``zhibu init``, ``zhibu check`` and ``zhibu db upgrade``: getting a config and a store."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from scheduler import clock
from scheduler.app import calendar_of, config_exposure, store_url
from scheduler.cli.context import Cli, operator
from scheduler.cli.options import pass_cli
from scheduler.cli.translated import command, group
from scheduler.store.engine import connect_store, open_store, upgrade_schema
from workflows.config.reference import catalogue_markdown, reference_markdown
from workflows.errors import UsageError


def starter_config(login: str = "zhibu") -> str:
    """The commented starter config shipped with zhibu, its office operator being ``login``."""
    text = files("workflows.config").joinpath("starter.toml").read_text(encoding="utf-8")
    return text.replace("{login}", login)


@command()
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file")
@pass_cli
def init(cli: Cli, path: Path | None, force: bool) -> None:
    """Write a commented starter config and create its store."""
    target = path or cli.config_path
    if target.exists() and not force:
        raise UsageError("config.exists", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_config(operator(None).login), encoding="utf-8")
    target.chmod(0o600)  # a config may come to hold a channel's password
    cli.echo(cli.t("config.written", path=target))
    loaded = cli.loaded(target)
    store = open_store(store_url(loaded, cli.db_url))
    cli.echo(cli.t("init.store", url=store.display_url))
    cli.echo(cli.t("init.next", path=target))
    store.close()


@command()
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reference", is_flag=True, help="Print the reference of every config key")
@click.option("--catalogue", is_flag=True, help="Print the built-in obligations")
@pass_cli
def check(cli: Cli, path: Path | None, reference: bool, catalogue: bool) -> None:
    """Validate the config and report every problem at once."""
    if reference or catalogue:
        cli.echo(reference_markdown() if reference else catalogue_markdown())
        return
    loaded = cli.loaded(path or cli.config_path)
    people, roster_warnings = loaded.read_people()
    for warning in [*loaded.warnings, *roster_warnings]:
        cli.warn(f"{cli.t('config.warning')}: {warning.render(cli.lang)}")
    for key in config_exposure(loaded):
        cli.warn(f"{cli.t('config.warning')}: {cli.t(key, path=loaded.path)}")
    config = loaded.config
    unpublished = calendar_of(config).unpublished_next_year(
        clock.now().astimezone(ZoneInfo(config.org.timezone)).date()
    )
    if unpublished:
        cli.warn(f"{cli.t('config.warning')}: {cli.t('calendar.unpublished', year=unpublished)}")
    cli.echo(cli.t("config.ok", units=len(config.units), people=len(people), rules=len(config.rules)))


@group()
def db() -> None:
    """The store's schema."""


@db.command()
@pass_cli
def upgrade(cli: Cli) -> None:
    """Migrate the store to the newest schema (safe to run twice)."""
    store = connect_store(store_url(cli.loaded(), cli.db_url))
    before, after = upgrade_schema(store)
    cli.echo(cli.t("store.current" if before == after else "store.upgraded", head=after))
    store.close()
