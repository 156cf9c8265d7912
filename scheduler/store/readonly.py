"""Reading a SQLite store straight through the ``sqlite3`` driver, for commands that only look.

Importing SQLAlchemy and building the ORM costs a cold ``zhibu list`` more than the query; this
path needs neither. It is taken only when the store is a plain SQLite file already at the current
schema; otherwise (PostgreSQL, a missing file, a store that needs an upgrade) the caller opens
the store the usual way, which creates, upgrades or explains.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import date, datetime
from typing import Any

from scheduler.store.migrations import SCHEMA_HEAD
from scheduler.store.urls import sqlite_file

BUSY_TIMEOUT_S = 5.0

# SQL with :name parameters → rows; the same text runs here and through SQLAlchemy's text()
Reader = Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]]


def _stored(value: Any) -> Any:
    """A parameter as the store writes it: a date as ISO text (instants are not compared here)."""
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value


@contextmanager
def sqlite_reader(url: str) -> Iterator[Reader | None]:
    """A reader on the SQLite file of ``url`` in one read transaction, or None when this path
    does not apply."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        yield None
        return
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as connection:
        try:
            version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.DatabaseError:
            version = []
        if version != [(SCHEMA_HEAD,)]:
            yield None
            return
        connection.execute("BEGIN")  # one snapshot for every query of the command
        try:
            yield lambda sql, params: connection.execute(sql, {k: _stored(v) for k, v in params.items()}).fetchall()
        finally:
            connection.execute("ROLLBACK")
