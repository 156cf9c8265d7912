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
    binary_copy,
    copy_rows,
    insert_tasks,
    pg_processors,
    schedule_rows,
    task_values,
    write_rows,
)
from workflows.occurrences import Occurrence

SAVEPOINT = "zhibu_fresh_rule"
SCHEDULES_HELD = 20_000  # schedules waiting to be written before the task COPY pauses for them


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
    its own CPU while this process computes the next ones. The reminder schedules follow by a
    ``COPY`` of their own when the stream ends, or each time ``SCHEDULES_HELD`` are waiting (a
    record-date rule has one per person; the connection is busy while the task ``COPY`` is open).
    All runs under a savepoint: a unique key already there rolls it back and raises
    :class:`ConflictError`."""

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
        if not self._columns:
            self._cursor.execute(f"SAVEPOINT {SAVEPOINT}")
            self._columns = columns
            self._processors = pg_processors(self.session, TASK_TABLE, columns)
        self._copy = self._stack.enter_context(binary_copy(self._cursor, TASK_TABLE.name, columns))

    def add(self, batch: list[Occurrence]) -> None:
        if not batch:
            return
        for occurrence in batch:
            self._schedules.setdefault((occurrence.rule_id, occurrence.schedule), occurrence)
        rows = [task_values(o, self.now) for o in batch]
        if self._copy is None:
            self._open(list(rows[0]))
        self.created += write_rows(self._copy, rows, self._columns, self._processors)
        if len(self._schedules) >= SCHEDULES_HELD:
            self._settle()

    def _settle(self) -> None:
        """End the open ``COPY`` (the server's last rows checked and indexed), then write the
        schedules waiting; a unique key met rolls everything back to the savepoint."""
        import psycopg

        try:
            self._stack.close()
            self._copy = None
            if self._schedules:
                copy_rows(self.session, self._cursor, SCHEDULE_TABLE, schedule_rows(self._schedules.values()))
                self._schedules.clear()
        except psycopg.errors.UniqueViolation as violation:
            self._copy = None
            self._cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            raise ConflictError(str(violation).splitlines()[0]) from None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._cursor:
            if not self._columns or kind is ConflictError:  # nothing written, or rolled back already
                return
            if kind is not None:  # an error on the way: the COPY is aborted, the transaction fails
                self._stack.__exit__(kind, error, trace)
                return
            self._settle()
            self._cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")


def task_sink(session: Session, now: datetime, *, fresh: bool) -> Batches:
    """Where new tasks go: by one streamed ``COPY`` when the rule has none stored (``fresh``) on
    PostgreSQL, else batch by batch."""
    if fresh and session.get_bind().dialect.name == "postgresql":
        return FreshCopy(session, now)
    return Batches(session, now)
