"""Chains of stages (shape 6): the half-yearly 示范岗 evaluation through the CLI — each stage opens
when the one before is done, with its owner and deadline; 总支审查 sends it back and the history
shows it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import CliRun, edit_config


def test_model_post_evaluation_runs_its_stages_and_can_be_sent_back(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r"(\[org\]\n)", '[catalogue]\nenable = ["示范岗"]\n\n\\1')
    assert zhibu("tick", "--now", "2026-05-06T09:00", "-q").exit_code == 0  # eight weeks before 30 June
    first = "zb1/示范岗/2026H1/党小组申报"
    listed = json.loads(zhibu("list", "--rule", "示范岗", "--unit", "zb1", "--json").stdout)
    assert [(t["key"], t["assignee_name"]) for t in listed] == [(first, "张伟")]  # no 党小组长 in the branch itself

    step = zhibu("done", first, "--note", "申报：孙丽、周杰", "--now", "2026-05-08T10:00")
    assert step.exit_code == 0, step.output
    assert "下一阶段已开始：zb1/示范岗/2026H1/支委会研究（负责人 张伟，期限 2026-05-18）" in step.output
    step = zhibu("done", "zb1/示范岗/2026H1/支委会研究", "--note", "推荐：孙丽", "--now", "2026-05-12T10:00")
    assert "下一阶段已开始：zb1/示范岗/2026H1/总支审查（负责人 王建国" in step.output  # zb1's parent is the 机关党委

    back = zhibu(
        "sendback", "zb1/示范岗/2026H1/总支审查", "--reason", "材料不全，请补充事迹", "--now", "2026-05-14T10:00"
    )
    assert back.exit_code == 0, back.output
    assert "已退回，上一阶段重新办理：zb1/示范岗/2026H1/支委会研究" in back.output
    states = {
        t["key"]: t["state"]
        for t in json.loads(zhibu("list", "--rule", "示范岗", "--status", "all", "--json").stdout)
        if t["unit"] == "zb1" and "2026H1" in t["key"]
    }
    assert states == {first: "done", "zb1/示范岗/2026H1/支委会研究": "open", "zb1/示范岗/2026H1/总支审查": "retired"}

    again = zhibu("done", "zb1/示范岗/2026H1/支委会研究", "--note", "补充事迹后推荐：孙丽", "--now", "2026-05-15T10:00")
    assert "下一阶段已开始：zb1/示范岗/2026H1/总支审查" in again.output
    history = zhibu("show", "zb1/示范岗/2026H1/总支审查")
    assert "材料不全，请补充事迹" in history.output
    assert re.search(r"sendback", history.output)
    for stage in ("总支审查", "党委验收", "授牌"):
        assert (
            zhibu("done", f"zb1/示范岗/2026H1/{stage}", "--note", "通过：孙丽", "--now", "2026-05-20T10:00").exit_code
            == 0
        )
    final = {
        t["key"]: t["state"]
        for t in json.loads(zhibu("list", "--rule", "示范岗", "--status", "all", "--json").stdout)
        if t["unit"] == "zb1" and "2026H1" in t["key"]
    }
    assert set(final.values()) == {"done"}
    assert len(final) == 5
    first_stage_again = zhibu("sendback", first, "--reason", "x", "--now", "2026-05-20T11:00")
    assert first_stage_again.exit_code == 2


def test_plan_shows_a_chains_later_stages_with_estimated_dates(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r"(\[org\]\n)", '[catalogue]\nenable = ["示范岗"]\n\n\\1')
    shown = zhibu("plan", "--from", "2026-05-01", "--to", "2026-06-30", "--rule", "示范岗", "--unit", "zb1")
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line.split() for line in shown.output.splitlines() if line.startswith("zb1/")}
    assert list(lines) == [
        f"zb1/示范岗/2026H1/{s}" for s in ("党小组申报", "支委会研究", "总支审查", "党委验收", "授牌")
    ]
    first, second = lines["zb1/示范岗/2026H1/党小组申报"], lines["zb1/示范岗/2026H1/支委会研究"]
    assert not first[2].startswith("≈")  # the first stage's dates are the rule's own
    assert second[2] == "≈" + first[3]  # the next opens the day the one before is due
    assert "其中 4 项是后续阶段" in shown.output
    listed = json.loads(
        zhibu("plan", "--from", "2026-05-01", "--to", "2026-06-30", "--rule", "示范岗", "--json").stdout
    )
    assert {row["estimated"] for row in listed if row["key"].endswith("/授牌")} == {True}
