"""The built-in catalogue: every obligation valid, enabled by the config, overridden key by key;
holiday anchors (shape 7) on 2026 and 2027; leaders' contact branches; mobile members."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, SHANGHAI
from workflows.calendar import work_calendar
from workflows.catalogue import builtin_aliases, builtin_rules
from workflows.config.issues import ConfigError
from workflows.config.load import parse_config
from workflows.occurrences import Occurrence, occurrences_of
from workflows.roster import Person, roster_from_config
from workflows.rules import rules_from_config

ORG = """
[catalogue]
enable = "all"

[org]
name = "测试党委"

[[units]]
id = "dw"
name = "党委"
kind = "committee"

[[units]]
id = "zz"
name = "总支"
kind = "general_branch"
parent = "dw"

[[units]]
id = "zb1"
name = "一支部"
kind = "branch"
parent = "zz"

[[units]]
id = "g1"
name = "一组"
kind = "group"
parent = "zb1"

[[people]]
id = "shuji"
name = "书记甲"
unit = "zb1"
roles = ["书记"]

[[people]]
id = "lingdao"
name = "领导乙"
unit = "dw"
roles = ["书记", "领导班子成员"]
contact_units = ["zb1"]

[[people]]
id = "liudong"
name = "流动丙"
unit = "g1"
mobile = true
"""


def load(extra: str = "", head: str = ORG) -> object:
    return parse_config(head + extra, Path("c.toml"))


def issues(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("c.toml"))
    return [i.render("en") for i in caught.value.issues]


def year_of(rule_alias: str, year: int = 2026, extra: str = "") -> list[Occurrence]:
    """Every occurrence of one built-in obligation in ``year`` for the test org."""
    loaded = parse_config(ORG + extra, Path("c.toml"))
    rules = {r.alias: r for r in rules_from_config(loaded.config)}
    roster = roster_from_config(loaded)
    return list(
        occurrences_of(rules[rule_alias], roster, SHANGHAI, work_calendar("CN"), date(year, 1, 1), date(year, 12, 31))
    )


def due_on(rule_alias: str, year: int, extra: str = "") -> date:
    found = year_of(rule_alias, year, extra)
    assert len({o.due_on for o in found}) == 1
    return found[0].due_on


def test_every_built_in_obligation_is_valid_and_enabled() -> None:
    loaded = parse_config(ORG, Path("c.toml"))
    assert set(loaded.config.rules) == set(builtin_rules())
    assert loaded.warnings == []
    assert len(set(builtin_aliases())) == len(builtin_rules())  # aliases are unique
    for ident, entry in builtin_rules().items():
        assert entry.get("source"), f"{ident} names no source"


def test_override_by_alias_changes_one_key_and_keeps_the_rest() -> None:
    config = parse_config(ORG + '\n[rules."支委会"]\nmin_per_period = 2\n', Path("c.toml")).config
    rule = config.rules["committee_meeting"]
    assert (rule.min_per_period, rule.every, rule.quorum, rule.alias) == (2, "month", "committee", "支委会")


def test_errors_in_an_override_point_at_the_configs_key_and_line() -> None:
    text = ORG + '\n[rules."支委会"]\nevrey = "month"\n'
    [message] = issues(text)
    line = text.splitlines().index('evrey = "month"') + 1
    assert message == f"line {line}, rules.支委会.evrey: unknown key 'evrey' — did you mean 'every'?"


def test_enable_by_name_with_a_typo_and_disable() -> None:
    messages = issues(ORG.replace('enable = "all"', 'enable = ["党费", "支委回"]'))
    assert messages == ["line 3, catalogue.enable[1]: the built-in catalogue has no '支委回' — did you mean '支委会'?"]
    only = parse_config(ORG.replace('enable = "all"', 'enable = ["党费", "committee_meeting"]'), Path("c.toml")).config
    assert set(only.rules) == {"dues", "committee_meeting"}
    fewer = parse_config(
        ORG.replace('enable = "all"', 'enable = "all"\ndisable = ["志愿服务", "center_study"]'), Path("c.toml")
    ).config
    assert set(builtin_rules()) - set(fewer.rules) == {"volunteering", "center_study"}


def test_spring_festival_visits_are_due_before_new_years_eve() -> None:
    # 除夕 2026 is Mon 16 Feb; the day before is a Sunday of the break → the 调休 Saturday 14 Feb.
    assert due_on("春节走访", 2026) == date(2026, 2, 14)
    # 除夕 2027 is Fri 5 Feb (computed, not yet official); the day before is a working Thursday.
    assert due_on("春节走访", 2027) == date(2027, 2, 4)


def test_qingming_and_july_first() -> None:
    assert due_on("清明", 2026) == date(2026, 4, 8)  # Qingming 5 April + 3 days
    assert due_on("清明", 2027) == date(2027, 4, 8)
    assert due_on("七一", 2026) == date(2026, 6, 30)
    assert due_on("七一", 2027) == date(2027, 6, 30)


def test_anchor_needs_a_yearly_rule() -> None:
    messages = issues(ORG + '\n[rules."清明"]\nevery = "month"\n')
    assert any('rules.清明.anchor: a rule anchored on a holiday needs every = "year"' in m for m in messages)


def test_leaders_visit_each_contact_branch_twice_a_month() -> None:
    found = year_of("联系支部")
    assert len(found) == 12
    assert {(o.unit_id, o.person_id, o.assignee_id, o.count_required) for o in found} == {
        ("zb1", "lingdao", "lingdao", 2)
    }
    assert found[0].key == "zb1/联系支部/2026-01/lingdao"


def test_mobile_member_contact_is_only_for_mobile_members() -> None:
    found = year_of("流动党员联系")
    assert [o.key for o in found] == [f"zb1/流动党员联系/2026Q{q}/liudong" for q in range(1, 5)]


def test_example_rules_match_the_catalogue_where_they_overlap() -> None:
    example = parse_config(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE).config
    counts = Counter(r for r in example.rules if r in builtin_rules())
    assert set(counts) == set(example.rules)  # the example writes only built-in obligations


def test_heart_talks_pair_each_committee_member_with_each_member() -> None:
    example = EXAMPLE.read_text(encoding="utf-8").replace(
        "[org]\n", '[catalogue]\nenable = ["谈心谈话"]\n\n[rules."谈心谈话"]\nmin_per_period = 2\n\n[org]\n', 1
    )
    loaded = parse_config(example, EXAMPLE)
    [rule] = [r for r in rules_from_config(loaded.config) if r.alias == "谈心谈话"]
    found = list(
        occurrences_of(
            rule, roster_from_config(loaded), SHANGHAI, work_calendar("CN"), date(2026, 1, 1), date(2026, 12, 31)
        )
    )
    by_unit = Counter(o.unit_id for o in found)
    # zb1: committee 张伟、李娜、陈强 × the other 6 of 7 members; zb2: 郑宇、冯静、何平 × 3 of 4; zb3: 郭庆、罗云 × 2 of 3
    assert by_unit == {"zb1": 3 * 6, "zb2": 3 * 3, "zb3": 2 * 2}
    pair = next(o for o in found if o.person_id == "zhangwei+sunli")
    assert (pair.key, pair.assignee_id, pair.count_required, pair.due_on) == (
        "zb1/谈心谈话/2026/zhangwei+sunli",
        "zhangwei",
        2,
        date(2026, 12, 31),
    )


def test_stage_names_are_checked() -> None:
    text = ORG + '\n[rules."示范岗"]\nstages = [{ name = "党小组/申报" }, { name = "支委会研究" }]\n'
    [message] = issues(text)
    assert "rules.示范岗.stages[0].name: stage name '党小组/申报' must be 1 to 40 characters without /" in message


def test_a_rule_that_reads_only_role_holders_plans_the_same_with_only_them() -> None:
    # a sync reads the whole roster from the store only for the rules that read everyone
    from tests.conftest import REALISTIC
    from workflows.roster import Roster
    from workflows.scope import reads_everyone

    loaded = parse_config(REALISTIC.read_text(encoding="utf-8"), REALISTIC)
    everyone = roster_from_config(loaded)
    holders = [p for p in everyone.people if p.roles or p.contact_units]
    assert 10 < len(holders) < len(everyone.people) // 2
    few = Roster.build(everyone.units.values(), holders)
    rules = rules_from_config(loaded.config)
    unit_rules = [rule for rule in rules if not reads_everyone(rule) and not rule.on_events]
    assert 5 < len(unit_rules) < len(rules)
    for rule in unit_rules:
        planned = [
            list(occurrences_of(rule, roster, SHANGHAI, work_calendar("CN"), date(2026, 1, 1), date(2026, 12, 31)))
            for roster in (everyone, few)
        ]
        assert planned[0], rule.id
        assert planned[0] == planned[1], rule.id


def test_a_rule_that_reads_everyone_plans_the_same_reading_people_unit_by_unit() -> None:
    # a sync gives such rules a roster that reads a batch of units' people at a time
    from tests.conftest import REALISTIC
    from workflows.roster import UnitByUnitRoster
    from workflows.scope import reads_everyone

    loaded = parse_config(REALISTIC.read_text(encoding="utf-8"), REALISTIC)
    everyone = roster_from_config(loaded)
    holders = tuple(p for p in everyone.people if p.roles or p.contact_units)
    reads: list[list[str]] = []
    largest = [0]

    def read(unit_ids: Sequence[str]) -> list[Person]:
        reads.append(list(unit_ids))
        found = [p for p in everyone.people if p.unit_id in unit_ids]
        largest[0] = max(largest[0], len(found))
        return found

    rules = [rule for rule in rules_from_config(loaded.config) if reads_everyone(rule) and not rule.on_events]
    assert len(rules) >= 3
    moves = []
    for rule in rules:
        reads.clear()
        by_unit = UnitByUnitRoster(units=everyone.units, people=holders, read=read, batch=2)
        planned = [
            list(occurrences_of(rule, roster, SHANGHAI, work_calendar("CN"), date(2026, 1, 1), date(2026, 12, 31)))
            for roster in (everyone, by_unit)
        ]
        assert planned[0], rule.id
        assert planned[0] == planned[1], rule.id
        assert reads, rule.id
        moves.append(len(reads))
    assert max(moves) > 2  # the window moved along the units
    assert largest[0] < len(everyone.people) // 2  # never the whole roster at once
