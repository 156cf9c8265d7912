"""What every command shares: the chosen config, store URL and language, loaded lazily.

Nothing heavy is imported here: a read-only command (``zhibu list``) may answer from the
config's essentials and the SQLite file alone; the others validate the config and open the
store through :meth:`Cli.app`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast
from zoneinfo import ZoneInfo

import click

from scheduler import clock
from scheduler.actions.operator import Operator, kernel_operator
from scheduler.store.readonly import Reader, sqlite_reader
from scheduler.store.urls import chosen_url, sqlite_file
from workflows.config.essentials import Essentials, read_essentials
from workflows.i18n import Lang, t

T = TypeVar("T")

if TYPE_CHECKING:
    from scheduler.app import App
    from workflows.config.load import LoadedConfig


@dataclass
class Cli:
    """The global options of ``zhibu`` and the objects they lead to."""

    config_path: Path
    db_url: str | None
    lang_option: Lang | None
    _app: App | None = field(default=None, repr=False)
    _loaded: LoadedConfig | None = field(default=None, repr=False)
    _essentials: Essentials | None = field(default=None, repr=False)

    @property
    def lang(self) -> Lang:
        """--lang, else ZHIBU_LANG (handled by click), else the config's locale, else zh."""
        if self.lang_option:
            return self.lang_option
        loaded = self._app.loaded if self._app else self._loaded
        if loaded:
            return loaded.config.org.locale
        return cast(Lang, self._essentials.locale) if self._essentials else "zh"

    def loaded(self, path: Path | None = None) -> LoadedConfig:
        """The validated config (raises ConfigError, exit 2, listing every problem)."""
        from scheduler.app import load_checked

        if path is not None:
            return load_checked(path)
        if self._loaded is None:
            self._loaded = load_checked(self.config_path)
        return self._loaded

    def app(self) -> App:
        """The config and the store, opened once per command."""
        from scheduler.app import open_app

        if self._app is None:
            self._app = open_app(self.config_path, self.db_url)
        return self._app

    def store_url(self) -> str:
        """The store's URL as this command line names it (for messages about the store)."""
        if self._app is not None:
            return self._app.store.url
        essentials = self.essentials()
        if essentials is None:
            return self.db_url or "?"
        return chosen_url(essentials.store_url, essentials.directory, self.db_url)

    def essentials(self) -> Essentials | None:
        """Store URL, language and zone read from the config file without validating it all."""
        if self._essentials is None:
            self._essentials = read_essentials(self.config_path)
        return self._essentials

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """Plain-SQL reads of the store in one transaction: straight from the SQLite file, or from
        another database by its URL, when it is at the current schema (the config is not parsed:
        a province's roster would take seconds); else through the opened app (which validates
        the config and creates or upgrades the store as every command does)."""
        essentials = None if self._app else self.essentials()  # an opened app is used as it is
        if essentials is not None:
            url = chosen_url(essentials.store_url, essentials.directory, self.db_url)
            with sqlite_reader(url) as fast:
                if fast is not None:
                    yield fast
                    return
            if sqlite_file(url) is None:  # PostgreSQL: opened by its URL alone, the config not parsed
                with _store_reader(url) as found:
                    if found is not None:
                        yield found
                        return
        from scheduler.store.lookup import session_reader

        with self.app().store.reading() as session:
            yield session_reader(session)

    def t(self, message: str, /, **params: object) -> str:
        """A message in the chosen language."""
        return t(message, self.lang, **params)

    def echo(self, text: str = "") -> None:
        """Print to stdout."""
        click.echo(text)

    def warn(self, text: str) -> None:
        """Print to stderr."""
        click.echo(text, err=True)

    def progress(self, label: str) -> Callable[[Iterable[T]], Iterable[T]]:
        """Something that passes items through, drawing a progress bar on stderr while they are
        taken — only when stderr is a terminal (a pipe or a log gets nothing)."""
        if not sys.stderr.isatty():
            return lambda items: items

        def drawn(items: Iterable[T]) -> Iterator[T]:
            length = len(items) if isinstance(items, Sized) else None
            with click.progressbar(items, length=length, label=self.t(label), file=sys.stderr, show_pos=True) as bar:
                yield from bar

        return drawn

    def now(self, value: str | None) -> datetime:
        """Pin the clock to ``--now`` when given (local to the org's zone) and return now(). A
        moved clock (``--now``, ZHIBU_CLOCK) is refused unless the store is a simulation store."""
        if value:
            essentials = None if self._app else self.essentials()
            zone = ZoneInfo(essentials.timezone) if essentials else self.app().zone
            clock.set_now(clock.parse_instant(value, zone))
        if clock.moved():
            self.app().store.require_simulation("--now" if value else clock.CLOCK_ENV)
        return clock.now()


@contextmanager
def _store_reader(url: str) -> Iterator[Reader | None]:
    """A reader on the database at ``url`` when it is at the current schema, else None (the
    command then opens it through the config, which creates or upgrades it)."""
    from scheduler.store.engine import connect_store
    from scheduler.store.lookup import session_reader
    from scheduler.store.migrations import SCHEMA_HEAD

    store = connect_store(url)
    try:
        if store.schema_revision() != SCHEMA_HEAD:
            yield None
            return
        with store.reading() as session:
            yield session_reader(session)
    finally:
        store.close()


def operator(by: str | None) -> Operator:
    """The operator of a write made from this shell: the kernel's login of this process (never
    an environment variable), recording on behalf of ``--by`` if given."""
    return kernel_operator(on_behalf_of=by)


def stdout_is_terminal() -> bool:
    """Whether output goes to a person (colours and widths) or to a pipe."""
    return sys.stdout.isatty()
