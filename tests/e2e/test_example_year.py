"""The realistic example (config.example.toml with examples/roster.csv): a year's plan, counted per
rule and unit from the rule numbers and the roster file read here with the csv module."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import main
from tests.conftest import REPO

BRANCHES = [f"zb{n}" for n in range(1, 9)]
GROUPS = ["zb1-g1", "zb1-g2", "zb5-g1", "zb5-g2"]
GENERAL = ["zz1", "zz2"]
COMMITTEE_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员")
CONTACTS = {"zb1": 2, "zb2": 2, "zb3": 1, "zb4": 1, "zb5": 2, "zb6": 2, "zb7": 1, "zb8": 2}  # leaders per branch


def roster() -> list[dict[str, str]]:
    with (REPO / "examples" / "roster.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def branch_of(row: dict[str, str]) -> str:
    names = {
        "办公室党支部": "zb1",
        "政策法规处党支部": "zb2",
        "计划财务处党支部": "zb3",
        "离退休干部党支部": "zb4",
        "业务一处党支部": "zb5",
        "业务二处党支部": "zb6",
        "信息中心党支部": "zb7",
        "机关服务中心党支部": "zb8",
    }
    return next(ident for name, ident in names.items() if row["所在支部"].startswith(name))


def day(text: str) -> date:
    return date.fromisoformat(text)


def expected_2026() -> Counter[tuple[str, str]]:
    """(rule, unit) → occurrences in 2026, from the catalogue's numbers and the roster."""
    people = roster()
    expected: Counter[tuple[str, str]] = Counter()
    per_branch = {
        "member_meeting": 4,  # quarterly
        "committee_meeting": 12,
        "party_lecture": 4,
        "theme_day": 12,
        "life_meeting": 1,
        "member_review": 1,
        "dues_publication": 1,
        "branch_seminar": 2,  # one quota task per half year (≥ 4 each)
        "responsibility_letter": 1,
        "model_post": 2,  # two chains a year; their first stage is planned, the others open as it goes
        "spring_visits": 1,
        "qingming": 1,
        "july_first": 1,
        "leader_visits": 12,  # per leader and contact branch, each needing 2 visits
    }
    for unit in BRANCHES:
        members = [r for r in people if branch_of(r) == unit and r["人员类别"] in ("正式党员", "预备党员")]
        committee = [r for r in members if any(role in r["职务"] for role in COMMITTEE_ROLES)]
        for rule, count in per_branch.items():
            expected[rule, unit] = count * (CONTACTS[unit] if rule == "leader_visits" else 1)
        expected["dues_quarterly" if unit == "zb8" else "dues", unit] = len(members) * (4 if unit == "zb8" else 12)
        expected["volunteering", unit] = 12 * len(members)
        expected["mobile_contact", unit] = 4 * sum(r["流动党员"] == "是" for r in members)
        expected["heart_talk", unit] = len(committee) * (len(members) - 1)
        expected["political_birthday", unit] = sum(day(r["入党时间"]).year < 2026 for r in members)
        activists = [r for r in people if branch_of(r) == unit and r["人员类别"] == "入党积极分子"]
        expected["activist_review", unit] = 2 * len(activists)  # every six months
        admission = sum(
            r["人员类别"] == "入党申请人" and day(r["申请入党时间"]).year == 2026
            for r in people
            if branch_of(r) == unit
        )
        admission += sum(day(r["确定积极分子时间"]) + timedelta(days=365) <= date(2026, 12, 31) for r in activists)
        admission += sum(
            day(r["预备期开始"]) + timedelta(days=365) <= date(2026, 12, 31)
            for r in members
            if r["人员类别"] == "预备党员"
        )
        expected["party_admission", unit] = admission
    for group in GROUPS:
        expected["group_meeting", group] = 12
    for unit in ["jgdw", *GENERAL, *BRANCHES]:
        expected["annual_plan", unit] = 1
        expected["work_summary", unit] = 2
    expected["committee_lecture", "jgdw"] = 1
    expected["committee_seminar", "jgdw"] = 2
    expected["july_first", "jgdw"] = 1
    expected["center_study", "jgdw"] = 53  # ISO weeks 2026-W01 … 2026-W53 each touch 2026
    # 换届: 总支 zz1 (2023-09-15) and 支部 zb4 (2023-06-30) reach three years in 2026; the 党委's five
    # years (2022-05-20) end in 2027, the other branches' terms in 2027
    expected["term_election", "zz1"] = 1
    expected["term_election", "zb4"] = 1
    return +expected


def test_the_example_plans_exactly_the_year_the_rules_call_for(realistic_config: Path) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(realistic_config), "plan", "--from", "2026-01-01", "--to", "2026-12-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    planned = [o for o in listed if not o["estimated"]]  # a chain's later stages are estimates
    later = Counter(o["key"].rsplit("/", 2)[-2] for o in listed if o["estimated"] and o["rule"] == "model_post")
    assert later == {"2026H1": 4 * 8, "2026H2": 4 * 8}  # each chain's four stages after the first, in 8 branches
    found = Counter((o["rule"], o["unit"]) for o in planned)
    assert found == expected_2026()
    assert len({o["key"] for o in planned}) == len(planned)  # every key is unique
    visits = {o["key"]: o["count_required"] for o in planned if o["rule"] == "leader_visits"}
    assert visits["zb1/联系支部/2026-07/wangjg"] == 2
    assert sum(visits.values()) == 2 * 12 * sum(CONTACTS.values())  # 24 visits per leader per contact branch


def test_the_example_checks_and_names_what_it_holds(realistic_config: Path) -> None:
    checked = CliRunner().invoke(main, ["--config", str(realistic_config), "check"])
    assert checked.exit_code == 0, checked.output
    members = len(roster())
    assert checked.stdout.strip() == f"配置正确：15 个组织，{members + 9} 名人员，32 条规则。"


def test_a_bad_roster_file_is_reported_by_file_row_and_column(realistic_config: Path) -> None:
    roster_file = realistic_config.parent / "examples" / "roster.csv"
    lines = roster_file.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace("办公室党支部", "办公厅党支部", 1)  # row 6: no such branch
    lines[9] = lines[9].replace(",正式党员,", ",正式员工,", 1)  # row 10: not a status
    lines.append(lines[1])  # row 202 repeats row 2's id
    roster_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = CliRunner().invoke(main, ["--config", str(realistic_config), "check"])
    assert checked.exit_code == 2
    out = checked.output
    assert "examples/roster.csv 第 6 行 所在支部：所在支部“办公厅党支部第一党小组”不是配置中的组织" in out
    assert "是否应为“办公室党支部第一党小组”？" in out
    assert "examples/roster.csv 第 10 行 人员类别：人员类别“正式员工”不是人员类别" in out
    assert "examples/roster.csv 第 202 行 编号：编号“P0001”与第 2 行重复" in out
    assert "roster.files[0]" in out
    assert "Traceback" not in out
    english = CliRunner().invoke(main, ["--lang", "en", "--config", str(realistic_config), "check"]).output
    assert "examples/roster.csv row 6 unit: unit '办公厅党支部第一党小组': is not a unit in the config" in english
    assert "did you mean '办公室党支部第一党小组'?" in english
    assert "row 202 id: id 'P0001' is also on row 2" in english


def test_the_roster_file_is_read_when_its_bytes_change(realistic_config: Path) -> None:
    # a parsed config holds the people written in it, not the roster file's (read when needed)
    from scheduler.app import open_app
    from scheduler.store.models import PersonRow
    from workflows.config.load import load_config

    assert len(load_config(realistic_config).config.people) == 9

    def tick(at: str) -> str:
        ticked = CliRunner().invoke(main, ["--config", str(realistic_config), "tick", "--now", at, "-q"])
        assert "Traceback" not in ticked.output
        return f"{ticked.exit_code} {ticked.output}"

    def name_of(person: str) -> str | None:
        app = open_app(realistic_config)
        try:
            with app.store.reading() as session:
                row = session.get(PersonRow, person)
                return row.name if row else None
        finally:
            app.store.close()

    assert tick("2026-03-02T09:00").startswith("0 ")
    assert name_of("P0003") == "贾明伟"
    roster_file = realistic_config.parent / "examples" / "roster.csv"
    text = roster_file.read_text(encoding="utf-8")
    roster_file.write_text(text.replace("P0003,贾明伟,", "P0003,贾明炜,", 1), encoding="utf-8")
    assert tick("2026-03-02T09:05").startswith("0 ")
    assert name_of("P0003") == "贾明炜"  # new bytes, a new fingerprint: the people written again
    lines = roster_file.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("贾明炜", "贾明玮").replace("办公室党支部", "办公厅党支部", 1)
    roster_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = tick("2026-03-02T09:10")
    assert broken.startswith("2 "), broken  # a tick reports the file's problems as check does
    assert "examples/roster.csv 第 4 行 所在支部" in broken
    assert name_of("P0003") == "贾明炜"  # and writes none of it
