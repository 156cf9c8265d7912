"""What a digest says: its sections (overdue, due today, this week, new, chasing, problems), each
line of a task, and the tasks of a batch of recipients read in one pass."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from notifiers.render import Item, Section
from scheduler.store.engine import in_chunks
from scheduler.store.links import Links
from scheduler.store.models import NoticeRow, PersonRow, TaskRow, UnitRow
from scheduler.store.states import ACTIVE_STATES, OVERDUE
from workflows.i18n import Lang, t
from workflows.recipients import CHANNEL, PERSON

# what a digest line needs of a task, read as plain rows: in an org where little is marked done a
# member can have dozens of open tasks, and a morning has thousands of members
DIGEST_COLUMNS = (
    TaskRow.id,
    TaskRow.key,
    TaskRow.title,
    TaskRow.unit_id,
    TaskRow.due_on,
    TaskRow.due_at,
    TaskRow.state,
    TaskRow.count_done,
    TaskRow.count_required,
    TaskRow.assignee_id,
    TaskRow.person_id,
)


DigestTask = Row[*tuple[Any, ...]]  # a row of DIGEST_COLUMNS


# the state compared as text (state || ''), which no index serves: SQLite's planner, without
# statistics, would otherwise walk every active task through a state index rather than look up
# a batch's 500 owners (or notices) — at a city's year that is 27 s a morning instead of 2.7
ANY_STATE = TaskRow.state + ""


class Lookup:
    """Names (and addresses) of units, and of the people a batch of messages names, as plain rows:
    a city's 30,000 people (a province's half a million) are not read for a morning that names a
    few thousand of them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.people: dict[str, Any] = {}
        self.units = dict(session.execute(select(UnitRow.id, UnitRow.name)).all())

    def read(self, person_ids: Iterable[str]) -> None:
        """Read the names and addresses of ``person_ids``, forgetting those of the batch before."""
        self.people = {}
        columns = PersonRow.id, PersonRow.name, PersonRow.email
        for chunk in in_chunks(sorted(set(person_ids))):
            self.people.update(
                (row.id, row) for row in self.session.execute(select(*columns).where(PersonRow.id.in_(chunk)))
            )

    def person_name(self, person_id: str | None) -> str:
        row = self.people.get(person_id or "")
        return row.name if row else (person_id or "")

    def recipient_name(self, recipient: str) -> str:
        if recipient.startswith(PERSON):
            return self.person_name(recipient.removeprefix(PERSON))
        return recipient.removeprefix(CHANNEL)

    def email(self, recipient: str) -> str | None:
        row = self.people.get(recipient.removeprefix(PERSON)) if recipient.startswith(PERSON) else None
        return row.email if row else None


def item_of(task: TaskRow | DigestTask, lookup: Lookup, *, with_owner: bool, fresh: bool = False) -> Item:
    """A digest line for ``task``."""
    count = f"{task.count_done}/{task.count_required}" if task.count_required > 1 else ""
    owner = lookup.person_name(task.assignee_id) if with_owner else ""
    unit = lookup.units.get(task.unit_id, task.unit_id)
    return Item(task.key, task.title, unit, task.due_on, task.state, owner, count, fresh)


def line_item(line: Line, lookup: Lookup, lang: Lang, *, with_owner: bool) -> Item:
    """A digest line for a task, or for the members' tasks of one rule, unit and period: the key
    without the person, how many, and the first names (``zb1/党费/2026-01 缴纳党费：28 人（张三、李四…）``)."""
    item = item_of(line.first, lookup, with_owner=with_owner, fresh=line.fresh)
    if line.count == 1:
        return item
    names = "、".join(lookup.person_name(p) for p in line.people) + ("…" if line.count > len(line.people) else "")
    title = t("digest.group", lang, title=item.title, count=line.count, names=names)
    return Item(group_of(line.first), title, item.unit, item.due_on, item.state, item.owner, "", line.fresh)


SECTIONS = ("overdue", "today", "week", "new", "chasing", "problems")


GROUP_NAMES = 5  # names shown on a grouped line


@dataclass
class Line:
    """One line of a section: a task, or the tasks of one per-member rule, unit and period."""

    first: DigestTask
    people: list[str] = field(default_factory=list)  # the first few members' ids
    count: int = 0
    fresh: bool = False


def group_of(task: DigestTask) -> str:
    """What a line gathers: a per-member task goes with the others of its rule, unit and period
    (its key without the person), any other task stands alone."""
    key: str = task.key
    return key.rpartition("/")[0] if task.person_id and key.count("/") >= 3 else key


@dataclass
class Tally:
    """A digest section as its tasks stream in: what is new since the recipient's last digest
    first, then the rest (each in the order they come, soonest due first), at most ``limit`` lines
    of each, per-member tasks gathered on one line; and how many tasks there were, and new."""

    fresh: dict[str, Line] = field(default_factory=dict)
    rest: dict[str, Line] = field(default_factory=dict)
    count: int = 0
    new: int = 0

    def add(self, task: DigestTask, limit: int, *, fresh: bool) -> None:
        group = group_of(task)
        line = self.fresh.get(group) or self.rest.get(group)
        target = self.fresh if fresh else self.rest
        if line is None and len(target) < limit:
            line = target[group] = Line(task)
        if line is not None:
            line.count += 1
            line.fresh = line.fresh or fresh
            if task.person_id and len(line.people) < GROUP_NAMES:
                line.people.append(task.person_id)
        self.count += 1
        self.new += fresh

    def lines(self, limit: int) -> list[Line]:
        """The lines a digest shows: the new first."""
        return [*self.fresh.values(), *self.rest.values()][:limit]


@dataclass
class DigestInputs:
    """What a batch of the day's digests lists, per recipient and section: at most ``limit`` tasks
    of each section (the soonest due first) and the count of the rest. A member whose work piles up
    gets a digest of bounded size, and composing it costs memory bounded by the batch, not by the
    backlog."""

    day: date
    limit: int
    sections: dict[str, dict[str, Tally]] = field(default_factory=dict)
    chased_ids: dict[str, set[int]] = field(default_factory=dict)
    week_end: date = field(init=False)

    def __post_init__(self) -> None:
        self.week_end = self.day + timedelta(days=7)

    fresh: dict[str, set[int]] = field(default_factory=dict)  # tasks with notices since the last digest

    def add(self, recipient: str, section: str, task: DigestTask) -> None:
        is_new = task.id in self.fresh.get(recipient, ())
        self.sections.setdefault(recipient, {}).setdefault(section, Tally()).add(task, self.limit, fresh=is_new)

    def named(self) -> Iterator[str]:
        """Everyone the batch's digests may name: the owners of their lines and the members listed
        on grouped lines."""
        for tallies in self.sections.values():
            for tally in tallies.values():
                for line in (*tally.fresh.values(), *tally.rest.values()):
                    if line.first.assignee_id:
                        yield line.first.assignee_id
                    yield from line.people

    def owned_section(self, task: DigestTask, fresh: set[int]) -> str | None:
        """The section a task of the recipient's own lands in, if any: overdue, due today, due
        within the week, or newly notified."""
        if task.state == OVERDUE:
            return "overdue"
        if task.due_on == self.day:
            return "today"
        if task.due_on <= self.week_end:
            return "week"
        return "new" if task.id in fresh else None


def digest_inputs(
    session: Session,
    due: Sequence[tuple[str, Sequence[int]]],
    problem_rules: Sequence[str],
    day: date,
    limit: int,
) -> DigestInputs:
    """The tasks of every due recipient's digest: a query per kind and chunk of recipients, not per
    recipient — a morning of 30,000 digests is a few dozen queries — read as a stream and tallied
    per section, keeping only what a digest shows."""
    inputs = DigestInputs(day, limit)
    fresh = {recipient: set(notified) for recipient, notified in due}
    inputs.fresh = fresh
    people = [r.removeprefix(PERSON) for r, _ in due if r.startswith(PERSON)]
    order = (TaskRow.due_at, TaskRow.key)
    stream = {"yield_per": 2_000}
    for chunk in in_chunks(people):
        owned = (
            select(*DIGEST_COLUMNS).where(TaskRow.assignee_id.in_(chunk), ANY_STATE.in_(ACTIVE_STATES)).order_by(*order)
        )
        for task in session.execute(owned, execution_options=stream):
            recipient = PERSON + task.assignee_id
            section = inputs.owned_section(task, fresh[recipient])
            if section:
                inputs.add(recipient, section, task)
        chased = (
            select(NoticeRow.recipient, *DIGEST_COLUMNS)
            .join(TaskRow, NoticeRow.task_id == TaskRow.id)
            .where(
                NoticeRow.recipient.in_([PERSON + p for p in chunk]),
                NoticeRow.escalation.is_(True),
                ANY_STATE == OVERDUE,
                TaskRow.acked_at.is_(None),
            )
            .distinct()
            .order_by(*order)
        )
        for escalated in session.execute(chased, execution_options=stream):
            if PERSON + (escalated.assignee_id or "") == escalated.recipient:
                continue  # their own overdue work, listed under overdue
            inputs.add(escalated.recipient, "chasing", escalated)
            inputs.chased_ids.setdefault(escalated.recipient, set()).add(escalated.id)
        if problem_rules:
            found = (
                select(*DIGEST_COLUMNS)
                .where(
                    TaskRow.rule_id.in_(problem_rules),
                    TaskRow.person_id.in_(chunk),
                    ANY_STATE.in_(ACTIVE_STATES),
                )
                .order_by(*order)
            )
            for problem in session.execute(found, execution_options=stream):
                recipient = PERSON + problem.person_id
                if problem.id in inputs.chased_ids.get(recipient, ()):
                    continue
                if problem.assignee_id == problem.person_id and inputs.owned_section(problem, fresh[recipient]):
                    continue  # a problem they found and own, listed with their own work
                inputs.add(recipient, "problems", problem)
    channel_tasks = sorted({i for r, notified in due if not r.startswith(PERSON) for i in notified})
    if channel_tasks:
        by_id: dict[int, DigestTask] = {}
        for ids in in_chunks(channel_tasks):
            by_id.update(
                (t.id, t)
                for t in session.execute(
                    select(*DIGEST_COLUMNS).where(TaskRow.id.in_(ids), ANY_STATE.in_(ACTIVE_STATES))
                )
            )
        for recipient, notified in due:
            if not recipient.startswith(PERSON):
                tasks = sorted((by_id[i] for i in set(notified) if i in by_id), key=lambda t: (t.due_at, t.key))
                for task in tasks:
                    inputs.add(recipient, inputs.owned_section(task, fresh[recipient]) or "new", task)
    return inputs


def rest_command(recipient: str, section: str, problem_rules: Sequence[str]) -> str:
    """The `zhibu list` command that shows all of a digest section's tasks, not only those listed."""
    words = ["zhibu", "list"]
    if section == "problems":
        for rule in problem_rules:
            words += ["--rule", rule]
    elif recipient.startswith(PERSON):
        words += ["--chased-by" if section == "chasing" else "--assignee", recipient.removeprefix(PERSON)]
    if section in ("overdue", "chasing"):
        words += ["--status", "overdue"]
    return shlex.join(words)


def digest_sections(
    recipient: str,
    lookup: Lookup,
    lang: Lang,
    inputs: DigestInputs,
    problem_rules: Sequence[str] = (),
    links: Links | None = None,
) -> list[Section]:
    """The sections of ``recipient``'s digest: overdue, today, this week, new, chasing, and the
    problems they found that are not closed yet; a section with more tasks than a digest lists
    ends with how many were left out and the command that lists them."""
    tallies = inputs.sections.get(recipient, {})
    with_owner = not recipient.startswith(PERSON)
    sections = []
    for name in SECTIONS:
        tally = tallies.get(name)
        if tally is None:
            continue
        owner = with_owner or name in ("chasing", "problems")
        lines = tally.lines(inputs.limit)
        more = tally.count - sum(line.count for line in lines)
        sections.append(
            Section(
                name,
                t(f"digest.{name}", lang),
                [_linked(line_item(line, lookup, lang, with_owner=owner), line, recipient, links) for line in lines],
                more=more,
                command=rest_command(recipient, name, problem_rules) if more else "",
                new=tally.new,
            )
        )
    return sections


def _linked(item: Item, line: Line, recipient: str, links: Links | None) -> Item:
    """The item with its task's signed link, in a person's own digest (never a group channel's)."""
    if links is None or line.count > 1 or not recipient.startswith(PERSON):
        return item
    return dataclasses.replace(item, link=links.url(recipient.removeprefix(PERSON), item.key))
