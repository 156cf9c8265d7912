"""Importing a roster (花名册) from CSV and XLSX through the CLI: Chinese headers, every bad row
reported with nothing written, a dry run, transfers and leavers handled by the sync."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import CliRun
from tests.store.helpers import dump

HEADER = "编号,姓名,所在支部,人员类别,职务,入党时间,缴费基数,邮箱,流动党员\n"
GOOD = (
    "m001,钱多多,第二党支部（业务科室）,正式党员,,2010-07-01,6800,m001@example.org,否\n"
    "m002,孙晓,zb2,预备党员,,2026/01/15,4200,,否\n"
    "m003,周游,第三党支部（离退休）,正式党员,,1985年7月1日,3500,,是\n"
)


def write_csv(folder: Path, body: str, name: str = "roster.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8-sig")  # Excel writes a BOM
    return path


def keys(zhibu: CliRun, *args: str) -> set[str]:
    return {t["key"] for t in json.loads(zhibu("list", "--json", "--status", "all", *args).stdout)}


def test_import_csv_creates_people_and_their_tasks(zhibu: CliRun, tmp_path: Path) -> None:
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    dry = zhibu("import", "people", str(write_csv(tmp_path, GOOD)), "--dry-run", "--now", "2026-03-02T09:10")
    assert dry.exit_code == 0, dry.output
    assert "新增 3 人，更新 0 人（其中调动 0 人），离开 0 人" in dry.output
    assert "zb2/党费/2026Q1/m001" not in keys(zhibu)
    result = zhibu("import", "people", str(write_csv(tmp_path, GOOD)), "--by", "刘慧敏", "--now", "2026-03-02T09:10")
    assert result.exit_code == 0, result.output
    found = keys(zhibu)
    assert {"zb2/党费/2026Q1/m001", "zb2/党费/2026Q1/m002", "zb3/党费/2026Q1/m003"} <= found
    again = zhibu("import", "people", str(write_csv(tmp_path, GOOD)), "--now", "2026-03-02T09:20")
    assert "新增 0 人，更新 0 人（其中调动 0 人），离开 0 人" in again.output  # idempotent


def test_bad_rows_are_all_reported_and_nothing_is_written(zhibu: CliRun, example_config: Path, tmp_path: Path) -> None:
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    from scheduler.store.engine import connect_store

    store = connect_store(f"sqlite:///{example_config.parent / 'zhibu.db'}")
    before = dump(store)
    bad = (
        GOOD
        + "m004,,zb2,正式党员,,2010-07-01,,,\nm005,吴用,第九党支部,党员,支书,2010-13-01,五千,,也许\nm001,重复,zb2,正式党员,,,,,\n"
    )
    result = zhibu("--lang", "en", "import", "people", str(write_csv(tmp_path, bad)), "--now", "2026-03-02T09:10")
    assert result.exit_code == 2
    out = result.output
    assert "has 7 problem(s); nothing was imported" in out
    assert "row 5: name '': is empty" in out
    assert "row 6: unit '第九党支部': is not a unit in the config" in out
    assert "row 6: roles '支书': 'roles' '支书' is not a role" in out or "'支书' is not a role" in out
    assert "row 6: joined '2010-13-01': is not a date" in out
    assert "row 6: dues_base '五千': is not an amount" in out
    assert "row 6: mobile '也许': should be 是 or 否" in out
    assert "row 7: id 'm001' is also on row 2" in out
    assert dump(store) == before
    chinese = zhibu("import", "people", str(write_csv(tmp_path, bad)), "--now", "2026-03-02T09:10").output
    assert "花名册" in chinese
    assert "有 7 处错误，未导入任何数据" in chinese
    assert "第 5 行：姓名不能为空" in chinese
    assert "第 6 行：所在支部“第九党支部”不是配置中的组织" in chinese
    assert "第 6 行：职务“支书”中的“支书”不是职务" in chinese
    assert "第 6 行：入党时间“2010-13-01”不是日期" in chinese
    assert "第 6 行：缴费基数“五千”不是金额" in chinese
    assert "第 6 行：流动党员“也许”应为“是”或“否”" in chinese
    assert "第 7 行：编号“m001”与第 2 行重复" in chinese
    assert not [line for line in chinese.splitlines() if "is " in line or "should" in line]
    store.close()


def test_xlsx_transfer_and_leaving(zhibu: CliRun, tmp_path: Path) -> None:
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "姓名", "所在党组织", "人员类别", "入党时间", "缴费基数"])
    sheet.append(["m001", "钱多多", "zb2", "正式党员", "2010-07-01", 6800])
    sheet.append(["m002", "孙晓", "zb2", "正式党员", "2012-07-01", 5000])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert zhibu("import", "people", str(path), "--now", "2026-03-02T09:10").exit_code == 0
    assert zhibu("done", "zb2/党费/2026Q1/m002", "--now", "2026-03-02T09:20").exit_code == 0
    sheet.delete_rows(3)  # m002 left
    sheet["C2"] = "第三党支部（离退休）"  # m001 moved to zb3
    book.save(path)
    moved = zhibu("import", "people", str(path), "--now", "2026-03-03T09:00")
    assert moved.exit_code == 0, moved.output
    assert "新增 0 人，更新 1 人（其中调动 1 人），离开 1 人" in moved.output
    assert "m001: zb2 → zb3" in moved.output
    states = {t["key"]: t["state"] for t in json.loads(zhibu("list", "--json", "--status", "all").stdout)}
    assert states["zb2/党费/2026Q1/m001"] == "retired"  # the old unit's open task
    assert states["zb3/党费/2026Q1/m001"] == "open"  # and one in the new unit
    assert states["zb2/党费/2026Q1/m002"] == "done"  # history stays
    assert states["zb2/党费/2026Q2/m002"] == "retired"


def test_plan_includes_imported_people_and_writes_nothing(zhibu: CliRun, example_config: Path, tmp_path: Path) -> None:
    fresh = zhibu("plan", "--from", "2026-04-01", "--to", "2026-06-30", "--rule", "党费", "--json")
    assert fresh.exit_code == 0
    assert not (example_config.parent / "zhibu.db").exists()  # planning never creates a store
    assert zhibu("import", "people", str(write_csv(tmp_path, GOOD)), "--now", "2026-03-02T09:10").exit_code == 0
    planned = {
        o["key"]
        for o in json.loads(
            zhibu("plan", "--from", "2026-04-01", "--to", "2026-06-30", "--rule", "党费", "--json").stdout
        )
    }
    assert {"zb2/党费/2026Q2/m001", "zb3/党费/2026Q2/m003", "zb1/党费/2026Q2/lina"} <= planned


def test_importing_the_same_roster_again_changes_nothing(zhibu: CliRun, example_config: Path, tmp_path: Path) -> None:
    import sqlite3

    roster = str(write_csv(tmp_path, GOOD))
    assert zhibu("import", "people", roster, "--now", "2026-03-02T09:10").exit_code == 0

    def version() -> object:
        with sqlite3.connect(example_config.parent / "zhibu.db") as connection:
            return connection.execute("SELECT value FROM meta WHERE key = 'sync'").fetchone()

    before = version()
    again = zhibu("import", "people", roster, "--now", "2026-03-02T09:20")
    assert again.exit_code == 0
    assert version() == before  # the same roster is no new version: no re-derive follows
