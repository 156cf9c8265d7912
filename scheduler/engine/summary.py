"""What a tick did, in the words a person reads: the summary line, the totals, and the due-soon
and overdue keys (printed by ``zhibu tick`` and by the service's first tick)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from scheduler.app import App
from scheduler.engine.tick import TickReport
from scheduler.store.models import TaskRow
from scheduler.store.states import DUE_SOON, OPEN, OVERDUE
from workflows.i18n import Lang, t

LISTED = 20


def tick_summary(app: App, report: TickReport, lang: Lang, *, agenda: bool) -> Iterator[str]:
    """One summary line, the messages line when any moved, and with ``agenda`` the current
    totals and what is due soon or overdue (one line per obligation)."""
    local = report.now.astimezone(app.zone)
    swept = report.sweep
    yield t(
        "tick.report",
        lang,
        now=f"{local:%Y-%m-%d %H:%M} ({app.zone.key})",
        created=report.sync.created,
        opened=swept.count(OPEN),
        due_soon=swept.count(DUE_SOON),
        overdue=swept.count(OVERDUE),
    )
    fired, delivery = report.fired.notices, report.delivery
    if fired or report.digests.messages or report.urgent or delivery.sent or delivery.retried or delivery.failed:
        yield t(
            "tick.messages",
            lang,
            notices=fired,
            digests=report.digests.messages + report.urgent,
            sent=delivery.sent,
            retried=delivery.retried,
            failed=delivery.failed,
        )
    if agenda:
        yield from _agenda(app, lang)


def _agenda(app: App, lang: Lang) -> Iterator[str]:
    with app.store.reading() as session:
        counts = dict(
            session.execute(
                select(TaskRow.state, func.count())
                .where(TaskRow.state.in_([OPEN, DUE_SOON, OVERDUE]))
                .group_by(TaskRow.state)
            ).all()
        )
        yield t(
            "tick.totals",
            lang,
            open=counts.get(OPEN, 0),
            due_soon=counts.get(DUE_SOON, 0),
            overdue=counts.get(OVERDUE, 0),
        )
        for state, heading in ((DUE_SOON, "tick.section_due_soon"), (OVERDUE, "tick.section_overdue")):
            if not counts.get(state):
                continue
            yield t(heading, lang)
            # one line per obligation: a per-person rule's tasks of one unit and day are counted
            rows = session.execute(
                select(func.min(TaskRow.key), func.count(), TaskRow.title, TaskRow.due_on)
                .where(TaskRow.state == state)
                .group_by(TaskRow.unit_id, TaskRow.rule_id, TaskRow.period_key, TaskRow.title, TaskRow.due_on)
                .order_by(TaskRow.due_on, func.min(TaskRow.key))
                .limit(LISTED)
            ).all()
            for key, count, title, due_on in rows:
                label = key if count == 1 else t("tick.people", lang, key=key.rpartition("/")[0], count=count)
                yield f"  {label}  {title}  {t('col.due', lang)} {due_on}"
            shown = sum(count for _, count, _, _ in rows)
            if counts[state] > shown:
                yield "  " + t("tick.more", lang, count=counts[state] - shown)
