"""Config validation: every error at once, located by key path and line, with suggestions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scheduler.cli.setup import starter_config
from tests.conftest import EXAMPLE
from workflows.config.issues import ConfigError
from workflows.config.load import load_config, parse_config

MINIMAL = """
[org]
name = "测试党委"

[[units]]
id = "dw"
name = "党委"
kind = "committee"

[[units]]
id = "zb1"
name = "一支部"
kind = "branch"
parent = "dw"

[[people]]
id = "shuji"
name = "书记"
unit = "zb1"
roles = ["书记"]

[rules.weekly_check]
alias = "例会"
title = "支部例会"
every = "month"
"""


def issues_of(text: str, lang: str = "en") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("test.toml"))
    return [issue.render(lang) for issue in caught.value.issues]  # type: ignore[arg-type]


def test_example_config_is_valid() -> None:
    loaded = load_config(EXAMPLE)
    assert loaded.warnings == []
    assert {rule for rule in loaded.config.rules} == {
        "member_meeting",
        "committee_meeting",
        "group_meeting",
        "party_lecture",
        "theme_day",
        "dues",
    }


def test_starter_config_is_valid_and_has_the_example_rules() -> None:
    loaded = parse_config(starter_config(), Path("starter.toml"))
    example = load_config(EXAMPLE)
    assert loaded.config.rules == example.config.rules


def test_minimal_config_fills_defaults() -> None:
    config = parse_config(MINIMAL, Path("m.toml")).config
    assert config.org.timezone == "Asia/Shanghai"
    assert config.org.deadline_on_rest_day == "previous"
    assert config.people[0].roles == ["secretary"]
    assert config.rules["weekly_check"].owner == ["role:secretary"]


def test_invalid_toml_names_the_line() -> None:
    text = MINIMAL.replace('name = "一支部"', 'name = "一支部')
    [message] = issues_of(text)
    line = text.splitlines().index('name = "一支部') + 1
    assert message.startswith(f"line {line}: test.toml is not valid TOML")


def test_unknown_key_suggests_the_near_name() -> None:
    text = MINIMAL.replace('every = "month"', 'evrey = "month"')
    messages = issues_of(text)
    assert any("unknown key 'evrey' — did you mean 'every'?" in m for m in messages)
    assert any("rules.weekly_check.every: required key is missing" in m for m in messages)


def test_every_error_is_reported_at_once_with_lines() -> None:
    text = (
        MINIMAL.replace('kind = "branch"', 'kind = "brnach"')
        .replace('roles = ["书记"]', 'roles = ["书记", "secretery"]\nevrey = 1')
        .replace(
            'every = "month"',
            'every = "fortnight"\nmin_per_period = "two"\ndue_day = 40\nowner = "role:boss"\ndue_soon = "soon"',
        )
        .replace('timezone = "Asia/Shanghai"', "")
        .replace('name = "测试党委"', 'name = "测试党委"\ntimezone = "Asia/Shanghia"')
    )
    messages = issues_of(text)
    expected = [
        "org.timezone: unknown time zone 'Asia/Shanghia'",
        "units[1].kind: unknown unit kind 'brnach' — did you mean 'branch'?",
        "people[0].roles[1]: unknown role 'secretery' — did you mean 'secretary'?",
        "people[0].evrey: unknown key 'evrey'",
        "rules.weekly_check.every: expected one of:",
        "rules.weekly_check.min_per_period: expected an integer, got 'two'",
        "rules.weekly_check.due_day: must be at most 31",
        "rules.weekly_check.owner: unknown role 'boss'",
        "rules.weekly_check.due_soon: bad duration 'soon'",
    ]
    for fragment in expected:
        assert any(fragment in m for m in messages), (fragment, messages)
    assert len(messages) == len(expected)
    assert all(m.startswith("line ") for m in messages)
    by_key = {m.split(": ")[0].split(", ")[1]: int(m.split(",")[0].removeprefix("line ")) for m in messages}
    lines = text.splitlines()
    assert lines[by_key["rules.weekly_check.min_per_period"] - 1].startswith("min_per_period")
    assert lines[by_key["units[1].kind"] - 1] == 'kind = "brnach"'


def test_messages_in_chinese() -> None:
    messages = issues_of(MINIMAL.replace('every = "month"', 'evrey = "month"'), lang="zh")
    assert any("未知的键 'evrey'，是否应为 'every'？" in m for m in messages)
    assert any("缺少必填项" in m for m in messages)


def test_unit_cycle_is_detected() -> None:
    text = (
        MINIMAL.replace('kind = "committee"', 'kind = "committee"\nparent = "dw2"')
        + '\n[[units]]\nid = "dw2"\nname = "x"\nkind = "committee"\nparent = "dw"\n'
    )
    messages = issues_of(text)
    assert any("cycle: dw → dw2 → dw" in m for m in messages)


def test_duplicate_ids_and_unknown_references() -> None:
    text = (
        MINIMAL
        + '\n[[units]]\nid = "zb1"\nname = "dup"\nkind = "branch"\nparent = "dx"\n'
        + '\n[[people]]\nid = "p2"\nname = "P"\nunit = "zb9"\n'
    )
    messages = issues_of(text)
    assert any("duplicate id 'zb1' (first defined at units[1])" in m for m in messages)
    assert any("unknown unit 'zb9'" in m for m in messages)


def test_rule_with_unknown_person_owner_and_bad_due_fields() -> None:
    text = MINIMAL.replace(
        'every = "month"', 'every = "quarter"\ndue_month = 5\nowner = ["person:shuij", "self"]\nunit_ids = ["zb2"]'
    )
    messages = issues_of(text)
    assert any("unknown person 'shuij' — did you mean 'shuji'?" in m for m in messages)
    assert any("'self' is only valid on a per-person rule" in m for m in messages)
    assert any("due_month must be between 1 and 3" in m for m in messages)
    assert any("unit_ids[0]: unknown unit 'zb2'" in m for m in messages)


def test_parent_kind_must_fit_the_tree() -> None:
    text = MINIMAL.replace('kind = "committee"', 'kind = "group"')
    messages = issues_of(text)
    assert any("parent 'dw' is a party group and cannot contain a branch" in m for m in messages)


def test_environment_variables_fill_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBU_TEST_DB", "sqlite:///from-env.db")
    text = MINIMAL + '\n[store]\nurl = "${ZHIBU_TEST_DB}"\n'
    assert parse_config(text, Path("e.toml")).config.store.url == "sqlite:///from-env.db"
    monkeypatch.delenv("ZHIBU_TEST_DB")
    messages = issues_of(text)
    assert any("store.url: environment variable ZHIBU_TEST_DB is not set" in m for m in messages)


def test_chinese_names_are_accepted_for_kinds_statuses_and_roles() -> None:
    text = MINIMAL.replace('kind = "branch"', 'kind = "党支部"').replace(
        'roles = ["书记"]', 'roles = ["支部书记", "党费收缴人"]\nstatus = "预备党员"'
    )
    config = parse_config(text, Path("zh.toml")).config
    assert config.units[1].kind == "branch"
    assert config.people[0].roles == ["secretary", "dues-collector"]
    assert config.people[0].status == "probationary"


def test_example_is_plain_toml() -> None:
    assert tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["org"]["name"] == "某局机关党委"


def test_commented_reminder_block_of_the_example_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommenting the example's [notify] and [channels] block gives a valid config."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("# [notify]")
    end = next(i for i, line in enumerate(lines) if "url_file" in line)
    credential = tmp_path / "zb2-dingtalk"
    credential.write_text("dingtalk://SECRETabc@TOKENxyz/\n", encoding="utf-8")
    for index in range(start, end + 1):
        line = lines[index]
        if line.startswith("#"):
            line = line[2:] if line.startswith("# ") else line[1:]
            lines[index] = line.split("  #")[0].rstrip() if not line.startswith("[") else line
    lines[end] = f'url_file = "{credential}"'
    monkeypatch.setenv("ZHIBU_SMTP_PASSWORD", "pw")
    monkeypatch.setenv("ZB1_WECOM_KEY", "key-123")
    loaded = parse_config("\n".join(lines), tmp_path / "zhibu.toml")
    assert loaded.config.notify.email_channel == "mail"
    assert [rung.after for rung in loaded.config.notify.escalate] == [1, 3, 7]
    assert loaded.channel_urls == {
        "mail": "mailtos://zhibu:pw@smtp.example.org:465?from=zhibu@example.org",
        "zb1-wecom": "wecombot://key-123",
        "zb2-dingtalk": "dingtalk://SECRETabc@TOKENxyz/",
    }
