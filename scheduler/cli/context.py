"""What every command shares: the chosen config, store URL and language, loaded lazily."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click

from scheduler import clock
from scheduler.app import App, open_app
from workflows.config.load import LoadedConfig, load_config
from workflows.i18n import Lang, t


@dataclass
class Cli:
    """The global options of ``zhibu`` and the objects they lead to."""

    config_path: Path
    db_url: str | None
    lang_option: Lang | None
    _app: App | None = field(default=None, repr=False)
    _loaded: LoadedConfig | None = field(default=None, repr=False)

    @property
    def lang(self) -> Lang:
        """--lang, else ZHIBU_LANG (handled by click), else the config's locale, else zh."""
        if self.lang_option:
            return self.lang_option
        loaded = self._app.loaded if self._app else self._loaded
        return loaded.config.org.locale if loaded else "zh"

    def loaded(self, path: Path | None = None) -> LoadedConfig:
        """The validated config (raises ConfigError, exit 2, listing every problem)."""
        if path is not None:
            return load_config(path)
        if self._loaded is None:
            self._loaded = load_config(self.config_path)
        return self._loaded

    def app(self) -> App:
        """The config and the store, opened once per command."""
        if self._app is None:
            self._app = open_app(self.config_path, self.db_url)
        return self._app

    def t(self, message: str, /, **params: object) -> str:
        """A message in the chosen language."""
        return t(message, self.lang, **params)

    def echo(self, text: str = "") -> None:
        """Print to stdout."""
        click.echo(text)

    def warn(self, text: str) -> None:
        """Print to stderr."""
        click.echo(text, err=True)

    def now(self, value: str | None) -> datetime:
        """Pin the clock to ``--now`` when given (local to the org's zone) and return now()."""
        if value:
            clock.set_now(clock.parse_instant(value, self.app().zone))
        return clock.now()


def current_user(by: str | None) -> str:
    """Who is acting: --by, else ZHIBU_USER, else the login name."""
    if by:
        return by
    if os.environ.get("ZHIBU_USER"):
        return os.environ["ZHIBU_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def stdout_is_terminal() -> bool:
    """Whether output goes to a person (colours and widths) or to a pipe."""
    return sys.stdout.isatty()
