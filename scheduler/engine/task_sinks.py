"""Where a sync's new tasks go, a batch at a time: inserted or ignored on their natural key (the
usual path), or, for a rule with no task stored yet on PostgreSQL, streamed by one ``COPY``
straight into the task table while the next occurrences are computed."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from scheduler.engine.inserts import (
    SCHEDULE_TABLE,
    TASK_TABLE,
    copy_rows,
    insert_tasks,
    pg_processors,
    pg_types,
    schedule_rows,
    task_values,
    write_rows,
)
from workflows.occurrences import Occurrence

SAVEPOINT = "zhibu_fresh_rule"


class ConflictError(Exception):
    """A row streamed as new was stored already (another writer, or a repeated key): nothing of
    the stream was kept; insert the rows the usual way."""


class Batches:
    """The usual path: each batch inserted, a row already stored ignored; counts the new ones."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.created = 0

    def __enter__(self) -> Batches:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None

    def add(self, batch: list[Occurrence]) -> None:
        self.created += insert_tasks(self.session, batch, self.now)


class FreshCopy(Batches):
    """PostgreSQL, a rule with no task stored: every row goes through one binary ``COPY`` into the
    task table itself — no staging table, no conflict check — so the server indexes the rows on
    its own CPU while this process computes the next ones; the reminder schedules follow by a
    ``COPY`` of their own when the stream ends (the connection is busy until then). Both run under
    a savepoint: a unique key already there rolls them back and raises :class:`ConflictError`."""

    def __init__(self, session: Session, now: datetime) -> None:
        super().__init__(session, now)
        self._cursor: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._stack = ExitStack()
        self._copy: Any = None
        self._columns: list[str] = []
        self._processors: Any = None
        self._schedules: dict[tuple[str, str], Occurrence] = {}

    def __enter__(self) -> FreshCopy:
        return self

    def _open(self, columns: list[str]) -> None:
        self._cursor.execute(f"SAVEPOINT {SAVEPOINT}")
        types = pg_types(self._cursor, TASK_TABLE.name, columns)
        statement = f"COPY {TASK_TABLE.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        self._copy = self._stack.enter_context(self._cursor.copy(statement))
        self._copy.set_types(types)
        self._columns = columns
        self._processors = pg_processors(self.session, TASK_TABLE, columns)

    def add(self, batch: list[Occurrence]) -> None:
        if not batch:
            return
        for occurrence in batch:
            self._schedules.setdefault((occurrence.rule_id, occurrence.schedule), occurrence)
        rows = [task_values(o, self.now) for o in batch]
        if self._copy is None:
            self._open(list(rows[0]))
        self.created += write_rows(self._copy, rows, self._columns, self._processors)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        import psycopg

        with self._cursor:
            if self._copy is None:
                return
            try:
                # ends the COPY (the server's last rows checked and indexed); with an error, aborts it
                self._stack.__exit__(kind, error, trace)
                if kind is None:
                    copy_rows(self.session, self._cursor, SCHEDULE_TABLE, schedule_rows(self._schedules.values()))
            except psycopg.errors.UniqueViolation as violation:
                self._cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
                raise ConflictError(str(violation).splitlines()[0]) from None
            if kind is None:
                self._cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")


def task_sink(session: Session, now: datetime, *, fresh: bool) -> Batches:
    """Where new tasks go: by one streamed ``COPY`` when the rule has none stored (``fresh``) on
    PostgreSQL, else batch by batch."""
    if fresh and session.get_bind().dialect.name == "postgresql":
        return FreshCopy(session, now)
    return Batches(session, now)
