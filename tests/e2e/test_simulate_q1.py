"""Simulate Q1 2026 for the example config with ``zhibu tick --now`` every day, recording work
along the way, and check the exact set of done, waived, overdue, open and upcoming keys."""

from __future__ import annotations

import json
from datetime import date, timedelta

from tests.conftest import CliRun

BRANCHES = ["zb1", "zb2", "zb3"]
GROUPS = ["zb1-g1", "zb1-g2"]
MEMBERS = {  # full and probationary members per branch, party groups included
    "zb1": ["chenqiang", "lina", "sunli", "wuxia", "zhangwei", "zhaolei", "zhoujie"],
    "zb2": ["fengjing", "heping", "xumin", "zhengyu"],
    "zb3": ["guoqing", "liangshan", "luoyun"],
}


def period_keys(months: list[str], quarters: list[str]) -> set[str]:
    keys = set()
    for month in months:
        keys |= {f"{b}/{alias}/{month}" for b in BRANCHES for alias in ("支委会", "主题党日")}
        keys |= {f"{g}/党小组会/{month}" for g in GROUPS}
    for quarter in quarters:
        keys |= {f"{b}/{alias}/{quarter}" for b in BRANCHES for alias in ("党员大会", "党课")}
        keys |= {f"{b}/党费/{quarter}/{m}" for b, people in MEMBERS.items() for m in people}
    return keys


# (day, args of one command run at 18:00 Beijing time that day)
WORK: list[tuple[str, list[str]]] = [
    ("2026-01-15", ["done", "zb1/主题党日/2026-01", "--note", "参观党史馆"]),
    ("2026-01-20", ["done", "zb1/支委会/2026-01", "--present", "张伟,李娜,陈强"]),
    ("2026-01-20", ["done", "zb2/支委会/2026-01", "--attendees", "3"]),
    ("2026-01-28", ["done", "zb1-g1/党小组会/2026-01", "--by", "赵磊"]),
    ("2026-02-03", ["done", "zb2/主题党日/2026-01", "--on", "2026-01-30"]),  # recorded after the 15th
    ("2026-02-10", ["waive", "zb2/支委会/2026-02", "--reason", "春节假期，并入三月支委会"]),
    ("2026-02-25", ["done", "zb1/支委会/2026-02", "--absent", "陈强"]),
    ("2026-02-26", ["done", "zb1-g1/党小组会/2026-02", "--by", "赵磊"]),
    ("2026-03-20", ["done", "zb1/党员大会/2026Q1", "--absent", "孙丽", "--note", "学习全会精神"]),
    ("2026-03-20", ["done", "zb1/党课/2026Q1", "--note", "书记讲党课", "--attendees", "7"]),
    ("2026-03-25", ["done", "zb1-g1/党小组会/2026-03", "--by", "赵磊"]),
    *[("2026-03-25", ["done", f"zb1/党费/2026Q1/{m}", "--by", "李娜"]) for m in MEMBERS["zb1"]],
    ("2026-03-31", ["done", "zb2/党员大会/2026Q1", "--attendees", "4"]),
]


def listed(zhibu: CliRun, *args: str) -> dict[str, dict[str, object]]:
    result = zhibu("list", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return {task["key"]: task for task in json.loads(result.stdout or "[]")}


def test_first_quarter_of_2026(zhibu: CliRun) -> None:
    day = date(2026, 1, 1)
    while day <= date(2026, 4, 1):
        result = zhibu("tick", "--now", f"{day}T09:00")
        assert result.exit_code == 0, result.output
        for when, args in WORK:
            if when == day.isoformat():
                result = zhibu(*args, "--now", f"{day}T18:00")
                assert result.exit_code == 0, (args, result.output)
        day += timedelta(days=1)

    done = {
        "zb1/主题党日/2026-01",
        "zb1/支委会/2026-01",
        "zb2/支委会/2026-01",
        "zb1-g1/党小组会/2026-01",
        "zb2/主题党日/2026-01",
        "zb1/支委会/2026-02",
        "zb1-g1/党小组会/2026-02",
        "zb1/党员大会/2026Q1",
        "zb1/党课/2026Q1",
        "zb1-g1/党小组会/2026-03",
        *{f"zb1/党费/2026Q1/{m}" for m in MEMBERS["zb1"]},
        "zb2/党员大会/2026Q1",
    }
    waived = {"zb2/支委会/2026-02"}
    first_quarter = period_keys(["2026-01", "2026-02", "2026-03"], ["2026Q1"])
    everything = listed(zhibu, "--status", "all")

    assert set(everything) == first_quarter | period_keys(["2026-04", "2026-05"], ["2026Q2", "2026Q3"])
    assert set(listed(zhibu, "--status", "done")) == done
    assert set(listed(zhibu, "--status", "waived")) == waived
    assert set(listed(zhibu, "--status", "overdue")) == first_quarter - done - waived
    assert set(listed(zhibu, "--status", "open")) == period_keys(["2026-04"], ["2026Q2"])
    assert set(listed(zhibu, "--status", "upcoming")) == period_keys(["2026-05"], ["2026Q3"])
    assert listed(zhibu, "--status", "due-soon") == {}

    assert everything["zb2/主题党日/2026-01"]["late"] is True
    assert everything["zb1/主题党日/2026-01"]["late"] is False
    assert everything["zb1/主题党日/2026-01"]["due_on"] == "2026-01-15"
    # 15 Feb 2026 is a Sunday in the Spring Festival break: due on the 调休 Saturday before it.
    assert everything["zb1/主题党日/2026-02"]["due_on"] == "2026-02-14"

    show = zhibu("--lang", "en", "show", "zb1/党员大会/2026Q1")
    assert show.exit_code == 0
    assert "6/7" in show.output  # 应到 7, 实到 6
    assert "✓" in show.output
    assert "学习全会精神" in show.output
