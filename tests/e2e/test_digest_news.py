"""Digests that lead with what changed: a new escalation is seen the day it happens, ahead of the
backlog; a digest held up by a failing server is merged into the next, never sent beside it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from scheduler.app import open_app
from scheduler.engine.tick import tick
from scheduler.store.models import NoticeRow, OutboxRow, TaskRow
from tests.conftest import beijing, edit_config
from tests.receivers import SmtpServer, free_port

MAIL = "mailto://127.0.0.1:{port}?from=zhibu@example.org"


def with_mail(config: Path, port: int, items: int = 20) -> None:
    edit_config(
        config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[notify]\nemail_channel = "mail"\ndigest_items = {items}\n\n[channels.mail]\nurl = "{MAIL.format(port=port)}"\n',
    )


def test_a_new_escalation_leads_its_section_ahead_of_the_backlog(example_config: Path) -> None:
    """A quarter with nothing done: by April the committee secretary chases a long backlog. Each
    working morning, every task escalated to him that day is in his digest, in the first lines of
    the chasing section, marked new."""
    with SmtpServer() as smtp:
        with_mail(example_config, smtp.port, items=3)  # a short section: the backlog cannot all fit
        app = open_app(example_config)
        day, checked = date(2026, 1, 5), 0
        while day <= date(2026, 4, 30):
            before = len(smtp.received)
            tick(app, beijing(f"{day} 08:31"))
            escalated_today = _escalated_to(app, "person:wangjg", day)
            mails = [m for m in smtp.received[before:] if m.recipients == ["wangjg@example.org"]]
            if escalated_today:
                [mail] = mails
                text = mail.part("plain").replace("\r\n", "\n")
                chasing = text.split("\n【请您督促】\n", 1)[1].split("\n\n", 1)[0].splitlines()
                shown = [line for line in chasing if line.startswith("- ")]
                today = set(escalated_today) | {key.rpartition("/")[0] for key in escalated_today}
                # the first lines are today's escalations, marked new; older ones only after them
                leading = shown[: min(len(shown), len(escalated_today))]
                assert all(line.split()[1] in today and "【新】" in line for line in leading), (day, shown)
                assert "新增督促" in mail.subject
                checked += 1
            day += timedelta(days=1)
        app.store.close()
    assert checked >= 3  # the quarter did escalate, several times


def _escalated_to(app: object, recipient: str, day: date) -> list[str]:
    with app.store.reading() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(TaskRow.key)
            .join(NoticeRow, NoticeRow.task_id == TaskRow.id)
            .where(NoticeRow.recipient == recipient, NoticeRow.escalation.is_(True), NoticeRow.digest_day == day)
            .distinct()
        )
        return sorted(key for (key,) in rows)


def test_a_digest_held_by_a_failing_server_is_merged_into_the_next(example_config: Path) -> None:
    down = free_port()
    with_mail(example_config, down)  # nothing listens: every send is refused
    app = open_app(example_config)
    tick(app, beijing("2026-03-02 08:31"))  # Monday's digests are composed and cannot leave
    app.store.close()
    with SmtpServer() as smtp:
        edit_config(example_config, rf"127\.0\.0\.1:{down}", f"127.0.0.1:{smtp.port}")
        app = open_app(example_config)
        tick(app, beijing("2026-03-06 08:31"))  # Friday, reminders due: the server is back
        with app.store.reading() as session:
            digests = list(session.scalars(select(OutboxRow).where(OutboxRow.kind == "digest")))
        app.store.close()
        received = Counter(m.recipients[0] for m in smtp.received)
        monday = [d for d in digests if d.day == date(2026, 3, 2) and d.channel == "mail"]
        friday = [d for d in digests if d.day == date(2026, 3, 6) and d.channel == "mail"]
    assert monday
    assert friday
    assert {d.status for d in friday} == {"sent"}
    fresh_today = {d.recipient for d in friday}
    # replaced by Friday's where there is one, never delivered beside it; sent late where not
    assert {d.status for d in monday if d.recipient in fresh_today} == {"superseded"}
    assert {d.status for d in monday if d.recipient not in fresh_today} <= {"sent"}
    assert set(received.values()) == {1}  # one digest per person that day
    merged = next(d for d in monday if d.status == "superseded")
    mail = next(m for m in smtp.received if m.recipients == [merged.address])
    carried = [line.split()[1] for line in merged.body_text.splitlines() if line.startswith("- ")]
    text = mail.part("plain").replace("\r\n", "\n")
    assert carried
    assert all(f"- {key}  【新】" in text for key in carried)  # Monday's news carried into Friday's


OFFICE = ["wangjg@example.org"]  # the committee's secretary, made one of the office below


def office_mornings(config: Path, first: date, last: date) -> list[Any]:
    """Digest mornings from ``first`` until the office's first digest (or ``last``): every mail sent."""
    edit_config(config, r"(\[org\]\n)", '\\1office_roles = ["党务专干", "书记"]\n')
    with SmtpServer() as smtp:
        with_mail(config, smtp.port)
        app = open_app(config)
        day = first
        while not any(m.recipients == OFFICE for m in smtp.received) and day < last:
            tick(app, beijing(f"{day} 08:31"))
            day += timedelta(days=1)
        app.store.close()
    return list(smtp.received)


def test_the_office_s_digest_carries_the_history_s_heads(example_config: Path) -> None:
    """The head of the hash chain is kept outside the store every working day: in the digest of
    the 党委 office."""
    received = office_mornings(example_config, date(2026, 3, 30), date(2026, 5, 1))
    office = [m for m in received if m.recipients == OFFICE]
    others = [m for m in received if m.recipients == ["zhangwei@example.org"]]
    assert office, "the committee's secretary heard of his unit's overdue work"
    assert "记录链头：audit " in office[0].part("plain")
    assert all("记录链头" not in m.part("plain") for m in others)  # a branch secretary's digest does not


def test_the_office_s_digest_warns_when_next_years_holidays_are_unknown(example_config: Path) -> None:
    received = office_mornings(example_config, date(2026, 11, 30), date(2026, 12, 31))
    office = [m for m in received if m.recipients == OFFICE]
    others = [m for m in received if m.recipients != OFFICE]
    assert office
    assert "2027 年的放假和调休安排尚未公布" in office[0].part("plain")
    assert "2027 年的放假和调休安排尚未公布" in office[0].part("html")
    assert all("2027 年的放假" not in m.part("plain") for m in others)
