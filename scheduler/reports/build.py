"""What a secretary hands to an inspector: for each unit and obligation of a period, what was
required, done on time, done late, waived (with the reason) and missed — with the task keys and
dates — and the per-person views (dues, talks, volunteering, the next date of an applicant).

Reports read the store only. Units are listed in the order of the unit tree, never ranked: a sorted
view exists only when asked for (``sort_by``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.store import chain
from scheduler.store.engine import in_chunks
from scheduler.store.models import CompletionRow, PersonRow, TaskRow, UnitRow
from scheduler.store.states import DONE, DONE_KIND, OVERDUE, RETIRED, REVERSAL_KIND, WAIVE_KIND, WAIVED
from workflows.errors import NotFoundError, UsageError
from workflows.i18n import Lang, t
from workflows.periods import parse_period_key
from workflows.vocabulary import UnitKind

ON_TIME, LATE, WAIVED_OUTCOME, MISSING, PENDING = "on_time", "late", "waived", "missing", "pending"


OUTCOMES = (ON_TIME, LATE, WAIVED_OUTCOME, MISSING, PENDING)


SORTS = ("missing", "done", "unit")


@dataclass(frozen=True)
class Span:
    """The local dates a report covers, and how the user named them."""

    first: date
    last: date
    label: str

    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the span touches, in order."""
        found = []
        year, month = self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def parse_span(text: str) -> Span:
    """``2026``, ``2026H1``, ``2026Q3``, ``2026-03``, ``2026-W05`` or a range ``2026-01..2026-06``."""
    parts = [p.strip() for p in text.split("..")]
    if len(parts) > 2 or not all(parts):
        raise UsageError("report.bad_period", value=text)
    try:
        first, last = parse_period_key(parts[0]), parse_period_key(parts[-1])
    except UsageError:
        raise UsageError("report.bad_period", value=text) from None
    if last.last_day < first.start:
        raise UsageError("time.bad_range", start=first.start, end=last.last_day)
    return Span(first.start, last.last_day, text.strip())


@dataclass
class Record:
    """One completion or waiver of a task, as the ledgers show it."""

    kind: str
    on: date | None
    by: str
    note: str
    expected: int | None
    present: int | None
    absent: list[str]
    quorum_met: bool | None
    attachments: list[str]
    amount: Decimal | None


@dataclass
class Line:
    """One task of the report and what became of it."""

    key: str
    unit_id: str
    rule_id: str
    title: str  # the obligation's
    task_title: str  # the task's own (a 整改 task's carries the problem)
    person_id: str
    person_name: str
    assignee_name: str
    period_key: str
    due_on: date
    outcome: str
    done_on: date | None
    count_done: int
    count_required: int
    reason: str
    records: list[Record] = field(default_factory=list)


@dataclass
class Tally:
    """Counts of one obligation in one unit (or summed over a unit and its branches)."""

    unit_id: str
    rule_id: str
    title: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def required(self) -> int:
        """Tasks the period asked for (retired ones are not counted)."""
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "unit": self.unit_id,
            "rule": self.rule_id,
            "title": self.title,
            "required": self.required,
            **self.counts,
        }


@dataclass
class Report:
    """A period's report for a unit and the units below it."""

    span: Span
    root: str
    units: list[tuple[str, str, int, str]]  # (id, name, depth, kind) in tree order
    lines: list[Line]
    tallies: list[Tally]
    rollup: list[Tally]
    heads: dict[str, str] = field(default_factory=dict)  # the history's chain heads when it was built

    @property
    def unit_names(self) -> dict[str, str]:
        """Unit id → name."""
        return {ident: name for ident, name, _, _ in self.units}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "period": self.span.label,
            "from": self.span.first.isoformat(),
            "to": self.span.last.isoformat(),
            "unit": self.root,
            "heads": self.heads,
            "summary": [t.as_dict() for t in self.tallies],
            "rollup": [t.as_dict() for t in self.rollup],
            "tasks": [
                {
                    "key": line.key,
                    "unit": line.unit_id,
                    "rule": line.rule_id,
                    "title": line.title,
                    "person": line.person_id or None,
                    "due_on": line.due_on.isoformat(),
                    "outcome": line.outcome,
                    "done_on": line.done_on.isoformat() if line.done_on else None,
                    "count_done": line.count_done,
                    "count_required": line.count_required,
                    "reason": line.reason or None,
                }
                for line in self.lines
            ],
        }


DETAIL_COLUMNS = (
    "col.unit",
    "col.rule",
    "col.key",
    "col.person",
    "col.due",
    "col.outcome",
    "col.done_on",
    "col.count",
    "col.reason",
)


def detail_row(line: Line, names: dict[str, str], lang: Lang) -> list[Any]:
    """One task as the CSV and the workbook's 任务明细 show it (dates as dates)."""
    return [
        names.get(line.unit_id, line.unit_id),
        line.title,
        line.key,
        line.person_name or line.person_id,
        line.due_on,
        t(f"outcome.{line.outcome}", lang),
        line.done_on,
        f"{line.count_done}/{line.count_required}",
        line.reason,
    ]


def unit_tree(session: Session, root: str | None) -> list[tuple[str, str, int, str]]:
    """Units (id, name, depth, kind) in tree order — parents before children, siblings by id —
    under ``root`` (or all)."""
    rows = session.execute(
        select(UnitRow.id, UnitRow.name, UnitRow.parent_id, UnitRow.kind).where(UnitRow.active)
    ).all()
    children: dict[str | None, list[tuple[str, str, str]]] = defaultdict(list)
    known = {r.id for r in rows}
    for row in rows:
        children[row.parent_id if row.parent_id in known else None].append((row.id, row.name, row.kind))
    if root is not None and root not in known:
        raise NotFoundError("report.unknown_unit", unit=root, choices="、".join(sorted(known)))
    ordered: list[tuple[str, str, int, str]] = []

    def walk(ident: str, name: str, kind: str, depth: int) -> None:
        ordered.append((ident, name, depth, kind))
        for child, child_name, child_kind in sorted(children.get(ident, [])):
            walk(child, child_name, child_kind, depth + 1)

    starts = [(r.id, r.name, r.kind) for r in rows if r.id == root] if root else sorted(children[None])
    for ident, name, kind in starts:
        walk(ident, name, kind, 0)
    return ordered


def _outcome(task: TaskRow, today: date) -> str:
    if task.state == DONE:
        return LATE if task.late else ON_TIME
    if task.state == WAIVED:
        return WAIVED_OUTCOME
    if task.state == OVERDUE or task.due_on < today:
        return MISSING
    return PENDING


def _records(session: Session, task_ids: Sequence[int]) -> dict[int, list[Record]]:
    """The completions and waivers no reversal undid, per task, oldest first."""
    found: dict[int, list[Record]] = defaultdict(list)
    rows: list[CompletionRow] = []
    for ids in in_chunks(task_ids):
        rows.extend(session.scalars(select(CompletionRow).where(CompletionRow.task_id.in_(ids))))
    reversed_ids = {r.reverses_id for r in rows if r.kind == REVERSAL_KIND}
    for row in sorted(rows, key=lambda r: r.id):
        if row.kind not in (DONE_KIND, WAIVE_KIND) or row.id in reversed_ids:
            continue
        amount = (row.data or {}).get("amount")
        found[row.task_id].append(
            Record(
                kind=row.kind,
                on=row.happened_on or row.recorded_at.date(),
                by=row.recorded_by,
                note=row.note or "",
                expected=row.expected,
                present=row.present,
                absent=list(row.absent_names or []),
                quorum_met=row.quorum_met,
                attachments=list(row.attachments or []),
                amount=Decimal(amount) if amount is not None else None,
            )
        )
    return found


def build_report(
    session: Session,
    app: App,
    span: Span,
    *,
    unit: str | None = None,
    rule_ids: Iterable[str] = (),
    today: date,
    sort_by: str | None = None,
    progress: Callable[[Sequence[TaskRow]], Iterable[TaskRow]] = lambda tasks: tasks,
) -> Report:
    """The report of ``span`` for ``unit`` and every unit below it (all units when None);
    ``progress`` sees the tasks go by."""
    units = unit_tree(session, unit)
    unit_ids = [u for u, _, _, _ in units]
    wanted_rules = set(rule_ids)
    query = select(TaskRow).where(TaskRow.due_on >= span.first, TaskRow.due_on <= span.last, TaskRow.state != RETIRED)
    if unit is not None:
        query = query.where(TaskRow.unit_id.in_(unit_ids))
    if wanted_rules:
        query = query.where(TaskRow.rule_id.in_(wanted_rules))
    tasks = list(session.scalars(query.order_by(TaskRow.unit_id, TaskRow.rule_id, TaskRow.due_on, TaskRow.key)))
    records = _records(session, [t.id for t in tasks])
    names = dict(session.execute(select(PersonRow.id, PersonRow.name)).all())
    rules = app.rules_by_id
    lines: list[Line] = []
    for task in progress(tasks):
        own = records.get(task.id, [])
        done = [r for r in own if r.kind == DONE_KIND]
        waiver = next((r for r in reversed(own) if r.kind == WAIVE_KIND), None)
        rule = rules.get(task.rule_id)
        lines.append(
            Line(
                key=task.key,
                unit_id=task.unit_id,
                rule_id=task.rule_id,
                title=rule.title if rule else task.title,
                task_title=task.title,
                person_id=task.person_id,
                person_name=names.get(task.person_id, ""),
                assignee_name=names.get(task.assignee_id or "", ""),
                period_key=task.period_key,
                due_on=task.due_on,
                outcome=_outcome(task, today),
                done_on=max((r.on for r in done if r.on), default=None) if task.state == DONE else None,
                count_done=task.count_done,
                count_required=task.count_required,
                reason=waiver.note if waiver and task.state == WAIVED else "",
                records=own,
            )
        )
    order = {u: i for i, u in enumerate(unit_ids)}
    rule_order = {rule.id: i for i, rule in enumerate(app.rules)}  # the config's (catalogue's) order
    lines.sort(
        key=lambda line: (
            order.get(line.unit_id, len(order)),
            rule_order.get(line.rule_id, len(rule_order)),
            line.due_on,
            line.key,
        )
    )
    tallies = _tally(lines, lambda line: line.unit_id)
    # a 党委's or 总支's report adds its branches up; a branch's own report needs no total
    branches = sum(1 for _, _, _, kind in units if kind == UnitKind.BRANCH.value)
    rollup = _tally(lines, lambda line: unit or "*") if branches > 1 else []
    if sort_by == "missing":
        tallies.sort(key=lambda t: (-t.counts[MISSING], order.get(t.unit_id, 0), t.rule_id))
    elif sort_by == "done":
        tallies.sort(key=lambda t: (-(t.counts[ON_TIME] + t.counts[LATE]), order.get(t.unit_id, 0), t.rule_id))
    elif sort_by not in (None, "unit"):
        raise UsageError("report.bad_sort", value=sort_by, choices=", ".join(SORTS))
    heads = chain.heads(session)
    return Report(span=span, root=unit or "", units=units, lines=lines, tallies=tallies, rollup=rollup, heads=heads)


def _tally(lines: Iterable[Line], unit_of: Any) -> list[Tally]:
    found: dict[tuple[str, str], Tally] = {}
    for line in lines:
        slot = (unit_of(line), line.rule_id)
        tally = found.get(slot)
        if tally is None:
            tally = found[slot] = Tally(slot[0], line.rule_id, line.title)
        tally.counts[line.outcome] += 1
    return list(found.values())
