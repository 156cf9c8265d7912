"""Opening the store: any SQLAlchemy URL, SQLite in WAL mode by default, schema kept by alembic.

Write transactions on SQLite begin with ``BEGIN IMMEDIATE`` so two processes queue on the
write lock (with a busy timeout) instead of failing when a read turns into a write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.urls import SIMULATE_ENV, sqlite_file
from workflows.errors import UsageError as ZhibuUsageError
from workflows.errors import ZhibuError

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
MODE_META = "store"  # {"mode": "production" | "simulation", "created_at": …}, written when the store is created
PRODUCTION, SIMULATION = "production", "simulation"
TICK_LOCK = 0x7A68_6962_75  # "zhibu": the advisory lock that serializes ticks on PostgreSQL
MIGRATION_LOCK = TICK_LOCK + 1


class StoreError(ZhibuError):
    """The store cannot be opened or written (exit 3); nothing was changed."""

    exit_code = 3


SECRET_QUERY = frozenset({"password", "sslpassword", "passfile", "sslkey", "token"})


def redact_url(url: str) -> str:
    """The store URL safe for logs and errors: SQLAlchemy's own rendering with the password
    hidden, and any password given as a query parameter masked too."""
    # the password up to the last @ before the query first: a raw @ in it would make any parser
    # read its tail as the host
    masked = re.sub(r"(://[^:/@\s]+:)[^\s?]*@", r"\1***@", url)
    try:
        parsed = make_url(masked)
    except (ArgumentError, ValueError):
        return masked.split("?", 1)[0]
    if not any(key.lower() in SECRET_QUERY for key in parsed.query):
        return parsed.render_as_string(hide_password=True)
    query = {key: ("***" if key.lower() in SECRET_QUERY else value) for key, value in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def store_error(url: str, error: BaseException) -> StoreError:
    """Translate a driver error into a message a person can act on."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0]
    if "readonly" in reason or "read-only" in reason or "read only" in reason:
        return StoreError("store.readonly", url=redact_url(url), reason=reason)
    return StoreError("store.unavailable", url=redact_url(url), reason=reason)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:
            pass  # a read-only file keeps its journal mode; reads still work
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("zhibu_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Store:
    """An open store: an engine plus read and write sessions."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect)."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL without secrets."""
        return redact_url(self.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing is committed."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (OperationalError, DBAPIError) as error:
            raise store_error(self.url, error) from None

    @contextmanager
    def serialized(self) -> Iterator[Session]:
        """A write transaction that no other process runs at the same time: SQLite's
        ``BEGIN IMMEDIATE`` already queues writers; on PostgreSQL a transaction-scoped advisory
        lock does (two replicas' ticks then never race on the same rows)."""
        with self.writing() as session:
            serialize(session)
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction, committed when the block ends without error, else rolled back."""
        bind = self.engine.execution_options(zhibu_write=True)
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except (OperationalError, DBAPIError) as error:
            raise store_error(self.url, error) from None

    def mode(self) -> str:
        """``simulation`` for a store created to be simulated, else ``production`` (a store made
        before stores had modes is production)."""
        try:
            with self.engine.connect() as connection:
                value = connection.execute(text("SELECT value FROM meta WHERE key = :key"), {"key": MODE_META}).scalar()
        except (OperationalError, DBAPIError) as error:
            raise store_error(self.url, error) from None
        return mode_of(value)

    def require_simulation(self, what: str) -> None:
        """Refuse (exit 2) a moved clock on a production store: its records carry the real time."""
        if self.mode() != SIMULATION:
            raise ZhibuUsageError("store.production_clock", what=what)

    def schema_revision(self) -> str | None:
        """The alembic revision the store is at, or None for an empty database."""
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return None
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, DBAPIError) as error:
            raise store_error(self.url, error) from None

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


def mode_of(value: Any) -> str:
    """The mode in a meta value as stored (a dict, or its JSON text through a plain driver)."""
    if isinstance(value, str):
        value = json.loads(value)
    return SIMULATION if isinstance(value, dict) and value.get("mode") == SIMULATION else PRODUCTION


def creation_mode() -> str:
    """The mode of a store created now: simulation when ZHIBU_SIMULATE=1 (``zhibu --simulate``)."""
    return SIMULATION if os.environ.get(SIMULATE_ENV, "").strip() in ("1", "true", "yes") else PRODUCTION


def serialize(session: Session) -> None:
    """Make the rest of this transaction exclusive among processes (a no-op on SQLite, whose
    write transactions are exclusive already; taking it twice in one transaction is harmless)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TICK_LOCK})


FRESH_ROWS = 10_000  # rows one transaction adds to a table beyond which PostgreSQL re-reads it


def analyze_if_filled(session: Session, table: str, added: int) -> None:
    """Refresh PostgreSQL's statistics of ``table`` after this transaction added (or changed)
    ``added`` of its rows. The planner knows a table by statistics autovacuum refreshes only after
    a commit, and not at all after a crash or an immediate stop: a table this transaction filled (a
    province's first morning writes millions of notices, then asks for them by recipient) looks
    empty, an ``IN`` list of 500 recipients then seems to match every row, and each query reads the
    table whole; statistics taken before the sweep and the reminders moved millions of tasks on
    have half of them due, and every later tick reads the task table whole to find none.
    ``ANALYZE`` inside the transaction samples its own rows."""
    if added >= FRESH_ROWS and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f'ANALYZE "{table}"'))


def sqlite_url_for(path: Path) -> str:
    """A SQLite URL for a file path."""
    return f"sqlite:///{path}"


def connect_store(url: str) -> Store:
    """A store for ``url`` without looking at its schema (``zhibu db upgrade`` starts here)."""
    try:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
            if parsed.database and parsed.database.startswith("file:"):
                kwargs["connect_args"]["uri"] = True
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as error:
        raise StoreError("store.unavailable", url=redact_url(url), reason=str(error)) from None
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
        _private_file(sqlite_file(url))
    return Store(engine=engine, url=url)


def _private_file(path: Path | None) -> None:
    """Create a new SQLite file readable by its owner only (0600): SQLite gives its -wal and -shm
    files the same mode, and the store holds names, phones and dues."""
    if path is None or path.exists() or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


IN_LIST = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def in_chunks(values: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """``values`` in slices of ``size``: by default short enough for one ``IN (...)`` list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def open_store(url: str, *, create: bool = True) -> Store:
    """Open the store at ``url``; create the schema on an empty database when ``create``.

    Raises :class:`StoreError` (exit 3) when the database cannot be reached or is outdated.
    """
    store = connect_store(url)
    revision = store.schema_revision()
    if revision is None and create:
        upgrade_schema(store)
    elif revision is not None and revision != SCHEMA_HEAD:
        if revision.isdigit() and SCHEMA_HEAD.isdigit() and int(revision) > int(SCHEMA_HEAD):
            raise StoreError("store.newer", current=revision, head=SCHEMA_HEAD)  # db upgrade cannot help
        raise StoreError("store.outdated", current=revision, head=SCHEMA_HEAD)
    return store


def upgrade_schema(store: Store) -> tuple[str | None, str]:
    """Run alembic migrations up to head; returns (before, after). Safe to run twice."""
    from alembic import command

    from scheduler.store.migrations import alembic_config

    before = store.schema_revision()
    if before and before.isdigit() and int(before) > int(SCHEMA_HEAD):
        raise StoreError("store.newer", current=before, head=SCHEMA_HEAD)
    try:  # a write transaction from its start: on SQLite a second process waits on BEGIN IMMEDIATE
        with store.engine.execution_options(zhibu_write=True).begin() as connection:
            if connection.dialect.name == "postgresql":
                # two processes starting on an empty database take turns; the second finds head
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")
            from scheduler.store.models import MetaRow

            found = connection.execute(text("SELECT 1 FROM meta WHERE key = :key"), {"key": MODE_META}).first()
            if before is None and found is None:  # a new store: what it is, for good (once: two may race here)
                value = {"mode": creation_mode(), "created_at": clock.wall_clock().isoformat()}
                connection.execute(insert(MetaRow).values(key=MODE_META, value=value))
    except (OperationalError, DBAPIError) as error:
        raise store_error(store.url, error) from None
    return before, SCHEMA_HEAD
