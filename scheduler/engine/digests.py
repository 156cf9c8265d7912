"""Daily digests: one message per recipient per day, gathering what that person must see to.

A digest is composed for a recipient who has new notices, once the digest time has come, on a
working day and outside their quiet hours; it shows everything the person owns that is overdue,
due today or this week, what newly opened, and what they are chasing for others. Each line has
the task key to paste into ``zhibu done``. The outbox key (digest, day, recipient, channel) and
the check for an existing digest make a second digest on the same day impossible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from notifiers.channels import Message
from notifiers.render import Section, environment, fit_for_channel, render
from notifiers.routing import Target, channel_url, targets_for, window_for
from scheduler.app import App
from scheduler.engine.digest_sections import (
    Lookup,
    digest_inputs,
    digest_sections,
    item_of,
)
from scheduler.engine.inserts import insert_new
from scheduler.store import chain
from scheduler.store.engine import IN_LIST, analyze_if_filled, in_chunks
from scheduler.store.models import NoticeRow, OutboxRow, PersonRow, TaskRow, UnitRow
from workflows.calendar import local_date
from workflows.i18n import Lang, t
from workflows.recipients import PERSON
from workflows.vocabulary import UnitKind

OUTBOX_TABLE = cast(Table, OutboxRow.__table__)


NO_CHANNEL = "-"


DIGEST_BATCH = IN_LIST  # recipients composed together: one IN (...) list, their tasks in memory at once


@dataclass
class DigestReport:
    """How many digests were queued and for how many recipients."""

    recipients: int = 0
    messages: int = 0
    superseded: int = 0  # unsent digests of earlier days replaced by today's
    notices: int = 0  # notices the digests carried


def _waiting(session: Session) -> list[str]:
    """Recipients with notices no digest has carried yet (from the pending index alone; through
    the table's columns: an ORM select would fetch every row before returning the first)."""
    notice = cast(Table, NoticeRow.__table__)
    return sorted(session.scalars(select(notice.c.recipient).where(notice.c.digest_day.is_(None)).distinct()))


def _pending(session: Session, recipients: Sequence[str]) -> dict[str, list[int]]:
    """The tasks each of ``recipients`` was notified of since their last digest."""
    pending: dict[str, list[int]] = {}
    for chunk in in_chunks(recipients):
        rows = session.execute(
            select(NoticeRow.recipient, NoticeRow.task_id).where(
                NoticeRow.digest_day.is_(None), NoticeRow.recipient.in_(chunk)
            )
        )
        for recipient, task_id in rows:
            pending.setdefault(recipient, []).append(task_id)
    return pending


SUPERSEDED = "superseded"
UNREACHABLE = "unreachable"  # nobody to send it to: said once, not counted as a delivery failure


def supersede_unsent(session: Session, recipients: Sequence[str], day: date) -> int:
    """A digest of an earlier day still waiting to go out (its channel was down) is replaced by
    today's: it is marked superseded and what it carried counts as new again, so today's digest
    holds both and the person gets one message, not two. Returns the digests replaced."""
    replaced = 0
    for chunk in in_chunks(recipients):
        stale = session.execute(
            select(OutboxRow.id, OutboxRow.recipient, OutboxRow.day).where(
                OutboxRow.recipient.in_(chunk),
                OutboxRow.kind == "digest",
                OutboxRow.status == "queued",
                OutboxRow.day < day,
            )
        ).all()
        if not stale:
            continue
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([row.id for row in stale]), OutboxRow.status == "queued")
            .values(status=SUPERSEDED, last_error=f"replaced by the digest of {day.isoformat()}")
            .execution_options(synchronize_session=False)
        )
        for recipient, old_day in {(row.recipient, row.day) for row in stale}:
            session.execute(
                update(NoticeRow)
                .where(NoticeRow.recipient == recipient, NoticeRow.digest_day == old_day)
                .values(digest_day=None)
                .execution_options(synchronize_session=False)
            )
        replaced += len({row.recipient for row in stale})
    return replaced


def _with_digest(session: Session, day: date) -> set[str]:
    """Recipients who already have a digest for ``day``."""
    outbox = OUTBOX_TABLE.c
    rows = session.scalars(select(outbox.recipient).where(outbox.day == day, outbox.kind == "digest"))
    return set(rows)


def outbox_values(
    *,
    key: str,
    kind: str,
    recipient: str,
    target: Target | None,
    day: date,
    message: Message,
    items: int,
    now: datetime,
    urgent: bool = False,
    failed: str | None = None,
) -> dict[str, Any]:
    """A row for the outbox; ``failed`` records a message that cannot even be attempted."""
    return {
        "key": key,
        "kind": kind,
        "recipient": recipient,
        "channel": target.channel if target else NO_CHANNEL,
        "address": target.address if target else None,
        "day": day,
        "urgent": urgent,
        "title": message.title,
        "body_text": message.text,
        "body_html": message.html,
        "body_markdown": message.markdown,
        "items": items,
        "status": UNREACHABLE if failed else "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": failed,
        "created_at": now,
    }


def queue_message(
    session: Session,
    app: App,
    *,
    key: str,
    kind: str,
    recipient: str,
    targets: Iterable[Target],
    day: date,
    message: Message,
    items: int,
    now: datetime,
    lang: Lang,
    urgent: bool = False,
) -> int:
    """Queue ``message`` to every target (IM markdown fitted to each platform); a recipient with no
    reachable channel gets a failed row saying so, never silence. Returns rows queued."""
    rows = []
    for target in targets:
        fitted = fit_for_channel(channel_url(app.loaded, target) or "", message, lang)
        rows.append(
            outbox_values(
                key=f"{key}/{target.channel}",
                kind=kind,
                recipient=recipient,
                target=target,
                day=day,
                message=fitted,
                items=items,
                now=now,
                urgent=urgent,
            )
        )
    if not rows:
        reason = f"未发送：没有渠道能送达 {recipient}（请为其填写 email 并设置 [notify] email_channel，或为其配置渠道）/ not sent: no channel reaches {recipient}"
        rows.append(
            outbox_values(
                key=f"{key}/{NO_CHANNEL}",
                kind=kind,
                recipient=recipient,
                target=None,
                day=day,
                message=message,
                items=items,
                now=now,
                urgent=urgent,
                failed=reason,
            )
        )
    return insert_new(session, OUTBOX_TABLE, rows)


NEWS = (("chasing", "digest.news_chasing"), ("overdue", "digest.news_overdue"), ("problems", "digest.news_problems"))
OPENED = ("today", "week", "new")


def news_of(sections: Sequence[Section], lang: Lang) -> str:
    """What the subject leads with: what is new since the last digest, by kind
    (``新增督促 2 项 · 新逾期 5 项 · 新开始 3 项 · ``), or nothing."""
    new = {section.name: section.new for section in sections}
    parts = [t(key, lang, count=new[name]) for name, key in NEWS if new.get(name)]
    opened = sum(new.get(name, 0) for name in OPENED)
    if opened:
        parts.append(t("digest.news_opened", lang, count=opened))
    return "".join(f"{part} · " for part in parts)


def office_recipients(session: Session, app: App) -> set[str]:
    """The 党委 office (people of a committee unit with an office role): their digest carries the
    history's heads, so that a head is kept outside the store every working day."""
    office_roles = set(app.loaded.config.org.office_roles)
    committees = set(session.scalars(select(UnitRow.id).where(UnitRow.kind == UnitKind.COMMITTEE.value)))
    rows = session.execute(select(PersonRow.id, PersonRow.roles).where(PersonRow.unit_id.in_(committees)))
    return {PERSON + ident for ident, roles in rows if office_roles & set(roles or ())}


def digest_time(app: App) -> time:
    """The configured local time of the daily digest."""
    return time.fromisoformat(app.loaded.config.notify.digest_time)


def compose_digests(session: Session, app: App, now: datetime, lang: Lang) -> DigestReport:
    """Queue today's digest for every recipient with new notices whose window is open now."""
    report = DigestReport()
    local = now.astimezone(app.zone)
    day = local_date(now, app.zone)
    if local.time() < digest_time(app):
        return report
    waiting = _waiting(session)
    if not waiting:  # the usual case on most ticks: nothing to compose
        return report
    sent_today = _with_digest(session, day)
    due = [
        recipient
        for recipient in waiting
        # on a rest day or in quiet hours the notices wait; after today's digest, for tomorrow's
        if recipient not in sent_today and window_for(recipient, app.loaded, app.zone, app.workdays).allows(now)
    ]
    if not due:  # no names to load, no templates to read
        return report
    lookup = Lookup(session)
    env = environment(app.templates_dir)
    problem_rules = [rule.id for rule in app.rules if rule.needs_confirmation]
    limit = app.loaded.config.notify.digest_items
    office = office_recipients(session, app)
    heads = chain.head_line(chain.heads(session)) if office else ""
    unpublished = app.workdays.unpublished_next_year(day)
    calendar = t("calendar.unpublished", lang, year=unpublished) if office and unpublished else ""
    # a batch of recipients at a time, each section tallied as its rows stream in: a morning after an
    # outage (or in an org where nothing is marked done) can owe digests over a year of overdue work
    for batch in in_chunks(due, DIGEST_BATCH):
        report.superseded += supersede_unsent(session, batch, day)
        pending = _pending(session, batch)
        batch_due = [(recipient, pending.get(recipient, [])) for recipient in batch]
        inputs = digest_inputs(session, batch_due, problem_rules, day, limit)
        lookup.read([*(r.removeprefix(PERSON) for r in batch if r.startswith(PERSON)), *inputs.named()])
        for recipient in batch:
            sections = digest_sections(recipient, lookup, lang, inputs, problem_rules, app.links)
            if not sections:
                continue
            total = sum(inputs.sections[recipient][s.name].count for s in sections)
            context = {
                "org": app.loaded.config.org.name,
                "recipient": lookup.recipient_name(recipient),
                "day": day,
                "sections": sections,
                "total": total,
                "news": news_of(sections, lang),
                "heads": heads if recipient in office else "",  # the office keeps the history's head
                "calendar": calendar if recipient in office else "",  # next year's holidays not known yet
                "lang": lang,
            }
            message = render(env, lang, "digest", context)
            targets = targets_for(recipient, app.loaded, lookup.email(recipient))
            report.messages += queue_message(
                session,
                app,
                key=f"digest/{day}/{recipient}",
                kind="digest",
                recipient=recipient,
                targets=targets,
                day=day,
                message=message,
                items=total,
                now=now,
                lang=lang,
            )
            report.recipients += 1
        # nothing in the session needs the new digest_day, so SQLAlchemy need not look for it there
        carried = session.execute(
            update(NoticeRow)
            .where(NoticeRow.recipient.in_(batch), NoticeRow.digest_day.is_(None))
            .values(digest_day=day),
            execution_options={"synchronize_session": False},
        )
        report.notices += carried.rowcount  # type: ignore[attr-defined]
    analyze_if_filled(session, NoticeRow.__tablename__, report.notices)  # the next ticks ask what waits
    return report


def queue_urgent(session: Session, app: App, fired: Sequence[tuple[int, str, str]], now: datetime, lang: Lang) -> int:
    """Queue one message per urgent notice at once, outside the digest and its windows."""
    if not fired:
        return 0
    lookup = Lookup(session)
    env = environment(app.templates_dir)
    day = local_date(now, app.zone)
    queued = 0
    tasks = {task_id: session.get(TaskRow, task_id) for task_id, _, _ in fired}
    named = [task.assignee_id for task in tasks.values() if task is not None and task.assignee_id]
    lookup.read([*(r.removeprefix(PERSON) for _, _, r in fired if r.startswith(PERSON)), *named])
    for task_id, step, recipient in fired:
        task = tasks[task_id]
        if task is None:
            continue
        item = item_of(task, lookup, with_owner=True)
        message = render(env, lang, "urgent", {"org": app.loaded.config.org.name, "item": item, "lang": lang})
        targets = targets_for(recipient, app.loaded, lookup.email(recipient))
        queued += queue_message(
            session,
            app,
            key=f"urgent/{task_id}/{step}/{recipient}",
            kind="urgent",
            recipient=recipient,
            targets=targets,
            day=day,
            message=message,
            items=1,
            now=now,
            lang=lang,
            urgent=True,
        )
        session.execute(
            update(NoticeRow)
            .where(NoticeRow.task_id == task_id, NoticeRow.step == step, NoticeRow.recipient == recipient)
            .values(digest_day=day)
        )
    return queued
