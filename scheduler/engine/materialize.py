"""Materialize: rules → task rows, idempotently (insert-or-ignore on the natural key).

Running it twice, or from two processes at once, gives the same rows. It is skipped when
nothing it depends on has changed (config, roster, the current periods), so the daemon's tick
does no work proportional to what is stored. A rule, unit or person removed from the config
retires its future open tasks; history stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.engine.directory import load_roster, roster_unit_by_unit, sync_directory
from scheduler.engine.sweep import BATCH
from scheduler.engine.task_sinks import ConflictError, task_sink
from scheduler.store import audit
from scheduler.store.engine import analyze_if_filled, serialize
from scheduler.store.lifecycle import change_many, state_at
from scheduler.store.models import MetaRow, TaskRow
from scheduler.store.states import ACTIVE_STATES, RETIRED
from workflows.calendar import WorkCalendar, local_date
from workflows.config.load import LoadedConfig
from workflows.occurrences import Occurrence, occurrences_of, window_end
from workflows.roster import Roster
from workflows.rules import Rule
from workflows.scope import reads_everyone

SYNC_META = "sync"


Natural = tuple[str, str, str, str]  # (rule, unit, person, period): what makes a task unique


@dataclass
class SyncReport:
    """What a sync did."""

    skipped: bool = False
    extended: bool = False  # only the calendar moved on: the new periods were added, nothing else
    created: int = 0
    retired: int = 0
    restored: int = 0
    moved: int = 0
    directory_changes: int = 0


def window_ends(rules: Iterable[Rule], today: date, horizon: int) -> dict[str, str]:
    """The last local date materialized for each rule on ``today`` (moves when a period rolls over)."""
    return {rule.id: window_end(rule, today, horizon).isoformat() for rule in rules}


def sync_stamp(loaded: LoadedConfig, rules: Iterable[Rule], today: date, roster_version: int) -> dict[str, Any]:
    """Everything materialization depends on; equal stamps mean nothing new to create."""
    ends = window_ends(rules, today, loaded.config.sync.horizon)
    return {"config": loaded.fingerprint, "roster": roster_version, "ends": ends}


def _set_state(session: Session, task_id: int, before: str, after: str, action: str, now: datetime, actor: str) -> None:
    change_many(session, [(task_id, before)], after, now=now, actor=actor, action=action)


def _retire_and_restore(
    session: Session,
    rule: Rule,
    wanted: Mapping[Natural, str],
    end: date,
    now: datetime,
    actor: str,
    again: Callable[[set[Natural]], dict[Natural, Occurrence]],
) -> tuple[int, int, int]:
    """Retire future unfinished tasks of ``rule`` nobody wants any more; bring back retired ones
    wanted again; move open tasks whose date in a person's or unit's record changed (done ones
    stay). ``wanted`` maps each wanted natural key to its schedule; ``again`` computes the few
    occurrences a restore or a move needs in full."""
    if rule.on_events:  # their tasks come from events, not periods
        return 0, 0, 0
    # a chain's later stages are opened by the stage before them, not by periods
    # (a person's chain: the stages its statuses enter by); a stage opened that way is left alone
    entry_stages: set[str] | None = None
    if rule.stages:
        entry_stages = {s.name for s in rule.stages if s.entry} if rule.record_date else {rule.stages[0].name}
    query = select(
        TaskRow.id,
        TaskRow.rule_id,
        TaskRow.unit_id,
        TaskRow.person_id,
        TaskRow.period_key,
        TaskRow.period_start,
        TaskRow.state,
        TaskRow.schedule_key,
        TaskRow.stage,
    ).where(TaskRow.rule_id == rule.id, TaskRow.state.in_([*ACTIVE_STATES, RETIRED]), TaskRow.due_at > now)
    retire: list[Any] = []
    restore: list[Any] = []
    move: list[Any] = []
    # streamed (an ORM select is buffered whole unless told): a first sync meets every task it wrote
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        if entry_stages is not None and (
            row.stage is not None or row.period_key.rpartition("/")[2] not in entry_stages
        ):
            continue
        natural = (row.rule_id, row.unit_id, row.person_id, row.period_key)
        unwanted = row.period_start <= end and natural not in wanted
        if row.state == RETIRED:
            if not unwanted and natural in wanted:
                restore.append(row)
        elif unwanted:
            retire.append(row)
        elif natural in wanted and wanted[natural] != (row.schedule_key or row.period_key):
            move.append(row)
    for row in retire:
        _set_state(session, row.id, row.state, RETIRED, "retire", now, actor)
    full = (
        again({(r.rule_id, r.unit_id, r.person_id, r.period_key) for r in (*restore, *move)}) if restore or move else {}
    )
    for row in restore:  # back with the dates of the occurrence wanted again
        wanted_again = full[(row.rule_id, row.unit_id, row.person_id, row.period_key)]
        state = state_at(now, wanted_again.opens_at, wanted_again.due_soon_at, wanted_again.due_at)
        _set_state(session, row.id, RETIRED, state, "restore", now, actor)
    for row in move:
        _move(session, row.id, full[(row.rule_id, row.unit_id, row.person_id, row.period_key)], now, actor)
    return len(retire), len(restore), len(move)


def _retire_removed(session: Session, known: Sequence[str], now: datetime, actor: str) -> int:
    """Retire the future unfinished tasks of rules no longer in the config (``known`` are those
    still in it); their history stays."""
    query = select(TaskRow.id, TaskRow.state).where(
        TaskRow.rule_id.not_in(list(known)), TaskRow.state.in_(ACTIVE_STATES), TaskRow.due_at > now
    )
    retire = session.execute(query).all()
    for row in retire:
        _set_state(session, row.id, row.state, RETIRED, "retire", now, actor)
    return len(retire)


def _move(session: Session, task_id: int, occurrence: Occurrence, now: datetime, actor: str) -> None:
    """Give an open task the dates of its occurrence (its record date changed) and its schedule."""
    values = {
        "opens_at": occurrence.opens_at,
        "due_soon_at": occurrence.due_soon_at,
        "due_at": occurrence.due_at,
        "due_on": occurrence.due_on,
        "schedule_key": occurrence.schedule,
        "state": state_at(now, occurrence.opens_at, occurrence.due_soon_at, occurrence.due_at),
        "notice_index": 0,
        "next_notice_at": occurrence.reminders[0].at if occurrence.reminders else None,
        "updated_at": now,
    }
    session.execute(update(TaskRow).where(TaskRow.id == task_id).values(**values))
    after = {"due_on": occurrence.due_on.isoformat(), "state": values["state"]}
    audit.task_change(session, task_id, at=now, actor=actor, action="move", before={}, after=after)


def _occurrences_from(
    rule: Rule,
    roster: Roster,
    zone: ZoneInfo,
    workdays: WorkCalendar,
    begin: date,
    end: date,
    start: date,
) -> Iterator[Occurrence]:
    """The occurrences of ``rule`` in periods overlapping ``[begin, end]``, due from ``start`` on."""
    return (o for o in occurrences_of(rule, roster, zone, workdays, begin, end) if o.due_on >= start)


def _stream(
    session: Session, found: Iterable[Occurrence], now: datetime, *, keep_keys: bool, fresh: bool
) -> tuple[int, dict[Natural, str]]:
    wanted: dict[Natural, str] = {}
    batch: list[Occurrence] = []
    with task_sink(session, now, fresh=fresh) as sink:
        for occurrence in found:
            if keep_keys:
                wanted[occurrence.natural_key] = occurrence.schedule
            batch.append(occurrence)
            if len(batch) == BATCH:
                sink.add(batch)
                batch = []
        sink.add(batch)
    return sink.created, wanted


def insert_streamed(
    session: Session, source: Callable[[], Iterable[Occurrence]], now: datetime, *, keep_keys: bool, fresh: bool
) -> tuple[int, dict[Natural, str]]:
    """Insert in batches; return how many were new and, with ``keep_keys``, each natural key's
    schedule (what is held is the keys of one rule, not its occurrences: a province's talk pairs
    are millions). A ``fresh`` rule (no task stored) is streamed whole where the store can; if a
    row turns out stored after all, the occurrences are computed again and inserted the usual way."""
    if fresh:
        try:
            return _stream(session, source(), now, keep_keys=keep_keys, fresh=True)
        except ConflictError:
            pass
    return _stream(session, source(), now, keep_keys=keep_keys, fresh=False)


def _has_tasks(session: Session, rule_id: str) -> bool:
    """Whether the store holds any task of the rule (the natural key's index answers)."""
    return session.execute(select(TaskRow.id).where(TaskRow.rule_id == rule_id).limit(1)).first() is not None


def _only(source: Callable[[], Iterator[Occurrence]], keys: set[Natural]) -> dict[Natural, Occurrence]:
    """The occurrences with these natural keys, computed again from ``source``."""
    return {o.natural_key: o for o in source() if o.natural_key in keys}


def _add(report: SyncReport, counts: tuple[int, int, int]) -> None:
    report.retired += counts[0]
    report.restored += counts[1]
    report.moved += counts[2]


def sync(
    session: Session,
    loaded: LoadedConfig,
    rules: Sequence[Rule],
    workdays: WorkCalendar,
    now: datetime,
    *,
    force: bool = False,
    actor: str = audit.DAEMON,
    progress: Callable[[Sequence[Rule]], Iterable[Rule]] = lambda rules: rules,
) -> SyncReport:
    """Materialize every occurrence from the last sync (or today) through the horizon.

    Rule by rule, so what is held in memory is one rule's window, not the whole org's. When only
    the calendar moved on (same config, same roster), only the periods that entered the window
    since the last sync are computed: the work grows with what changed, not with what is stored.
    """
    serialize(session)  # two processes syncing at once take turns (PostgreSQL)
    config = loaded.config
    zone = ZoneInfo(config.org.timezone)
    today = local_date(now, zone)
    meta = session.get(MetaRow, SYNC_META)
    previous: dict[str, Any] = dict(meta.value) if meta else {}
    roster_version = int(previous.get("roster_version", 0))
    stamp = sync_stamp(loaded, rules, today, roster_version)
    before: dict[str, Any] = previous.get("stamp") or {}
    if not force and before == stamp:
        return SyncReport(skipped=True)
    # the calendar alone moved (same config, roster and rules): extend each rule's window;
    # nothing can have become unwanted
    old_ends: dict[str, str] = before.get("ends") or {}
    unchanged = (before.get("config"), before.get("roster"), set(old_ends))
    extend = not force and unchanged == (stamp["config"], stamp["roster"], set(stamp["ends"]))

    report = SyncReport(extended=extend)
    if not extend:
        report.directory_changes = sync_directory(session, loaded, now, actor)
        session.flush()
    # read from the store when a rule has periods to compute, not before; a unit's meeting needs
    # its role holders (a city's 30,000 people are a few thousand holders); a rule that reads
    # every member reads them unit by unit, a batch of units at a time
    rosters: dict[bool, Roster] = {}

    def roster(rule: Rule) -> Roster:
        everyone = reads_everyone(rule)
        if everyone not in rosters:
            rosters[everyone] = roster_unit_by_unit(session) if everyone else load_roster(session, holders_only=True)
        return rosters[everyone]

    # After downtime, start from the day of the last sync so no period is skipped.
    last_day = date.fromisoformat(previous["day"]) if "day" in previous else today
    first = min(last_day, today)
    # what was due before zhibu started tracking is not its business (nor reported overdue)
    start = config.sync.start or date.fromisoformat(previous.get("start", today.isoformat()))
    for rule in progress(rules):
        end = date.fromisoformat(stamp["ends"][rule.id])
        begin = date.fromisoformat(old_ends[rule.id]) + timedelta(days=1) if extend else first
        if begin > end:
            continue
        source = partial(_occurrences_from, rule, roster(rule), zone, workdays, begin, end, start)
        # what may have to be retired, restored or moved is tasks stored before this sync (none
        # when only the calendar moved, nor the first time a rule is synced)
        has_tasks = _has_tasks(session, rule.id)
        stored = not extend and has_tasks
        created, wanted = insert_streamed(session, source, now, keep_keys=stored, fresh=not has_tasks)
        report.created += created
        if stored:
            again = partial(_only, source)
            _add(report, _retire_and_restore(session, rule, wanted, end, now, actor, again=again))
    if not extend:
        report.retired += _retire_removed(session, [rule.id for rule in rules], now, actor)
    analyze_if_filled(session, TaskRow.__tablename__, report.created)  # the sweep and notices follow
    value = {
        "stamp": stamp,
        "day": today.isoformat(),
        "start": previous.get("start", today.isoformat()),
        "roster_version": roster_version,
        "at": now.isoformat(),
    }
    if meta is None:
        session.add(MetaRow(key=SYNC_META, value=value))
    else:
        meta.value = value
    if report.created or report.retired or report.restored or report.moved:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="sync",
            entity="store",
            entity_id="tasks",
            after={"created": report.created, "retired": report.retired, "restored": report.restored},
        )
    return report
