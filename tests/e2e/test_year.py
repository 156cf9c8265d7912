"""The simulated year (tests/e2e/year.py) ends as 办公室党支部's secretary expects, and every report
of it — table, JSON, CSV, the 台账 workbook, the year-at-a-glance page, the calendar — says so."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from scheduler.store.models import NoticeRow, TaskRow
from tests.e2e.year import (
    LATE_THEME_DAY,
    NEVER_PAYS,
    PATIENT,
    TRANSFERRED,
    VISIT_PROBLEM,
    WAIVED_LECTURE,
    WAIVER_REASON,
    Year,
    monthly_amount,
)

AFTER = "2027-01-05T09:00"  # the reports are run in the new year


def report(year: Year, *args: str) -> dict:
    result = year.run("report", "--period", "2026", "--now", AFTER, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def summary(data: dict, unit: str = "zb1") -> dict[str, dict]:
    return {row["rule"]: row for row in data["summary"] if row["unit"] == unit}


def test_the_simulation_recorded_everything_it_meant_to(year: Year) -> None:
    assert year.failures == []


def test_the_year_ends_as_the_secretary_expects(year: Year) -> None:
    rows = summary(report(year, "--unit", "zb1"))
    counts = {rule: (r["required"], r["on_time"], r["late"], r["waived"], r["missing"]) for rule, r in rows.items()}
    assert counts["member_meeting"] == (4, 4, 0, 0, 0)
    assert counts["committee_meeting"] == (12, 12, 0, 0, 0)
    assert counts["theme_day"] == (12, 11, 1, 0, 0)
    assert counts["party_lecture"] == (4, 3, 0, 1, 0)
    members = len(year.zb1_members)
    dues_required = 6 * members + 6 * (members - 1)  # the transferred member pays in 政策法规处 from July
    assert counts["dues"] == (dues_required, dues_required - 12, 0, 0, 12)  # one member never paid
    assert counts["five_visits"] == (1, 1, 0, 0, 0)
    assert counts["rectification"] == (1, 1, 0, 0, 0)
    assert counts["leader_visits"][:2] == (24, 12)  # 王建国 came twice a month, 周敏 once in March only
    assert counts["model_post"] == (6, 5, 0, 0, 1)  # H1's five stages; H2's first stage was left
    assert counts["volunteering"][4] == counts["volunteering"][0]  # nobody recorded volunteering
    tasks = {t["key"]: t for t in report(year, "--unit", "zb1")["tasks"]}
    assert tasks[f"zb1/主题党日/{LATE_THEME_DAY}"]["outcome"] == "late"
    assert tasks[f"zb1/主题党日/{LATE_THEME_DAY}"]["done_on"] == "2026-05-20"
    assert tasks[WAIVED_LECTURE]["reason"] == WAIVER_REASON
    assert {k for k, t in tasks.items() if k.startswith("zb1/党费/") and t["outcome"] == "missing"} == {
        f"zb1/党费/2026-{m:02d}/{NEVER_PAYS}" for m in range(1, 13)
    }


def test_a_transfer_moves_future_tasks_and_keeps_history(year: Year) -> None:
    zb1 = {t["key"] for t in report(year, "--unit", "zb1")["tasks"] if t["person"] == TRANSFERRED}
    zb2 = {t["key"] for t in report(year, "--unit", "zb2")["tasks"] if t["person"] == TRANSFERRED}
    assert {f"zb1/党费/2026-{m:02d}/{TRANSFERRED}" for m in range(1, 7)} <= zb1
    assert not any(key.startswith("zb1/党费/2026-07") for key in zb1)
    assert {f"zb2/党费/2026-{m:02d}/{TRANSFERRED}" for m in range(7, 13)} <= zb2


def test_six_months_of_unpaid_dues_reach_the_committee(year: Year) -> None:
    with year.app.store.reading() as session:
        task = session.scalars(select(TaskRow).where(TaskRow.key == f"zb1/党费/2026-01/{NEVER_PAYS}")).one()
        notices = session.execute(
            select(NoticeRow.step, NoticeRow.recipient, NoticeRow.fired_at).where(NoticeRow.task_id == task.id)
        ).all()
    fired = {(step, recipient): at.date() for step, recipient, at in notices}
    assert fired[("escalate:2", "person:P0001")] == date(2026, 4, 30)  # 3 months: the branch secretary
    assert fired[("escalate:3", "person:wangjg")] == date(2026, 7, 30)  # 6 months: the 党委 secretary


def test_a_party_report_rolls_up_its_branches_without_ranking_them(year: Year) -> None:
    data = report(year, "--unit", "zz1")
    units = [row["unit"] for row in data["summary"]]
    first_seen = list(dict.fromkeys(units))
    assert first_seen == ["zz1", "zb1", "zb1-g1", "zb1-g2", "zb2", "zb3", "zb4"]  # the unit tree's order
    rollup = {row["rule"]: row for row in data["rollup"]}
    by_unit = [row for row in data["summary"] if row["rule"] == "committee_meeting"]
    assert rollup["committee_meeting"]["required"] == sum(row["required"] for row in by_unit) == 48
    assert rollup["committee_meeting"]["on_time"] == 12  # only zb1 recorded its meetings
    ranked = report(year, "--unit", "zz1", "--sort", "missing")
    assert ranked["summary"][0]["missing"] == max(row["missing"] for row in ranked["summary"])


def test_the_table_lists_counts_then_missing_and_waived_keys(year: Year) -> None:
    result = year.run("report", "--unit", "zb1", "--period", "2026Q3", "--now", AFTER)
    assert result.exit_code == 0, result.output
    assert "办公室党支部 工作完成情况 2026Q3（2026-07-01 至 2026-09-30）" in result.stdout
    assert f"{WAIVED_LECTURE}  {WAIVER_REASON}" in result.stdout
    assert f"zb1/党费/2026-07/{NEVER_PAYS}  截止 2026-07-31" in result.stdout
    english = year.run("--lang", "en", "report", "--unit", "zb1", "--period", "2026-07..2026-09", "--now", AFTER)
    assert "on time" in english.stdout
    assert "missing:" in english.stdout


def test_csv_has_one_row_per_task(year: Year) -> None:
    result = year.run("report", "--unit", "zb1", "--period", "2026H1", "--format", "csv", "--now", AFTER)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    keys = {r["任务编号"]: r for r in rows}
    assert keys["zb1/支委会/2026-03"]["结果"] == "按时完成"
    assert keys[f"zb1/主题党日/{LATE_THEME_DAY}"]["结果"] == "逾期完成"
    assert len(rows) == len(report(year, "--unit", "zb1", "--period", "2026H1")["tasks"])


def test_the_ledger_workbook_holds_what_was_recorded(year: Year, tmp_path: Path) -> None:
    target = tmp_path / "zb1-2026.xlsx"
    result = year.run("report", "--unit", "zb1", "--period", "2026", "-o", str(target), "--now", AFTER)
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book.sheetnames == [
        "工作完成情况",
        "任务明细",
        "三会一课记录",
        "党费收缴台账",
        "谈心谈话记录",
        "五必访五必谈记录",
        "联系点问题台账",
        "示范岗评比",
        "发展党员",
    ]
    meetings = book["三会一课记录"]
    assert [c.value for c in meetings[1]][:10] == [
        "日期",
        "类别",
        "组织",
        "主题",
        "主持人",
        "记录人",
        "应到",
        "实到",
        "缺席人员及原因",
        "是否达到法定人数",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    rows = [[c.value for c in row] for row in meetings.iter_rows(min_row=2)]
    committee = [r for r in rows if r[1] == "支委会"]
    assert len(committee) == 12
    assert isinstance(committee[0][0], datetime)  # a real date, not text
    assert committee[0][6:8] == [4, 4]  # 应到 4 (the committee), 实到 4
    assert committee[0][9] == "是"
    general = [r for r in rows if r[1] == "党员大会"]
    assert len(general) == 4
    assert len(general[0][8].split("、")) == 2  # the two absent members are named

    dues = book["党费收缴台账"]
    header = [c.value for c in dues[1]]
    assert header[:5] == ["姓名", "所在支部", "缴费基数", "比例", "月应缴"]
    assert header[5:17] == [f"{m}月" for m in range(1, 13)]
    assert header[17:] == ["合计", "欠缴"]
    by_name = {row[0].value: [c.value for c in row] for row in dues.iter_rows(min_row=2)}
    never = by_name[year.names[NEVER_PAYS]]
    monthly = float(never[4])
    assert never[17] == 0
    assert never[18] == pytest.approx(12 * monthly)
    payer = by_name[year.names["P0001"]]
    assert payer[5] == pytest.approx(float(monthly_amount(Decimal(str(payer[2])))))
    assert payer[17] == pytest.approx(12 * payer[5])

    problems = [[c.value for c in row] for row in book["联系点问题台账"].iter_rows(min_row=2)]
    assert len(problems) == 1
    assert problems[0][0].endswith(VISIT_PROBLEM)
    assert problems[0][3] == "周敏"  # the finder
    assert problems[0][7] == "是"  # 消号
    visits = [[c.value for c in row] for row in book["五必访五必谈记录"].iter_rows(min_row=2)]
    assert [(v[1], v[3]) for v in visits] == [(year.names[PATIENT], "阑尾炎手术")]
    stages = [[c.value for c in row] for row in book["示范岗评比"].iter_rows(min_row=2)]
    h1 = [s for s in stages if s[1] == "2026H1"]
    assert [s[2] for s in h1] == ["党小组申报", "支委会研究", "总支审查", "党委验收", "授牌"]
    assert all(s[6] == "按时完成" for s in h1)


def test_bad_input_gets_the_valid_choices_and_writes_nothing(year: Year, tmp_path: Path) -> None:
    unknown_unit = year.run("report", "--unit", "zb9", "--now", AFTER)
    assert unknown_unit.exit_code == 1
    assert "没有组织 'zb9'" in unknown_unit.output
    assert "zb1" in unknown_unit.output
    bad_period = year.run("report", "--period", "2026Q5", "--now", AFTER)
    assert bad_period.exit_code == 2
    assert "2026-01..2026-06" in bad_period.output
    empty = year.run("report", "--period", "2030", "--now", AFTER)
    assert empty.exit_code == 0
    assert "这段时间没有任务" in empty.stdout
    blocked = tmp_path / "no-such-folder" / "out.xlsx"
    unwritable = year.run("report", "--unit", "zb1", "-o", str(blocked), "--now", AFTER)
    assert unwritable.exit_code == 2
    assert str(blocked) in unwritable.output
    assert not blocked.parent.exists()
    target = tmp_path / "keep.csv"
    target.write_text("old", encoding="utf-8")
    failed = year.run("report", "--unit", "zb9", "-o", str(target), "--now", AFTER)
    assert failed.exit_code == 1
    assert target.read_text(encoding="utf-8") == "old"  # a failed report leaves the old file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_member_sees_dues_talks_and_next_dates(year: Year) -> None:
    result = year.run("report", "--person", NEVER_PAYS, "--period", "2026", "--format", "json", "--now", AFTER)
    view = json.loads(result.stdout)
    monthly = monthly_amount(year.bases[NEVER_PAYS])
    assert Decimal(view["dues_monthly"]) == monthly
    assert Decimal(view["dues_paid"]) == 0
    assert Decimal(view["dues_owed"]) == 12 * monthly
    assert len(view["talks_missing"]) == 4  # each of the four committee members
    payer = json.loads(
        year.run("report", "--person", "P0001", "--period", "2026", "--format", "json", "--now", AFTER).stdout
    )
    assert Decimal(payer["dues_paid"]) == 12 * Decimal(payer["dues_monthly"])
    assert Decimal(payer["dues_owed"]) == 0
    text = year.run("report", "--person", year.names["P0001"], "--period", "2026", "--now", AFTER)
    assert "党费：月应缴" in text.stdout


def test_calendar_export_keeps_stable_uids(year: Year, tmp_path: Path) -> None:
    target = tmp_path / "zb1.ics"
    first = year.run("export", "ics", "--unit", "zb1", "-o", str(target), "--now", "2026-12-31T10:00")
    assert first.exit_code == 0, first.output
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    listed = json.loads(year.run("list", "--unit", "zb1", "--status", "all", "--json").stdout)
    open_keys = {t["key"] for t in listed if t["state"] in ("upcoming", "open", "due_soon", "overdue")}
    assert set(events) == {f"{key}@zhibu" for key in open_keys}
    some = "zb1/谈心谈话/2026/P0001+P0002@zhibu"
    assert events[some].decoded("dtstart") == date(2026, 12, 31)
    again = year.run("export", "ics", "--unit", "zb1", "--todo", "--now", "2026-12-31T11:00")
    todos = {str(t["uid"]) for t in Calendar.from_ical(again.stdout).walk("VTODO")}
    assert todos == set(events)
    mine = year.run("export", "ics", "--person", "周敏", "--now", "2026-12-31T11:00")
    uids = {str(e["uid"]) for e in Calendar.from_ical(mine.stdout).walk("VEVENT")}
    assert uids
    assert all("/zhoumin@" in uid for uid in uids)


def test_the_year_page_renders_in_a_browser(year: Year, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs it")
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    page = tmp_path / "2026.html"
    result = year.run("report", "--unit", "zb1", "--period", "2026", "-o", str(page), "--now", AFTER)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "http" not in html.split("<body>")[1]
    profile = tmp_path / "profile"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    dom = subprocess.run(
        ["chromium", *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="unit-zb1"' in dom.stdout
    assert dom.stdout.count('class="missing"') > 10
    assert 'class="late"' in dom.stdout  # May's 主题党日
    shot = tmp_path / "shot.png"
    picture = subprocess.run(
        ["chromium", *flags, "--window-size=420,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert picture.returncode == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_daemon_keeps_a_calendar_file_current(year: Year, tmp_path: Path) -> None:
    config = tmp_path / "zhibu.toml"
    shutil.copytree(year.config.parent / "examples", tmp_path / "examples")
    text = year.config.read_text(encoding="utf-8")
    db = year.config.parent / "zhibu.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            shutil.copy(f"{db}{suffix}", tmp_path / f"zhibu.db{suffix}")
    config.write_text(text.replace("[catalogue]", '[export]\nics_path = "out/zhibu.ics"\n\n[catalogue]', 1))
    (tmp_path / "out").mkdir()
    from click.testing import CliRunner

    from scheduler.cli import main

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("tick", "--now", "2026-12-31T12:00", "-q")
    calendar = tmp_path / "out" / "zhibu.ics"
    before = {str(e["uid"]) for e in Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")}
    assert "zb1/谈心谈话/2026/P0001+P0002@zhibu" in before
    stamp = calendar.stat().st_mtime_ns
    run("tick", "--now", "2026-12-31T12:05", "-q")
    assert calendar.stat().st_mtime_ns == stamp  # nothing changed, nothing rewritten
    run("done", "zb1/谈心谈话/2026/P0001+P0002", "--now", "2026-12-31T12:10")
    run("tick", "--now", "2026-12-31T12:15", "-q")
    after = {str(e["uid"]) for e in Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")}
    assert after == before - {"zb1/谈心谈话/2026/P0001+P0002@zhibu"}
