"""Finding tasks by filters, in plain SQL over a :data:`Reader`: the same statements run through
the ``sqlite3`` driver for a cold ``zhibu list`` and through SQLAlchemy everywhere else."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from scheduler.store.readonly import Reader
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE

# a recipient's prefix, as workflows.recipients.PERSON (not imported: it brings in the config schema,
# which `zhibu list` does not load)
PERSON = "person:"

DEFAULT_STATES = (OPEN, DUE_SOON, OVERDUE)


@dataclass
class TaskFilter:
    """What ``zhibu list`` asks for; empty fields do not filter."""

    states: Sequence[str] = DEFAULT_STATES
    unit: str | None = None
    rule: Sequence[str] = field(default_factory=tuple)
    assignee: str | None = None
    chased_by: str | None = None  # tasks whose escalations reached this person, not their own
    due_before: date | None = None
    due_after: date | None = None
    limit: int | None = None
    task_id: int | None = None  # just this task


def instant(value: Any) -> datetime:
    """A stored instant, aware UTC (SQLite's driver hands back the naive UTC text)."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def day(value: Any) -> date:
    """A stored date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


class TaskLine(NamedTuple):
    """The columns of a task a listing shows (named as :class:`TaskRow`'s, which has them all),
    kept as the driver hands them over: a row becomes a line without a Python call per column,
    and dates, instants and flags are parsed when asked for (a table of thousands of tasks never
    shows the instants)."""

    id: int
    key: str
    rule_id: str
    title: str
    unit_id: str
    person_id: str
    period_key: str
    opens_at_stored: Any
    due_at_stored: Any
    due_on_stored: Any
    state: str
    late_stored: Any
    count_done: int
    count_required: int
    assignee_id: str | None
    assignee_name: str | None
    person_name: str | None
    unit_name: str | None

    @property
    def opens_at(self) -> datetime:
        return instant(self.opens_at_stored)

    @property
    def due_at(self) -> datetime:
        return instant(self.due_at_stored)

    @property
    def due_on(self) -> date:
        return day(self.due_on_stored)

    @property
    def late(self) -> bool:
        return bool(self.late_stored)


# the task's columns, then the names of its owner, its person and its unit
_SELECTED = [f"t.{name.removesuffix('_stored')}" for name in TaskLine._fields[:-3]] + ["a.name", "p.name", "u.name"]
_OWNER = " LEFT JOIN person a ON a.id = t.assignee_id"
LINE_SOURCE = (
    "SELECT "
    + ", ".join(_SELECTED)
    + " FROM task t"
    + _OWNER
    + " LEFT JOIN person p ON p.id = t.person_id LEFT JOIN unit u ON u.id = t.unit_id"
)

# What a table of tasks shows, in the order of the index that holds them all (ix_task_listed):
# a brief listing reads that index and no table page (the other columns come back NULL).
LISTED_COLUMNS = (
    "state",
    "due_at",
    "id",
    "key",
    "title",
    "due_on",
    "late",
    "count_done",
    "count_required",
    "assignee_id",
)
_BRIEF = [c if c == "a.name" or c.removeprefix("t.") in LISTED_COLUMNS else "NULL" for c in _SELECTED]
BRIEF_SOURCE = "SELECT " + ", ".join(_BRIEF) + " FROM task t" + _OWNER


def _in(name: str, values: Iterable[Any], params: dict[str, Any]) -> str:
    """``:name0, :name1, …`` for the values (added to ``params``)."""
    placeholders = []
    for index, value in enumerate(values):
        params[f"{name}{index}"] = value
        placeholders.append(f":{name}{index}")
    return ", ".join(placeholders) or "NULL"


def unit_and_descendants(read: Reader, unit_id: str) -> list[str]:
    """``unit_id`` and every unit below it (a 党委 sees its branches' tasks)."""
    parents: dict[str, str | None] = dict(read("SELECT id, parent_id FROM unit", {}))
    found, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier and child not in found]
        found.extend(frontier)
    return found


def person_ids(read: Reader, who: str) -> list[str]:
    """The ids of the people ``who`` names (an id or a name); ``who`` itself when none match."""
    rows = read("SELECT id FROM person WHERE id = :who OR name = :who", {"who": who})
    return [row[0] for row in rows] or [who]


def task_lines(read: Reader, wanted: TaskFilter, rule_ids: Sequence[str] = (), brief: bool = False) -> list[TaskLine]:
    """The tasks matching ``wanted``, soonest due first; ``rule_ids`` are what --rule resolved to.
    ``brief`` lines carry only :data:`LISTED_COLUMNS` and the owner's name."""
    params: dict[str, Any] = {}
    where = []
    if wanted.states:
        where.append(f"t.state IN ({_in('state', wanted.states, params)})")
    if wanted.unit:
        where.append(f"t.unit_id IN ({_in('unit', unit_and_descendants(read, wanted.unit), params)})")
    if wanted.rule:
        where.append(f"t.rule_id IN ({_in('rule', rule_ids, params)})")
    if wanted.assignee:
        where.append(f"t.assignee_id IN ({_in('who', person_ids(read, wanted.assignee), params)})")
    if wanted.chased_by:
        # what a digest's "chasing" section holds: escalated to them, not acknowledged, not theirs
        chasers = person_ids(read, wanted.chased_by)
        where.append(
            f"t.id IN (SELECT n.task_id FROM notice n WHERE n.escalation"
            f" AND n.recipient IN ({_in('chaser', [PERSON + p for p in chasers], params)}))"
            f" AND t.acked_at IS NULL"
            f" AND (t.assignee_id IS NULL OR t.assignee_id NOT IN ({_in('self', chasers, params)}))"
        )
    if wanted.due_before:
        where.append("t.due_on <= :due_before")
        params["due_before"] = wanted.due_before
    if wanted.due_after:
        where.append("t.due_on >= :due_after")
        params["due_after"] = wanted.due_after
    if wanted.task_id is not None:
        where.append("t.id = :task_id")
        params["task_id"] = wanted.task_id
    sql = BRIEF_SOURCE if brief else LINE_SOURCE
    if where:
        sql += " WHERE " + " AND ".join(where)
    # ties in creation order: the listing index (state, due_at, id, …) then yields the order of
    # one state itself, so a long listing needs no sort and a --limit stops after its rows
    sql += " ORDER BY t.due_at, t.id"
    if wanted.limit:
        sql += " LIMIT :limit"
        params["limit"] = wanted.limit
    return list(map(TaskLine._make, read(sql, params)))


def has_tasks(read: Reader) -> bool:
    """Whether the store holds any task at all (an empty list then means 'run a tick first')."""
    return bool(read("SELECT 1 FROM task LIMIT 1", {}))
