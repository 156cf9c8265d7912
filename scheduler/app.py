"""The application: a validated config and an open store, with what both imply.

The CLI and the daemon build one :class:`App` and call library functions with it; tests do
the same without going through click.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from notifiers.channels import channel_problem
from scheduler.store.engine import Store, open_store
from scheduler.store.links import Links
from scheduler.store.meta import recall_calendar
from scheduler.store.urls import chosen_url, sqlite_file
from workflows.calendar import WorkCalendar, work_calendar
from workflows.config.load import LoadedConfig, load_config, parse_config
from workflows.config.schema import Config
from workflows.rules import Rule, rules_from_config


def calendar_of(config: Config) -> WorkCalendar:
    """The working-day calendar of ``config``: its country's, with the days ``[calendar]`` declares."""
    declared = config.calendar
    return work_calendar(config.org.calendar, frozenset(declared.holidays), frozenset(declared.workdays))


@dataclass
class App:
    """A loaded config plus the store it points to."""

    loaded: LoadedConfig
    store: Store

    @cached_property
    def zone(self) -> ZoneInfo:
        """The org's time zone."""
        return ZoneInfo(self.loaded.config.org.timezone)

    @cached_property
    def workdays(self) -> WorkCalendar:
        """The org's working-day calendar, with the year tables an earlier tick kept in the store
        (a command then need not import the holidays package to know them)."""
        calendar = calendar_of(self.loaded.config)
        with self.store.reading() as session:
            recall_calendar(session, calendar)
        return calendar

    @cached_property
    def rules(self) -> list[Rule]:
        """The enabled rules."""
        return rules_from_config(self.loaded.config)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        """Enabled rules by id."""
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def templates_dir(self) -> Path | None:
        """The config's template folder, if it names one (relative to the config file)."""
        folder = self.loaded.config.notify.templates_dir
        return (self.loaded.directory / folder).resolve() if folder else None

    @cached_property
    def unit_channels(self) -> dict[str, str]:
        """Each unit's group channel, by unit id."""
        return {unit.id: unit.channel for unit in self.loaded.config.units if unit.channel}

    @cached_property
    def state_dir(self) -> Path:
        """Where the store keeps its files: beside the SQLite file, else beside the config."""
        database = sqlite_file(self.store.url)
        return database.parent if database else self.loaded.directory

    @cached_property
    def links(self) -> Links | None:
        """Signed task links for personal digests, when ``[web] base_url`` is set."""
        web = self.loaded.config.web
        return Links(self.state_dir, web.base_url, web.link_days) if web.base_url else None

    @cached_property
    def evidence_dir(self) -> Path:
        """Where evidence files are kept: ``[store] evidence_dir``, else evidence/ beside the
        SQLite file, else beside the config."""
        configured = self.loaded.config.store.evidence_dir
        if configured:
            return (self.loaded.directory / Path(configured).expanduser()).resolve()
        database = sqlite_file(self.store.url)
        return (database.parent if database else self.loaded.directory) / "evidence"

    def rule_ids_named(self, names: list[str] | tuple[str, ...]) -> list[str]:
        """Rule ids for names given as id or alias."""
        return [r.id for r in self.rules if r.id in names or r.alias in names]


def store_url(loaded: LoadedConfig, override: str | None = None) -> str:
    """The store URL from ``--db`` or the config, relative SQLite paths resolved."""
    return chosen_url(loaded.config.store.url, loaded.directory, override)


def load_checked(config_path: Path) -> LoadedConfig:
    """The config file validated, its channel URLs included (apprise reads each)."""
    return load_config(config_path, check_channel=channel_problem)


def parse_checked(text: str, config_path: Path) -> LoadedConfig:
    """Config text validated as :func:`load_checked` validates a file."""
    return parse_config(text, config_path, check_channel=channel_problem)


def open_app(config_path: Path, db_url: str | None = None, *, create: bool = True) -> App:
    """Validate the config first (nothing is opened when it is invalid), then open the store."""
    loaded = load_checked(config_path)
    return App(loaded=loaded, store=open_store(store_url(loaded, db_url), create=create))


def config_exposure(loaded: LoadedConfig) -> list[str]:
    """Message keys for what is wrong with who may read or change the config file: a literal
    secret in a file others can read, a file others can write."""
    import stat

    from notifiers.redact import redact_url

    try:
        mode = loaded.path.stat().st_mode
        text = loaded.path.read_text(encoding="utf-8")
    except OSError:
        return []
    found = []
    literal = any(
        redact_url(url) != url and url in text  # written in the file, not through ${VAR} or url_file
        for url in loaded.channel_urls.values()
    )
    if literal and mode & (stat.S_IROTH | stat.S_IRGRP):
        found.append("config.exposed_secret")
    if mode & (stat.S_IWOTH | stat.S_IWGRP):
        found.append("config.writable")
    return found
