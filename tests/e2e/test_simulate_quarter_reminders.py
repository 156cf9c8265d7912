"""A simulated quarter of reminders for the example config, ticking four times every day:
no message in quiet hours or on a rest day, at most one digest per person per day, every overdue
task escalated along its ladder, and the ladder stopped by ``ack``."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from scheduler.actions.operator import Operator
from scheduler.actions.records import acknowledge
from scheduler.app import App
from scheduler.engine.tick import tick
from scheduler.store.lookup import find_task
from scheduler.store.models import NoticeRow, OutboxRow, ScheduleRow, TaskRow
from tests.receivers import HttpReceiver, SmtpServer
from workflows.reminders import ReminderStep

TIMES = ("07:00", "08:30", "13:00", "22:00")
ACKED = "zb3/支委会/2026-01"


def test_a_quarter_of_reminders(notifying: App, smtp: SmtpServer, webhook: HttpReceiver) -> None:
    zone = notifying.zone
    end = datetime(2026, 3, 31, 23, 0, tzinfo=zone)
    day = date(2026, 1, 1)
    while day <= date(2026, 3, 31):
        for clock_time in TIMES:
            moment = datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=zone)
            tick(notifying, moment)
            if moment == datetime(2026, 2, 3, 13, 0, tzinfo=zone):
                with notifying.store.writing() as session:
                    acknowledge(session, find_task(session, ACKED), operator=Operator("wangjg"), now=moment)
        day += timedelta(days=1)

    with notifying.store.reading() as session:
        rows = list(session.scalars(select(OutboxRow)))
        notices = list(session.scalars(select(NoticeRow)))
        tasks = {t.id: t for t in session.scalars(select(TaskRow))}
        schedules = {
            (s.rule_id, s.period_key): [ReminderStep.from_json(x) for x in s.steps]
            for s in session.scalars(select(ScheduleRow))
        }

    sent = [row for row in rows if row.status == "sent"]
    assert len(smtp.received) == len([row for row in sent if row.channel == "mail"]) > 20
    lina_by_mail = [row for row in sent if row.recipient == "person:lina" and row.channel == "mail"]
    assert len(webhook.hits) == len([row for row in sent if row.channel == "hook"]) == len(lina_by_mail) >= 4
    # 1. never in quiet hours, never on a rest day
    for row in sent:
        assert row.sent_at is not None
        local = row.sent_at.astimezone(zone)
        assert time_ok(local), local
        assert notifying.workdays.is_working_day(local.date()), local
    # 2. at most one digest per person, channel and day — and the receiver agrees
    per_day = Counter((row.recipient, row.channel, row.day) for row in rows if row.kind == "digest")
    assert max(per_day.values()) == 1
    arrivals = Counter((mail.recipients[0], mail.subject[-11:-1]) for mail in smtp.received)
    assert max(arrivals.values()) == 1
    # 3. every overdue task climbed its ladder: each rung due before the end fired, unless acked
    fired = {(n.task_id, n.step) for n in notices}
    checked = 0
    for task in tasks.values():
        if task.state != "overdue" or task.key == ACKED or task.assignee_id is None:
            continue
        for step in schedules[(task.rule_id, task.period_key)]:
            if step.escalation and step.at <= end:
                assert (task.id, step.name) in fired, (task.key, step.name)
                checked += 1
    assert checked > 50
    # 4. ack stopped the ladder: nothing escalated after 3 February for the acknowledged task
    acked = next(t for t in tasks.values() if t.key == ACKED)
    assert [n.step for n in notices if n.task_id == acked.id and n.escalation] == ["escalate:1"]
    # nobody without a channel was silently dropped: each has rows saying why (not sent, not failed)
    assert {row.recipient for row in rows if row.status == "unreachable"} == {
        "person:guoqing",
        "person:zhaolei",
        "person:zhoujie",
        "person:fengjing",
    }


def time_ok(local: datetime) -> bool:
    return 8 <= local.hour < 21
