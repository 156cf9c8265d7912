"""Input as new users type it: each gets a clear answer, Chinese first, exit 2 when it is bad
input, and changes nothing; never a traceback."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from scheduler.store.migrations import SCHEMA_HEAD
from tests.conftest import CliRun


def completions(config: Path) -> int:
    with sqlite3.connect(config.parent / "zhibu.db") as connection:
        return int(connection.execute("SELECT count(*) FROM completion").fetchone()[0])


@pytest.fixture
def synced(zhibu: CliRun, example_config: Path) -> Path:
    assert zhibu("sync", "--now", "2026-04-01T09:00").exit_code == 0
    return example_config


@pytest.mark.parametrize("typed", ["2026/4/2", "2026.4.2", "2026年4月2日", "4月2日"])
def test_dates_as_secretaries_type_them(zhibu: CliRun, synced: Path, typed: str) -> None:
    done = zhibu("done", "zb1/支委会/2026-04", "--on", typed, "--now", "2026-04-03T10:00")
    assert done.exit_code == 0, done.output
    assert "2026-04-02" in done.output


def test_a_key_pasted_with_its_full_stop_is_found(zhibu: CliRun, synced: Path) -> None:
    assert zhibu("done", "【zb1/支委会/2026-04】。", "--now", "2026-04-03T10:00").exit_code == 0


def test_more_present_than_expected_is_refused(zhibu: CliRun, synced: Path) -> None:
    refused = zhibu("done", "zb1/党员大会/2026Q2", "--attendees", "99", "--now", "2026-04-03T10:00")
    assert refused.exit_code == 2
    assert "多于" in refused.output
    assert completions(synced) == 0


def test_every_unknown_name_is_named_at_once(zhibu: CliRun, synced: Path) -> None:
    refused = zhibu("done", "zb1/支委会/2026-04", "--present", "张伟,无此人,查无此人", "--now", "2026-04-03T10:00")
    assert refused.exit_code == 2
    assert "无此人" in refused.output
    assert "查无此人" in refused.output
    assert completions(synced) == 0


def test_a_config_saved_with_a_bom_is_read(zhibu: CliRun, example_config: Path) -> None:
    example_config.write_bytes(b"\xef\xbb\xbf" + example_config.read_bytes())
    assert zhibu("check").exit_code == 0


def test_a_gbk_config_says_how_to_save_it(zhibu: CliRun, example_config: Path) -> None:
    example_config.write_bytes(example_config.read_text(encoding="utf-8").encode("gbk"))
    checked = zhibu("check")
    assert checked.exit_code == 2
    assert "UTF-8" in checked.output
    assert "Traceback" not in checked.output


def test_no_config_points_to_init(zhibu: CliRun, tmp_path: Path) -> None:
    missing = zhibu("check", config=tmp_path / "nowhere.toml")
    assert missing.exit_code == 2
    assert "zhibu init" in missing.output


def test_a_store_from_a_newer_zhibu_says_so(zhibu: CliRun, synced: Path) -> None:
    newer = f"{int(SCHEMA_HEAD) + 1:04d}"
    with sqlite3.connect(synced.parent / "zhibu.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (newer,))
    for args in (("list",), ("db", "upgrade"), ("done", "zb1/支委会/2026-04")):
        answer = zhibu(*args)
        assert answer.exit_code == 3, args
        assert "更新版本的 zhibu" in answer.output, args


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),  # an Excel 97 workbook
        ("broken.xlsx", b"PK\x03\x04 not really a workbook"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 300),
        ("latin.csv", "编号,姓名\n".encode() + b"\x80\x81\xfe\xff,\x80\n"),
    ],
)
def test_a_file_that_is_no_roster_is_refused_clearly(
    zhibu: CliRun, example_config: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    file = tmp_path / name
    file.write_bytes(content)
    imported = zhibu("import", "people", str(file), "--now", "2026-04-01T09:00")
    assert imported.exit_code == 2, imported.output
    assert "不是 CSV/XLSX 文件" in imported.output
    assert "Traceback" not in imported.output
    # the same file named in [roster] files: check reports it with the key, as every config error
    text = example_config.read_text(encoding="utf-8")
    example_config.write_text(text + f'\n[roster]\nfiles = ["{file}"]\n', encoding="utf-8")
    checked = zhibu("check")
    assert checked.exit_code == 2
    assert "roster.files" in checked.output
    assert "不是 CSV/XLSX 文件" in checked.output


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ('[rules.theme_day]\ndue_day = "15"\n', "due_day"),
        ('[rules.x]\nalias = "x"\ntitle = "x"\nevery = "month"\nper_person = true\nper_pair = true\n', "只能选一个"),
        ('[rules.x]\nalias = "x"\ntitle = "x"\nevery = "year"\nstages = []\n', "stages 不能为空"),
        (
            '[rules.x]\nalias = "x"\ntitle = "x"\nevery = "year"\n'
            'stages = [{ name = "申报", owner = ["owner"] }, { name = "申报", owner = ["owner"] }]\n',
            "阶段名称重复：申报",
        ),
    ],
)
def test_rules_that_cannot_work_are_refused(zhibu: CliRun, example_config: Path, rule: str, said: str) -> None:
    text = example_config.read_text(encoding="utf-8")
    if rule.startswith("[rules.theme_day]"):
        text = re.sub(r"(?m)^due_day = \d+", 'due_day = "15"', text, count=1)
    else:
        text += "\n" + rule
    example_config.write_text(text, encoding="utf-8")
    checked = zhibu("check")
    assert checked.exit_code == 2, checked.output
    assert said in checked.output


def test_a_built_in_name_without_every_is_not_given_the_catalogue_cadence(zhibu: CliRun, example_config: Path) -> None:
    text = example_config.read_text(encoding="utf-8")  # its [rules.dues] is quarterly; no [catalogue]
    assert zhibu("check").exit_code == 0
    example_config.write_text(re.sub(r'(?m)^every = "quarter" +# 按季度收缴.*\n', "", text, count=1), encoding="utf-8")
    checked = zhibu("check")
    assert checked.exit_code == 2, checked.output
    assert "rules.dues.every" in checked.output
    assert '没有写 every：请写明 every（内置目录为 "month"）' in checked.output


def test_processes_first_using_a_new_store_at_once_all_succeed(example_config: Path) -> None:
    """Ten commands start together on a store that does not exist yet: one creates it, the
    others wait for its write lock (no "database is locked")."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ZHIBU_CONFIG": str(example_config)}
    command = [sys.executable, "-m", "scheduler.cli", "audit", "verify"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(10)]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in processes]
    assert [code for code, _ in results] == [0] * 10, results


def test_next_years_holidays_not_yet_published_are_warned_of_from_november(
    zhibu: CliRun, example_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holidays package knows 2026's arrangement as published, 2027's only as computed."""
    instant = tmp_path / "clock"
    monkeypatch.setenv("ZHIBU_CLOCK", f"file:{instant}")
    said = "2027 年的放假和调休安排尚未公布或未写入配置"
    instant.write_text("2026-10-30T09:00+08:00", encoding="utf-8")
    assert said not in zhibu("check").output  # not before November
    instant.write_text("2026-11-02T09:00+08:00", encoding="utf-8")
    assert said in zhibu("check").output
    assert said in zhibu("status").output
    declared = '[calendar]\nholidays = ["2027-01-01", "2027-02-05", "2027-02-08"]\nworkdays = ["2027-02-07"]\n'
    example_config.write_text(example_config.read_text(encoding="utf-8") + "\n" + declared, encoding="utf-8")
    checked = zhibu("check")
    assert checked.exit_code == 0, checked.output
    assert said not in checked.output


def test_a_declared_year_follows_its_declared_days_alone() -> None:
    from datetime import date

    from workflows.calendar import work_calendar

    computed = work_calendar("CN")
    declared = work_calendar("CN", frozenset({date(2027, 2, 5), date(2027, 2, 8)}), frozenset({date(2027, 2, 7)}))
    assert not computed.is_published(2027)
    assert computed.is_published(2026)  # as the State Council published it (调休 included)
    assert declared.is_published(2027)
    assert not computed.is_working_day(date(2027, 2, 9))  # computed: a Spring Festival day off
    assert declared.is_working_day(date(2027, 2, 9))  # declared: not among the days off
    assert declared.is_working_day(date(2027, 2, 7))  # a Sunday worked in exchange
    assert not declared.is_working_day(date(2027, 2, 8))
    assert computed.is_working_day(date(2026, 2, 14)) == declared.is_working_day(date(2026, 2, 14))  # other years
    assert computed.unpublished_next_year(date(2026, 11, 1)) == 2027
    assert computed.unpublished_next_year(date(2026, 10, 31)) is None
    assert declared.unpublished_next_year(date(2026, 12, 3)) is None


def _stderr_on_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` with its stderr on a pseudo-terminal; its exit code and what it drew there."""
    import os
    import pty
    import select
    import subprocess

    master, slave = pty.openpty()
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            drawn += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=60), drawn.decode("utf-8", "replace")


def test_long_work_shows_progress_on_a_terminal_and_nothing_in_a_pipe(example_config: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ZHIBU_CONFIG": str(example_config)}
    command = [sys.executable, "-m", "scheduler.cli", "sync", "--force", "--now", "2026-03-02T09:00"]
    code, drawn = _stderr_on_a_terminal(command, env)
    assert code == 0, drawn
    assert "生成任务" in drawn
    assert re.search(r"\[#+\]\s+(\d+)/\1", drawn), drawn[-300:]  # the bar, full at the end
    piped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert piped.returncode == 0
    assert "生成任务" not in piped.stderr
    report = [sys.executable, "-m", "scheduler.cli", "report", "--period", "2026", "--now", "2026-03-02T09:00"]
    code, drawn = _stderr_on_a_terminal([*report, "-o", str(example_config.parent / "r.xlsx")], env)
    assert code == 0, drawn
    assert re.search(r"整理记录\s+\[#+\]\s+(\d+)/\1", drawn), drawn[-300:]


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "[org]\n[org]\n",
            "表 [org] 写了两次（同名的表只能出现一次）（第 2 行第 5 列）",
            "Cannot declare ('org',) twice",
        ),
        ("a = tru\n", "值写法不对", "Invalid value"),
        ('a = "x\n', "含有不允许的字符", "Illegal character"),
    ],
)
def test_toml_mistakes_are_said_in_chinese(zhibu: CliRun, example_config: Path, text: str, zh: str, en: str) -> None:
    example_config.write_text(text, encoding="utf-8")
    checked = zhibu("check")
    assert checked.exit_code == 2
    assert zh in checked.output
    assert en not in checked.output
    assert en in zhibu("--lang", "en", "check").output
