"""Reminders that reach people: real SMTP and HTTP receivers on loopback, driven by tick(now)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from scheduler.actions.operator import Operator
from scheduler.actions.records import acknowledge
from scheduler.app import App, open_app
from scheduler.engine.tick import tick
from scheduler.store.lookup import find_task
from scheduler.store.models import NoticeRow, OutboxRow, TaskRow
from tests.conftest import CliRun, beijing, edit_config
from tests.e2e.conftest import wire_channels
from tests.receivers import HttpReceiver, SmtpServer

PEOPLE_WITH_EMAIL = {"zhangwei@example.org", "lina@example.org", "zhengyu@example.org"}


def outbox(app: App) -> list[OutboxRow]:
    with app.store.reading() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def notices_of(app: App, key: str) -> list[tuple[str, str]]:
    with app.store.reading() as session:
        task = find_task(session, key)
        rows = session.scalars(select(NoticeRow).where(NoticeRow.task_id == task.id).order_by(NoticeRow.id))
        return [(n.step, n.recipient) for n in rows]


def run_hourly(app: App, start: str, end: str) -> None:
    moment, last = beijing(start), beijing(end)
    while moment <= last:
        tick(app, moment)
        moment += timedelta(hours=1)


def test_daily_digest_arrives_by_email_in_chinese_once_a_day(
    notifying: App, smtp: SmtpServer, webhook: HttpReceiver
) -> None:
    tick(notifying, beijing("2026-03-02 08:00"))  # Monday: tasks created, reminders fired
    assert smtp.received == []  # the digest waits for 08:30
    tick(notifying, beijing("2026-03-02 08:30"))
    assert sorted(r for mail in smtp.received for r in mail.recipients) == sorted(PEOPLE_WITH_EMAIL)
    [mail] = [m for m in smtp.received if m.recipients == ["zhangwei@example.org"]]
    assert mail.sender == "zhibu@example.org"
    assert (
        mail.subject == "【zhibu】某局机关党委：新开始 4 项 · 4 项工作提醒（2026-03-02）"
    )  # the subject leads with what is new
    text, html = mail.part("plain"), mail.part("html")
    assert text.startswith("张伟，您好：")
    for key in ("zb1/主题党日/2026-03", "zb1/支委会/2026-03", "zb1/党员大会/2026Q1", "zb1/党课/2026Q1"):
        assert f"- {key} " in text  # one line per task, key first: ready to copy
        assert f"{key}</span>" in html
    assert "\n【新开始的工作】\n" in text.replace("\r\n", "\n")  # zhibu's own text part, not one derived from the HTML
    assert "zhibu done" in text
    assert "zb2/" not in text  # only what is hers to see to

    [hook] = webhook.hits
    payload = hook.json()
    assert hook.path == "/zhibu"
    assert payload["title"].endswith("7 项工作提醒（2026-03-02）")
    # lina collects zb1's dues: the members' tasks are one line, with how many and the first names
    assert "- zb1/党费/2026Q1  【新】缴纳党费：7 人（陈强、李娜、孙丽、吴霞、张伟…）" in payload["message"]

    tick(notifying, beijing("2026-03-02 09:00"))
    tick(notifying, beijing("2026-03-02 17:00"))
    assert len(smtp.received) == 3  # at most one digest per person per day
    unreachable = {row.recipient for row in outbox(notifying) if row.status == "unreachable"}
    assert unreachable == {"person:guoqing", "person:zhaolei", "person:zhoujie", "person:fengjing"}
    assert not [row for row in outbox(notifying) if row.status == "failed"]  # not a delivery failure
    assert all("没有渠道能送达" in (row.last_error or "") for row in outbox(notifying) if row.status == "unreachable")


def test_nothing_is_delivered_in_quiet_hours_on_weekends_or_in_the_spring_festival(
    notifying: App, smtp: SmtpServer
) -> None:
    run_hourly(notifying, "2026-02-12 00:00", "2026-02-25 23:00")
    sent = [row for row in outbox(notifying) if row.status == "sent"]
    assert sent, "some digests were delivered"
    for row in sent:
        assert row.sent_at is not None
        local = row.sent_at.astimezone(notifying.zone)
        assert 8 <= local.hour < 21, local
        assert notifying.workdays.is_working_day(local.date()), local
    days = {row.sent_at.astimezone(notifying.zone).date().isoformat() for row in sent if row.sent_at}
    assert "2026-02-14" in days  # the 调休 Saturday is a working day
    assert not days & {f"2026-02-{d}" for d in range(15, 24)}  # the Spring Festival break
    assert "2026-02-24" in days  # the catch-up after the break
    per_day = Counter((row.recipient, row.day, row.channel) for row in outbox(notifying) if row.kind == "digest")
    assert max(per_day.values()) == 1


def test_overdue_work_climbs_the_ladder_until_acknowledged(notifying: App, smtp: SmtpServer) -> None:
    run_hourly(notifying, "2026-03-30 07:00", "2026-04-08 12:00")
    key = "zb2/支委会/2026-03"  # due Tue 31 March; 4-6 April is the Qingming break
    assert notices_of(notifying, key) == [
        ("before:1d", "person:zhengyu"),  # the first tick (30 March) catches up to the latest step only
        ("due", "person:zhengyu"),
        ("escalate:1", "person:zhengyu"),  # 1 April: the first working day after
        ("escalate:2", "person:zhengyu"),  # 3 April: the third
        ("escalate:2", "person:wangjg"),  # … and the secretary of the 机关党委
    ]
    chased = [m for m in smtp.received if m.recipients == ["wangjg@example.org"]]
    assert any(
        "请您督促" in m.part("plain") and key in m.part("plain") and "负责人 郑宇" in m.part("plain") for m in chased
    )
    with notifying.store.writing() as session:
        acknowledge(session, find_task(session, key), operator=Operator("wangjg"), now=beijing("2026-04-08 12:30"))
    run_hourly(notifying, "2026-04-08 13:00", "2026-04-20 12:00")
    assert [step for step, _ in notices_of(notifying, key) if step.startswith("escalate:3")] == []
    other = "zb3/支委会/2026-03"  # not acknowledged: reaches the committee on the 7th working day (10 April)
    assert ("escalate:3", "person:wangjg") in notices_of(notifying, other)


def test_smtp_outage_then_recovery_delivers_each_message_once(notifying: App, smtp: SmtpServer) -> None:
    tick(notifying, beijing("2026-03-02 08:00"))
    smtp.handler.refuse = 5
    moment = beijing("2026-03-02 08:30")
    while moment <= beijing("2026-03-02 09:30"):
        tick(notifying, moment)
        moment += timedelta(minutes=1)
    assert smtp.handler.refused == 5
    assert Counter(r for m in smtp.received for r in m.recipients) == dict.fromkeys(PEOPLE_WITH_EMAIL, 1)
    mails = [row for row in outbox(notifying) if row.channel == "mail"]
    assert all(row.status == "sent" for row in mails)
    assert sum(row.attempts for row in mails) == len(mails) + 5
    assert any(row.attempts > 1 and "451" in (row.last_error or "") for row in mails) or all(
        row.last_error is None for row in mails
    )


def test_bad_password_is_a_permanent_failure_shown_by_status(
    example_config: Path, webhook: HttpReceiver, zhibu: CliRun
) -> None:
    with SmtpServer(user="zhibu", password="right-one") as guarded:
        wire_channels(
            example_config,
            f"mailto://zhibu:${{ZHIBU_SMTP_PASSWORD}}@127.0.0.1:{guarded.port}?from=zhibu@example.org",
            webhook.port,
        )
        import os

        os.environ["ZHIBU_SMTP_PASSWORD"] = "wrong-secret-pw"
        try:
            app = open_app(example_config)
            tick(app, beijing("2026-03-02 08:00"))
            tick(app, beijing("2026-03-02 08:30"))
            failed = [row for row in outbox(app) if row.channel == "mail"]
            assert {row.status for row in failed} == {"failed"}
            assert all(row.attempts == 1 for row in failed)  # permanent: not retried
            assert all("535" in (row.last_error or "") for row in failed)
            result = zhibu("--lang", "en", "status", "--now", "2026-03-02T08:31")
            listed = zhibu("outbox", "list", "--failed")
        finally:
            del os.environ["ZHIBU_SMTP_PASSWORD"]
    assert result.exit_code == 0
    assert "recent delivery failures:" in result.output
    assert "535" in result.output
    assert "wrong-secret-pw" not in result.output + listed.output
    assert guarded.received == []


def test_malformed_channel_url_is_a_config_error(example_config: Path, zhibu: CliRun) -> None:
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        '\\1\n[channels.wecom]\nurl = "wecombot://"\n\n[channels.typo]\nurl = "mailtoo://smtp.example.org"\n',
    )
    result = zhibu("--lang", "en", "check")
    assert result.exit_code == 2
    assert "channels.wecom.url: apprise does not recognise the channel URL" in result.output
    assert "channels.typo.url: apprise does not recognise the channel URL" in result.output


def test_a_task_done_before_the_digest_is_left_out(notifying: App, smtp: SmtpServer) -> None:
    tick(notifying, beijing("2026-03-02 08:00"))
    from scheduler.actions.records import DoneRequest, record_done
    from scheduler.engine.directory import load_roster

    with notifying.store.writing() as session:
        task = find_task(session, "zb1/支委会/2026-03")
        record_done(
            session,
            task,
            DoneRequest(operator=Operator("张伟")),
            rule=notifying.rules_by_id[task.rule_id],
            roster=load_roster(session),
            today=beijing("2026-03-02 08:10").date(),
            now=beijing("2026-03-02 08:10"),
        )
    tick(notifying, beijing("2026-03-02 08:30"))
    [mail] = [m for m in smtp.received if m.recipients == ["zhangwei@example.org"]]
    assert "zb1/支委会/2026-03" not in mail.part("plain")
    assert "zb1/党课/2026Q1" in mail.part("plain")
    with notifying.store.reading() as session:
        assert session.scalars(select(TaskRow.next_notice_at).where(TaskRow.key == "zb1/支委会/2026-03")).one() is None


def test_unit_group_channel_gets_its_units_escalations(
    example_config: Path, smtp: SmtpServer, webhook: HttpReceiver
) -> None:
    wire_channels(example_config, f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org", webhook.port)
    edit_config(
        example_config,
        r'(id = "zb3"\nname = "第三党支部（离退休）"\nkind = "branch"\nparent = "jgdw"\n)',
        '\\1channel = "hook"\n',
    )
    edit_config(
        example_config,
        r'(quorum = "committee".*?\n)',
        '\\1escalate = [{ after = 1, to = ["unit-channel", "role:party-committee-secretary"] }]\n',
    )
    app = open_app(example_config)
    tick(app, beijing("2026-03-31 09:00"))
    tick(app, beijing("2026-04-01 08:30"))  # the first working day after the deadline
    group = [hit.json() for hit in webhook.hits if "第三党支部" in hit.json()["message"]]
    [message] = group
    assert message["message"].startswith("hook，您好：")
    assert (
        "- zb3/支委会/2026-03  【新】支部委员会会议（第三党支部（离退休），截止 2026-03-31，负责人 郭庆）"
        in message["message"]
    )
    assert "zb1/" not in message["message"]  # a group hears about its own unit only
    assert ("escalate:1", "person:wangjg") in notices_of(app, "zb3/支委会/2026-03")


def test_templates_dir_overrides_a_template(notifying: App, example_config: Path, smtp: SmtpServer) -> None:
    folder = example_config.parent / "my-templates" / "zh"
    folder.mkdir(parents=True)
    (folder / "digest.subject").write_text("【{{ org }}】今日待办 {{ total }} 项\n", encoding="utf-8")
    edit_config(example_config, r'(email_channel = "mail"\n)', '\\1templates_dir = "my-templates"\n')
    app = open_app(example_config)
    tick(app, beijing("2026-03-02 08:00"))
    tick(app, beijing("2026-03-02 08:30"))
    subjects = {m.recipients[0]: m.subject for m in smtp.received}
    assert subjects["zhangwei@example.org"] == "【某局机关党委】今日待办 4 项"
    assert "zb1/党课/2026Q1" in next(m for m in smtp.received if m.recipients == ["zhangwei@example.org"]).part("plain")


def test_after_downtime_one_catch_up_digest_per_person(notifying: App, smtp: SmtpServer) -> None:
    tick(notifying, beijing("2026-03-02 08:30"))
    first = len(smtp.received)
    tick(notifying, beijing("2026-04-14 08:30"))  # the service was off for six weeks
    catch_up = smtp.received[first:]
    # one each; the 机关党委's secretary too, who now chases the branches' overdue work
    assert sorted(r for m in catch_up for r in m.recipients) == sorted({*PEOPLE_WITH_EMAIL, "wangjg@example.org"})
    [mail] = [m for m in catch_up if m.recipients == ["zhangwei@example.org"]]
    text = mail.part("plain")
    for key in ("zb1/支委会/2026-03", "zb1/党员大会/2026Q1", "zb1/主题党日/2026-04"):
        assert key in text
    assert text.count("zb1/支委会/2026-03") == 1  # once, at its latest step


def test_a_long_section_lists_the_first_tasks_and_the_command_for_the_rest(
    notifying: App, example_config: Path, smtp: SmtpServer, zhibu: CliRun
) -> None:
    edit_config(example_config, r'(email_channel = "mail"\n)', "\\1digest_items = 1\n")
    app = open_app(example_config)
    tick(app, beijing("2026-03-02 08:30"))
    first = len(smtp.received)
    tick(app, beijing("2026-04-14 08:30"))  # six weeks off: several tasks each are overdue now
    [mail] = [m for m in smtp.received[first:] if m.recipients == ["zhangwei@example.org"]]
    text = mail.part("plain").replace("\r\n", "\n")
    overdue = [line for line in text.split("\n【已逾期】\n", 1)[1].split("\n【本周截止】\n", 1)[0].splitlines() if line]
    assert len(overdue) == 2, overdue  # one task line, then the count of the rest and the command
    assert overdue[0].startswith("- zb1/")
    command = "zhibu list --assignee zhangwei --status overdue"
    more = int(overdue[1].removeprefix("……另有 ").split(" ")[0])
    assert overdue[1] == f"……另有 {more} 项，运行 {command} 查看全部"
    assert overdue[1] in mail.part("html")
    # each section's command lists all its tasks: the one shown and the ones counted
    commands, shown = {}, ""
    for line in text.splitlines():
        if line.startswith("- "):
            shown = line.split()[1]  # the key of the section's last line shown
        elif found := re.fullmatch(r"……另有 (\d+) 项，运行 (.+) 查看全部", line):
            commands[found.group(2)] = (shown, int(found.group(1)))
    assert "zhibu list --chased-by zhangwei --status overdue" in commands  # what she chases
    for command, (key, more) in commands.items():
        listed = json.loads(zhibu(*command.split()[1:], "--now", "2026-04-14T08:30+08:00", "--json").output)
        assert key in {task["key"] for task in listed}, command
        if "--status overdue" in command:  # overdue, chasing: exactly the section
            assert len(listed) == 1 + more, command
        else:  # the newly opened: all of her open work, which holds them
            assert len(listed) >= 1 + more, command
    listed_lines = text.count("\n- ")
    counted = sum(int(n) for n in re.findall(r"……另有 (\d+) 项", text))
    assert listed_lines == 4  # overdue, this week, new, chasing: one each
    assert f" {listed_lines + counted} 项工作提醒" in mail.subject  # the subject counts every task
    app.store.close()
