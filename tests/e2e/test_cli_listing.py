"""Listing and the real clock: filters a secretary uses, and commands without --now under time-machine."""

from __future__ import annotations

import json
from datetime import datetime

import time_machine

from scheduler import clock
from tests.conftest import SHANGHAI, CliRun


def keys(zhibu: CliRun, *args: str) -> set[str]:
    result = zhibu("list", "--json", *args)
    return {task["key"] for task in json.loads(result.stdout)}


def test_empty_store_says_how_to_fill_it(zhibu: CliRun) -> None:
    result = zhibu("list")
    assert result.exit_code == 1
    assert "zhibu sync" in result.output


def test_filters_by_unit_rule_assignee_and_due_date(zhibu: CliRun) -> None:
    assert zhibu("tick", "--now", "2026-02-10T09:00").exit_code == 0
    unit = keys(zhibu, "--unit", "zb1", "--rule", "党小组会")
    assert unit == {"zb1-g1/党小组会/2026-02", "zb1-g2/党小组会/2026-02"}  # a branch sees its party groups
    committee = keys(zhibu, "--unit", "jgdw", "--rule", "committee_meeting")
    assert committee == {"zb1/支委会/2026-02", "zb2/支委会/2026-02", "zb3/支委会/2026-02"}
    dues = keys(zhibu, "--assignee", "李娜")
    assert dues == {
        f"zb1/党费/2026Q1/{m}" for m in ("chenqiang", "lina", "sunli", "wuxia", "zhangwei", "zhaolei", "zhoujie")
    }
    assert keys(zhibu, "--assignee", "lina") == dues
    soon = keys(zhibu, "--due-before", "2026-02-14")
    assert soon == {"zb1/主题党日/2026-02", "zb2/主题党日/2026-02", "zb3/主题党日/2026-02"}
    upcoming = keys(zhibu, "--status", "upcoming", "--rule", "支委会", "--unit", "zb2")
    assert upcoming == {"zb2/支委会/2026-03"}
    table = zhibu("--lang", "en", "list", "--rule", "支委会", "--limit", "1")
    assert table.output.splitlines()[0].split() == ["ID", "key", "title", "due", "state", "owner"]
    assert len(table.output.splitlines()) == 3


def test_commands_without_now_follow_the_clock(zhibu: CliRun) -> None:
    # 10:00 on the first day of the Spring Festival in Beijing is 02:00 UTC.
    with time_machine.travel(datetime(2026, 2, 17, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert clock.now().isoformat() == "2026-02-17T02:00:00+00:00"
        assert clock.today(SHANGHAI).isoformat() == "2026-02-17"
        assert zhibu("tick").exit_code == 0
        assert "zb1/支委会/2026-02" in keys(zhibu)
        result = zhibu("done", "zb1/支委会/2026-02", "--attendees", "3")
        assert result.exit_code == 0, result.output
        assert "2026-02-17" in result.output
        refused = zhibu("done", "zb1/党课/2026Q1", "--on", "2026-02-18")
        assert refused.exit_code == 2
        assert "在今天（2026-02-17）之后" in refused.output
