"""问题消号: problems found on a leader's visit become 整改 tasks for the branch, closed only with
evidence and then the finder's confirmation; the finder's digest lists those still open."""

from __future__ import annotations

import re
from pathlib import Path

from scheduler.app import open_app
from scheduler.engine.tick import tick
from tests.conftest import ME, CliRun, beijing, edit_config
from tests.e2e.conftest import wire_channels
from tests.receivers import HttpReceiver, SmtpServer


def enable(config: Path) -> None:
    edit_config(config, r"(\[org\]\n)", '[catalogue]\nenable = ["联系支部", "整改"]\n\n\\1')
    edit_config(config, r'(roles = \["书记", "领导班子成员"\]\n)', '\\1contact_units = ["zb1"]\n')


def test_problems_found_on_a_visit_are_closed_by_evidence_and_the_finders_confirmation(
    zhibu: CliRun, example_config: Path, smtp: SmtpServer, webhook: HttpReceiver
) -> None:
    enable(example_config)
    wire_channels(example_config, f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org", webhook.port)
    assert zhibu("tick", "--now", "2026-03-02T07:00", "-q").exit_code == 0
    visit = zhibu(
        "done",
        "zb1/联系支部/2026-03/wangjg",
        "--note",
        "查阅支部台账",
        "--by",
        "wangjg",
        "--now",
        "2026-03-05T10:00",
        "--problem",
        "党员大会记录缺少缺席原因",
        "--problem",
        "党费收缴情况未公示",
    )
    assert visit.exit_code == 0, visit.output
    assert "已登记 zb1/联系支部/2026-03/wangjg：2026-03-05（1/2）" in visit.output
    keys = re.findall(
        r"已建整改任务：(\S+)（负责人 张伟，期限 2026-04-03）", visit.output
    )  # 4 April is in the Qingming break
    assert len(keys) == 2
    first, second = keys
    assert re.fullmatch(r"zb1/整改/2026-03-05#\d+/wangjg", first)

    no_evidence = zhibu("done", first, "--by", "张伟", "--now", "2026-03-10T10:00")
    assert no_evidence.exit_code == 2
    assert "需附证据" in no_evidence.output
    fixed = zhibu("done", first, "--note", "已补记缺席原因并经支委会审核", "--by", "张伟", "--now", "2026-03-10T10:00")
    assert fixed.exit_code == 0, fixed.output
    again = zhibu("done", first, "--note", "再次登记", "--by", "张伟", "--now", "2026-03-10T10:05")
    assert again.exit_code == 1
    assert "等待发现人 王建国 确认：zhibu confirm" in again.output
    # the office may record for anyone, but the confirmation is the finder's, by identity: --by
    # naming him changes nothing
    wrong = zhibu("confirm", first, "--by", "王建国", "--now", "2026-03-11T10:00")
    assert wrong.exit_code == 4
    assert "应由发现人 王建国 确认" in wrong.output
    # the login running the tests becomes 王建国's (the office's no more), as the kernel will say
    edit_config(example_config, r'(id = "liuhm"\n)login = "[^"]+"\n', "\\1")
    edit_config(example_config, r'(id = "wangjg"\n)', f'\\1login = "{ME}"\n')
    assert zhibu("sync", "--now", "2026-03-11T09:00").exit_code == 0
    right = zhibu("confirm", first, "--note", "现场核实", "--now", "2026-03-11T10:00")
    assert right.exit_code == 0, right.output
    assert "问题已销号" in right.output
    assert zhibu("list", "--status", "done", "--rule", "整改").output.count("整改：") == 1

    # the finder's next digest lists the problem still open
    app = open_app(example_config)
    tick(app, beijing("2026-03-12 08:30"))
    [mail] = [m for m in smtp.received if m.recipients == ["wangjg@example.org"] and "2026-03-12" in m.subject]
    text = mail.part("plain")
    assert "未销号的整改问题" in text
    assert second in text
    assert first not in text
