"""The reminder commands through the CLI: notify test, ack, snooze, outbox retry, status."""

from __future__ import annotations

import json
from pathlib import Path

from scheduler.app import App
from tests.conftest import CliRun
from tests.receivers import HttpReceiver, SmtpServer


def test_notify_test_reaches_a_person_and_reports_each_channel(
    notifying: App, zhibu: CliRun, smtp: SmtpServer, webhook: HttpReceiver
) -> None:
    result = zhibu("notify", "test", "--to", "李娜")
    assert result.exit_code == 0, result.output
    assert "已通过 mail (lina@example.org) 发送：成功" in result.output
    assert "已通过 hook 发送：成功" in result.output
    [mail] = smtp.received
    assert mail.subject == "【zhibu】测试消息"
    assert "某局机关党委" in mail.part("html")
    assert webhook.hits[0].json()["title"] == "【zhibu】测试消息"


def test_notify_test_failure_exits_1_without_the_secret(notifying: App, zhibu: CliRun) -> None:
    result = zhibu(
        "--lang",
        "en",
        "notify",
        "test",
        "--to",
        "mailto://zhibu:hunter2-secret@127.0.0.1:1?from=a@example.org&to=b@example.org",
    )
    assert result.exit_code == 1
    assert "Connection refused" in result.output
    assert "hunter2-secret" not in result.output
    nobody = zhibu("--lang", "en", "notify", "test", "--to", "赵磊")
    assert nobody.exit_code == 1
    assert "no channel reaches 赵磊" in nobody.output


def test_ack_and_snooze_through_the_cli(notifying: App, zhibu: CliRun) -> None:
    assert zhibu("tick", "--now", "2026-03-30T09:00").exit_code == 0
    assert zhibu("tick", "--now", "2026-04-02T09:00").exit_code == 0
    acked = zhibu("ack", "zb2/支委会/2026-03", "--by", "wangjg", "--now", "2026-04-02T10:00")
    assert acked.exit_code == 0, acked.output
    assert "已确认 zb2/支委会/2026-03" in acked.output
    again = zhibu("ack", "zb2/支委会/2026-03", "--now", "2026-04-02T10:00")
    assert again.exit_code == 1
    snoozed = zhibu("snooze", "zb1/党费/2026Q2/lina", "--until", "2026-05-01", "--now", "2026-04-02T10:00")
    assert snoozed.exit_code == 0, snoozed.output
    assert "在 2026-05-01 00:00 之前不再提醒" in snoozed.output
    past = zhibu("snooze", "zb1/党费/2026Q2/lina", "--until", "2026-03-01", "--now", "2026-04-02T10:00")
    assert past.exit_code == 2
    shown = json.loads(zhibu("show", "zb2/支委会/2026-03", "--json").output)
    assert [h["action"] for h in shown["history"]][-1] == "ack"


def test_outbox_retry_after_fixing_a_channel(example_config: Path, zhibu: CliRun, webhook: HttpReceiver) -> None:
    from tests.e2e.conftest import wire_channels

    with SmtpServer() as down:
        port = down.port
    wire_channels(example_config, f"mailto://127.0.0.1:{port}?from=zhibu@example.org", webhook.port)
    zhibu("tick", "--now", "2026-03-02T08:00")
    zhibu("tick", "--now", "2026-03-02T08:30")  # the SMTP server is gone: temporary failures
    queued = json.loads(zhibu("outbox", "list", "--status", "queued", "--json").output)
    assert {row["channel"] for row in queued} == {"mail"}
    assert all("Connection refused" in row["last_error"] for row in queued)
    status = zhibu("--lang", "en", "status", "--now", "2026-03-02T08:30:30")
    assert status.exit_code == 0
    assert "queue: 3 queued" in status.output
    with SmtpServer() as back:
        wire_channels_port = back.port
        text = example_config.read_text(encoding="utf-8").replace(
            f"127.0.0.1:{port}?", f"127.0.0.1:{wire_channels_port}?"
        )
        example_config.write_text(text, encoding="utf-8")
        zhibu("tick", "--now", "2026-03-02T08:30:40")  # not yet: the retry is due a minute after 08:30
        assert back.received == []
        zhibu("tick", "--now", "2026-03-02T08:32")
        assert sorted(r for m in back.received for r in m.recipients) == [
            "lina@example.org",
            "zhangwei@example.org",
            "zhengyu@example.org",
        ]
    current = zhibu("status", "--json", "--now", "2026-03-02T08:40")
    assert current.exit_code == 0
    json_status = json.loads(current.output)
    assert json_status["queue"]["sent"] == 4  # three emails and lina's webhook
    assert json_status["last_tick"].startswith("2026-03-02T00:32")
    assert json_status["stale"] is False
    stale = zhibu("--lang", "en", "status", "--now", "2026-03-02T09:00")  # three 5-minute intervals later
    assert stale.exit_code == 1
    assert "no tick for more than three intervals" in stale.output
