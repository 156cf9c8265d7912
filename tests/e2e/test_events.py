"""Events recorded later (shape 5) through the CLI: 五必访 and 五必谈 become tasks at once,
survive the next sync, and bad input is refused with the choices."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRun, edit_config


def enable_events(config: Path) -> None:
    edit_config(config, r"(\[org\]\n)", '[catalogue]\nenable = ["五必访", "五必谈"]\n\n\\1')


def test_hospitalization_calls_for_a_visit_within_a_week(zhibu: CliRun, example_config: Path) -> None:
    enable_events(example_config)
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    added = zhibu(
        "event",
        "add",
        "住院",
        "--person",
        "孙丽",
        "--on",
        "2026-03-02",
        "--note",
        "阑尾炎手术",
        "--by",
        "张伟",
        "--now",
        "2026-03-02T10:00",
    )
    assert added.exit_code == 0, added.output
    assert "已记录事件 #1（生病住院，sunli，2026-03-02）" in added.output
    assert "新任务：zb1/五必访/2026-03-02/sunli，截止 2026-03-09" in added.output  # sunli is in a 党小组 of zb1
    talk = zhibu(
        "--lang",
        "en",
        "event",
        "add",
        "job_change",
        "--person",
        "heping",
        "--on",
        "2026-02-27",
        "--now",
        "2026-03-02T10:00",
    )
    assert "new task: zb2/五必谈/2026-02-27/heping, due 2026-03-13" in talk.output
    # the next ticks keep them (they come from events, not periods) and remind the secretary
    assert zhibu("tick", "--now", "2026-03-03T09:00", "-q").exit_code == 0
    listed = zhibu("list", "--rule", "五必访", "--json")
    assert '"assignee": "zhangwei"' in listed.output
    done = zhibu("done", "zb1/五必访/2026-03-02/sunli", "--note", "到医院看望", "--now", "2026-03-04T16:00")
    assert done.exit_code == 0, done.output
    events = zhibu("event", "list")
    assert "hospitalized" in events.output
    assert "阑尾炎手术" in events.output


def test_unknown_kind_and_person_are_refused(zhibu: CliRun, example_config: Path) -> None:
    enable_events(example_config)
    zhibu("tick", "--now", "2026-03-02T09:00", "-q")
    kind = zhibu("--lang", "en", "event", "add", "hospitalised", "--person", "孙丽", "--now", "2026-03-02T10:00")
    assert kind.exit_code == 2
    assert "no rule listens to the event 'hospitalised'" in kind.output
    assert "hospitalized" in kind.output
    person = zhibu("--lang", "en", "event", "add", "住院", "--person", "sunly", "--now", "2026-03-02T10:00")
    assert person.exit_code == 1
    assert "sunli" in person.output
    future = zhibu("event", "add", "住院", "--person", "孙丽", "--on", "2026-03-05", "--now", "2026-03-02T10:00")
    assert future.exit_code == 2


def test_dues_done_with_amount_checks_the_base(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r'(id = "lina"\nname = "李娜"\nunit = "zb1"\n)', "\\1dues_base = 6800\n")
    edit_config(example_config, r"(\[rules\.dues\]\n)", "\\1collects_dues = true\n")
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    right = zhibu("done", "zb1/党费/2026Q1/lina", "--amount", "306", "--now", "2026-03-02T10:00")
    assert right.exit_code == 0, right.output
    assert "请核对" not in right.output
    zhibu("undo", "zb1/党费/2026Q1/lina", "--now", "2026-03-02T10:01")
    wrong = zhibu("done", "zb1/党费/2026Q1/lina", "--amount", "300元", "--now", "2026-03-02T10:02")
    assert wrong.exit_code == 0
    assert "按缴费基数应缴 306.00 元，实缴 300.00 元，请核对" in wrong.output
    shown = zhibu("show", "zb1/党费/2026Q1/lina", "--json")
    assert '"amount": "300.00"' in shown.output
    bad = zhibu("done", "zb1/党费/2026Q1/sunli", "--amount", "三十", "--now", "2026-03-02T10:02")
    assert bad.exit_code == 2


def test_heart_talk_pairs_through_the_cli(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r"(\[org\]\n)", '[catalogue]\nenable = ["谈心谈话"]\n\n\\1')
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    mine = zhibu("list", "--rule", "谈心谈话", "--assignee", "陈强", "--json")
    pairs = {t["key"] for t in json.loads(mine.stdout)}
    assert len(pairs) == 6
    assert "zb1/谈心谈话/2026/chenqiang+wuxia" in pairs
    done = zhibu("done", "zb1/谈心谈话/2026/chenqiang+wuxia", "--note", "谈预备期表现", "--now", "2026-03-02T15:00")
    assert done.exit_code == 0, done.output
    left = zhibu("list", "--rule", "谈心谈话", "--assignee", "陈强", "--json")
    assert len(json.loads(left.stdout)) == 5  # who has not been talked to yet
