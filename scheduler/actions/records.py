"""Recording what happened: done, waive and undo. Append-only, audited, checked first.

Every check runs before anything is written, inside one transaction, so a refused record
leaves the store exactly as it was. ``undo`` appends a reversal; nothing is ever deleted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.actions.operator import Operator
from scheduler.store import completions, evidence
from scheduler.store.lifecycle import change, state_at
from scheduler.store.models import CompletionRow, PersonRow, TaskRow
from scheduler.store.states import DONE, DONE_KIND, RETIRED, REVERSAL_KIND, WAIVE_KIND, WAIVED
from workflows.dues import dues_for_period, monthly_dues
from workflows.errors import NotAllowedError, StateError, UsageError
from workflows.quorum import Attendance, QuorumVerdict, check_quorum
from workflows.roster import Roster
from workflows.rules import Rule

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def task_snapshot(task: TaskRow) -> dict[str, Any]:
    """The parts of a task an audit row keeps before and after a change."""
    return {"state": task.state, "count_done": task.count_done, "late": task.late}


@dataclass
class DoneRequest:
    """What the secretary typed after ``zhibu done KEY``."""

    on: date | None = None
    attendance: Attendance = field(default_factory=Attendance)
    note: str | None = None
    attachments: Sequence[str] = ()
    operator: Operator = field(default_factory=lambda: Operator(login="unknown"))
    amount: Decimal | None = None
    confirmation: bool = False  # the finder confirms a rectification (问题消号)


@dataclass
class DoneResult:
    """The completion written and what it means for the task."""

    task: TaskRow
    completion: CompletionRow
    late: bool
    quorum: QuorumVerdict | None
    dues_expected: Decimal | None = None


def dues_expected(session: Session, task: TaskRow, rule: Rule) -> Decimal | None:
    """What the member of a dues task owes for its period, from the roster's base."""
    person = session.get(PersonRow, task.person_id) if task.person_id else None
    if person is None:
        return None
    monthly = monthly_dues(person.dues_base, retired=person.retired, fixed=person.dues_fixed)
    return dues_for_period(monthly, rule.every.value) if monthly is not None else None


def _attachments(items: Sequence[str]) -> list[str]:
    """The references a completion keeps: evidence kept by hash (:mod:`scheduler.store.evidence`)
    or web addresses; anything else was not kept and is refused."""
    for item in items:
        if not (item.startswith(evidence.PREFIX) or evidence.WEB.match(item)):
            raise UsageError("task.attachment_missing", path=item)
    return list(items)


def _refuse_if_closed(session: Session, task: TaskRow) -> None:
    if task.state == WAIVED:
        waiver = _latest_active(session, task, kinds=(WAIVE_KIND,))
        on = waiver.recorded_at.date().isoformat() if waiver else "?"
        reason = waiver.note if waiver and waiver.note else "-"
        raise StateError("task.waived", key=task.key, on=on, reason=reason)
    if task.state == RETIRED:
        raise StateError("task.retired", key=task.key)
    if task.state == DONE:
        latest = _latest_active(session, task, kinds=(DONE_KIND,))
        on = latest.happened_on.isoformat() if latest and latest.happened_on else "?"
        raise StateError("task.already_done", key=task.key, on=on)


def record_done(
    session: Session,
    task: TaskRow,
    request: DoneRequest,
    *,
    rule: Rule | None,
    roster: Roster,
    today: date,
    now: datetime,
) -> DoneResult:
    """Append a completion to ``task`` after checking date, state and attendance."""
    _refuse_if_closed(session, task)
    on = request.on or today
    if on > today:
        raise UsageError("task.future", on=on.isoformat(), today=today.isoformat())
    if on < task.period_start and task.stage and rule is not None and rule.record_date is not None:
        raise UsageError("chain.too_early", key=task.key, on=on.isoformat(), earliest=task.period_start.isoformat())
    if on < task.period_start:
        raise UsageError(
            "task.before_period", on=on.isoformat(), period=task.period_key, start=task.period_start.isoformat()
        )
    attachments = _attachments(request.attachments)
    if rule is not None and rule.needs_confirmation:
        _check_rectification(session, task, request, bool(attachments or (request.note or "").strip()))
    elif request.confirmation:
        raise UsageError("rectify.not_rectification", key=task.key)
    verdict = None
    if rule is not None and rule.quorum is not None:
        verdict = check_quorum(rule.quorum, roster, task.unit_id, request.attendance)
    late = on > task.due_on
    expected = dues_expected(session, task, rule) if rule is not None and rule.collects_dues else None
    data: dict[str, Any] = {"voting_expected": verdict.voting_expected} if verdict else {}
    if request.amount is not None:
        data["amount"] = str(request.amount)
    if expected is not None:
        data["dues_expected"] = str(expected)
    before = task_snapshot(task)
    completion = completions.append(
        session,
        request.operator,
        task_id=task.id,
        kind=DONE_KIND,
        recorded_at=now,
        happened_on=on,
        late=late,
        expected=verdict.expected if verdict else None,
        present=verdict.present
        if verdict
        else request.attendance.attendees or (len(request.attendance.present) or None),
        present_names=list(request.attendance.present),
        absent_names=list(request.attendance.absent),
        quorum_met=verdict.met if verdict else None,
        note=request.note,
        attachments=attachments,
        data=data,
    )
    task.count_done += 1
    finished = task.count_done >= task.count_required
    if finished:
        task.done_at, task.late = now, late
    session.flush()
    after = {"count_done": task.count_done, "late": task.late, "completion": completion.id, "on": on.isoformat()}
    change(
        session,
        task,
        to=DONE if finished else None,
        now=now,
        operator=request.operator,
        action="done",
        before=before,
        after=after,
    )
    return DoneResult(task=task, completion=completion, late=late, quorum=verdict, dues_expected=expected)


def _check_rectification(session: Session, task: TaskRow, request: DoneRequest, has_evidence: bool) -> None:
    """Evidence first (by whoever fixed it), then the confirmation by the one who found it."""
    finder = session.get(PersonRow, task.person_id) if task.person_id else None
    if request.confirmation:
        if task.count_done < 1:
            raise StateError("rectify.nothing_to_confirm", key=task.key)
        if finder is not None and request.operator.person_id != finder.id:
            raise NotAllowedError("rectify.not_finder", key=task.key, finder=finder.name, by=request.operator.label)
    elif task.count_done >= 1:
        raise StateError(
            "rectify.awaiting_confirmation", key=task.key, finder=finder.name if finder else task.person_id
        )
    elif not has_evidence:
        raise UsageError("rectify.needs_evidence", key=task.key)


def record_waiver(session: Session, task: TaskRow, reason: str, *, operator: Operator, now: datetime) -> CompletionRow:
    """Waive ``task`` (免除) with a reason; it then needs no completion."""
    if task.state == WAIVED:
        raise StateError("task.already_waived", key=task.key)
    _refuse_if_closed(session, task)
    before = task_snapshot(task)
    waiver = completions.append(
        session,
        operator,
        task_id=task.id,
        kind=WAIVE_KIND,
        recorded_at=now,
        note=reason,
    )
    session.flush()
    after = {"count_done": task.count_done, "late": task.late, "reason": reason}
    change(session, task, to=WAIVED, now=now, operator=operator, action="waive", before=before, after=after)
    return waiver


def _records(session: Session, task: TaskRow) -> list[CompletionRow]:
    return list(
        session.scalars(select(CompletionRow).where(CompletionRow.task_id == task.id).order_by(CompletionRow.id))
    )


def _unreversed(session: Session, task: TaskRow, kinds: Sequence[str]) -> list[CompletionRow]:
    """The records of ``task`` of these kinds that no reversal has undone, oldest first."""
    records = _records(session, task)
    reversed_ids = {r.reverses_id for r in records if r.kind == REVERSAL_KIND}
    return [r for r in records if r.kind in kinds and r.id not in reversed_ids]


def _latest_active(
    session: Session, task: TaskRow, kinds: Sequence[str] = (DONE_KIND, WAIVE_KIND)
) -> CompletionRow | None:
    active = _unreversed(session, task, kinds)
    return active[-1] if active else None


def active_completions(session: Session, task: TaskRow) -> list[CompletionRow]:
    """The completions of ``task`` that have not been reversed, oldest first."""
    return _unreversed(session, task, (DONE_KIND,))


def undo_latest(session: Session, task: TaskRow, *, operator: Operator, now: datetime) -> CompletionRow:
    """Reverse the latest completion or waiver of ``task`` by appending a reversal."""
    target = _latest_active(session, task)
    if target is None:
        raise StateError("task.nothing_to_undo", key=task.key)
    before = task_snapshot(task)
    reversal = completions.append(
        session,
        operator,
        task_id=task.id,
        kind=REVERSAL_KIND,
        reverses_id=target.id,
        recorded_at=now,
    )
    session.flush()
    remaining = active_completions(session, task)
    task.count_done = len(remaining)
    if task.count_done >= task.count_required:
        state, task.late = DONE, any(r.late for r in remaining)
    else:
        state = state_at(now, task.opens_at, task.due_soon_at, task.due_at)
        task.done_at, task.late = None, False
    after = {"count_done": task.count_done, "late": task.late, "reversed": target.id}
    change(session, task, to=state, now=now, operator=operator, action="undo", before=before, after=after)
    return reversal


def acknowledge(session: Session, task: TaskRow, *, operator: Operator, now: datetime) -> None:
    """``zhibu ack``: the escalation ladder of ``task`` stops; the owner still sees it."""
    if task.acked_at is not None:
        raise StateError("task.already_acked", key=task.key)
    task.acked_at = now
    change(
        session,
        task,
        to=None,
        now=now,
        operator=operator,
        action="ack",
        before={"acked_at": None},
        after={"acked_at": now.isoformat()},
    )


def snooze(session: Session, task: TaskRow, until: datetime, *, operator: Operator, now: datetime) -> None:
    """``zhibu snooze``: no reminder about ``task`` before ``until``."""
    _refuse_if_closed(session, task)
    if until <= now:
        raise UsageError("task.snooze_past", until=until.isoformat())
    before = {"snoozed_until": task.snoozed_until.isoformat() if task.snoozed_until else None}
    task.snoozed_until = until
    if task.next_notice_at is not None:
        task.next_notice_at = max(task.next_notice_at, until)
    after = {"snoozed_until": until.isoformat()}
    change(session, task, to=None, now=now, operator=operator, action="snooze", before=before, after=after)
