"""发展党员 as a person's chain with the regulation's minimum intervals: an applicant is talked to
within a month, an activist becomes a 发展对象 no sooner than a year later, a probationary member
is admitted in full a year after probation began; people join the chain where the roster puts them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRun, edit_config

APPLICANT = """
[[people]]
id = "xiaoli"
name = "肖丽"
unit = "zb2"
status = "applicant"
applied_on = 2026-03-02
"""


def chain_tasks(zhibu: CliRun) -> dict[str, tuple[str, str]]:
    listed = json.loads(zhibu("list", "--rule", "发展党员", "--status", "all", "--json").stdout)
    return {t["key"]: (t["state"], t["due_on"]) for t in listed}


def test_admission_chain_keeps_the_minimum_intervals(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r"(\[org\]\n)", '[catalogue]\nenable = ["发展党员"]\n\n\\1')
    edit_config(example_config, r'(status = "activist"[^\n]*\n)', "\\1activist_since = 2025-12-01\n")
    edit_config(example_config, r"(# 第三党支部)", APPLICANT.lstrip() + "\n\\1")
    assert zhibu("tick", "--now", "2026-03-03T09:00", "-q").exit_code == 0
    assert chain_tasks(zhibu) == {
        "zb2/发展党员/谈话/xiaoli": ("open", "2026-04-01"),  # within a month of the application
        "zb2/发展党员/确定发展对象/maliang": ("upcoming", "2027-01-29"),  # a year after 2025-12-01, +60 days, Sat → Fri
        "zb1/发展党员/转正/wuxia": ("upcoming", "2027-07-30"),  # probation from 2026-06-30, a year, +30 days
    }

    step = zhibu("done", "zb2/发展党员/谈话/xiaoli", "--now", "2026-03-20T10:00")
    assert step.exit_code == 0, step.output
    assert "下一阶段已开始：zb2/发展党员/确定积极分子/xiaoli（负责人 郑宇，期限 2026-06-18）" in step.output
    step = zhibu("done", "zb2/发展党员/确定积极分子/xiaoli", "--on", "2026-04-10", "--now", "2026-04-13T10:00")
    assert step.exit_code == 0, step.output
    assert "下一阶段 zb2/发展党员/确定发展对象/xiaoli 最早 2027-04-10 开始" in step.output

    too_soon = zhibu("done", "zb2/发展党员/确定发展对象/xiaoli", "--now", "2026-12-01T10:00")
    assert too_soon.exit_code == 2
    assert "最早 2027-04-10 才能办理" in too_soon.output
    # 2027-04-10 + 60 days is 9 June 2027, 端午 (a lunar holiday the calendar computes): due the 8th
    assert chain_tasks(zhibu)["zb2/发展党员/确定发展对象/xiaoli"] == ("upcoming", "2027-06-08")

    # the roster catches up (活动分子 since the 支委会) — the chain is not started a second time
    edit_config(
        example_config,
        r'(status = )"applicant"\napplied_on = 2026-03-02\n',
        '\\1"activist"\napplied_on = 2026-03-02\nactivist_since = 2026-04-10\n',
    )
    assert zhibu("tick", "--now", "2026-12-02T09:00", "-q").exit_code == 0
    tasks = chain_tasks(zhibu)
    assert [k for k in tasks if k.endswith("/xiaoli")] == [
        "zb2/发展党员/谈话/xiaoli",
        "zb2/发展党员/确定积极分子/xiaoli",
        "zb2/发展党员/确定发展对象/xiaoli",
    ]
    assert tasks["zb2/发展党员/确定发展对象/xiaoli"] == ("upcoming", "2027-06-08")
    assert tasks["zb2/发展党员/确定发展对象/maliang"][0] == "open"  # 2026-12-01 came

    for stage, when in (("确定发展对象", "2027-04-12"), ("接收预备党员", "2027-05-20")):
        done = zhibu("done", f"zb2/发展党员/{stage}/xiaoli", "--now", f"{when}T10:00")
        assert done.exit_code == 0, done.output
    assert "下一阶段 zb2/发展党员/转正/xiaoli 最早 2028-05-19 开始" in done.output  # a year of probation
