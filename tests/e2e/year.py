"""A year of the realistic example, simulated: a tick every day of 2026 at 09:00 and, along the way,
what 办公室党支部 (zb1) records as a diligent branch would — meetings with attendance, dues with
amounts, a visit, a problem found and closed, a hospital visit, the 示范岗 chain with a send-back,
an applicant's talk, a member transferred to 政策法规处 in July — and one member who never pays.

Built once per test session (it takes about a minute); the catalogue, report, 台账 and calendar
tests read the store it leaves."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner, Result

from scheduler import clock
from scheduler.app import App, open_app
from scheduler.cli import main
from scheduler.engine.tick import tick
from tests.conftest import REALISTIC, REPO, SHANGHAI, with_login

NEVER_PAYS = "P0007"
TRANSFERRED = "P0008"
TRANSFER_DAY = date(2026, 7, 1)
PATIENT = "P0010"
LATE_THEME_DAY = "2026-05"  # 主题党日 of May is held on the 20th, after its deadline
WAIVED_LECTURE = "zb1/党课/2026Q3"
WAIVER_REASON = "并入机关党委集中党课"
VISIT_PROBLEM = "党员大会记录缺少缺席原因"


@dataclass
class Year:
    """The simulated store and what the tests need to find in it."""

    config: Path
    app: App
    names: dict[str, str]
    bases: dict[str, Decimal]
    zb1_members: list[str]
    problem_key: str
    failures: list[str]

    def run(self, *args: str) -> Result:
        """``zhibu --config … ARGS`` in-process."""
        clock.set_now(None)
        return CliRunner().invoke(main, ["--config", str(self.config), *args], catch_exceptions=False)


def monthly_amount(base: Decimal) -> Decimal:
    """党费 of a working member, computed here from the 2008 brackets (≤3000 0.5%, ≤5000 1%,
    ≤10000 1.5%, above 2%)."""
    rate = Decimal("0.005") if base <= 3000 else Decimal("0.01") if base <= 5000 else Decimal("0.015")
    if base > 10000:
        rate = Decimal("0.02")
    return (base * rate).quantize(Decimal("0.01"))


def _roster(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _transfer(path: Path, person: str) -> None:
    """Move ``person`` to 政策法规处党支部 in the roster file (as the secretary would edit it)."""
    rows = _roster(path)
    for row in rows:
        if row["编号"] == person:
            row["所在支部"] = "政策法规处党支部"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _working_day_on_or_after(app: App, day: date) -> date:
    while not app.workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


def simulate(folder: Path) -> Year:
    """Run 2026 on a copy of the realistic example in ``folder``."""
    (folder / "examples").mkdir(parents=True)
    roster_file = folder / "examples" / "roster.csv"
    shutil.copy(REPO / "examples" / "roster.csv", roster_file)
    config = folder / "zhibu.toml"
    # the login running the tests is 周敏: a member of the committee (she may record anywhere below
    # it) and the leader who finds the problem on a visit, so hers is the confirmation it needs
    config.write_text(with_login(REALISTIC.read_text(encoding="utf-8"), "zhoumin"), encoding="utf-8")
    rows = _roster(roster_file)
    names = {r["编号"]: r["姓名"] for r in rows}
    bases = {r["编号"]: Decimal(r["缴费基数"]) for r in rows if r["缴费基数"]}
    zb1 = [r for r in rows if r["所在支部"].startswith("办公室党支部") and r["人员类别"] in ("正式党员", "预备党员")]
    committee = [names[p] for p in ("P0001", "P0002", "P0003", "P0004")]
    applicant = next(r for r in rows if r["所在支部"].startswith("办公室党支部") and r["人员类别"] == "入党申请人")
    app = open_app(config)
    year = Year(config, app, names, bases, [r["编号"] for r in zb1], "", [])

    def record(day: date, *args: str) -> None:
        result = year.run(*args, "--now", f"{day.isoformat()}T10:00")
        if result.exit_code != 0:
            year.failures.append(f"{day} {' '.join(args)}: {result.output}")

    day = date(2026, 1, 1)
    while day <= date(2026, 12, 31):
        if day == TRANSFER_DAY:
            _transfer(roster_file, TRANSFERRED)
            app.store.close()
            app = year.app = open_app(config)
        tick(app, datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI))
        month = f"{day.year}-{day.month:02d}"
        if day == _working_day_on_or_after(app, day.replace(day=10)):
            record(
                day, "done", f"zb1/支委会/{month}", "--present", ",".join(committee), "--note", f"{day.month}月支委会"
            )
            for leader in ("wangjg", "wangjg"):
                record(day, "done", f"zb1/联系支部/{month}/{leader}", "--note", "听取汇报", "--by", "王建国")
            payers = [p for p in year.zb1_members if p != NEVER_PAYS and not (p == TRANSFERRED and day.month >= 7)]
            for person in payers:
                amount = str(monthly_amount(bases[person]))
                record(day, "done", f"zb1/党费/{month}/{person}", "--amount", amount, "--by", names["P0002"])
        if day == date(2026, 3, 5):
            record(
                day,
                "done",
                "zb1/联系支部/2026-03/zhoumin",
                "--note",
                "查阅三会一课台账",
                "--problem",
                VISIT_PROBLEM,
                "--by",
                "周敏",
            )
        theme_day = date(2026, 5, 20) if month == LATE_THEME_DAY else _working_day_on_or_after(app, day.replace(day=12))
        if day == theme_day:
            record(day, "done", f"zb1/主题党日/{month}", "--note", "主题党日活动")
        if day.month in (3, 6, 9, 12) and day == _working_day_on_or_after(app, day.replace(day=18)):
            quarter = f"2026Q{day.month // 3}"
            absent = ",".join(names[p] for p in year.zb1_members[-4:-2])
            record(day, "done", f"zb1/党员大会/{quarter}", "--absent", absent, "--note", "党员大会")
            if f"zb1/党课/{quarter}" != WAIVED_LECTURE:
                record(day, "done", f"zb1/党课/{quarter}", "--note", "书记讲党课")
            else:
                record(day, "waive", WAIVED_LECTURE, "--reason", WAIVER_REASON)
        if day == date(2026, 3, 10):
            record(day, "event", "add", "住院", "--person", PATIENT, "--note", "阑尾炎手术")
        if day == date(2026, 3, 12):
            record(day, "done", f"zb1/五必访/2026-03-10/{PATIENT}", "--note", "书记、组织委员到医院看望")
        if day == date(2026, 3, 20):
            year.problem_key = next(key for key in _keys(year, "整改") if key.startswith("zb1/整改/2026-03-05"))
            record(day, "done", year.problem_key, "--note", "已补记缺席人员及原因", "--by", names["P0001"])
        if day == date(2026, 3, 23):
            record(day, "confirm", year.problem_key, "--by", "周敏")
        if day == _working_day_on_or_after(app, date.fromisoformat(applicant["申请入党时间"]) + timedelta(days=7)):
            record(day, "done", f"zb1/发展党员/谈话/{applicant['编号']}", "--note", "了解入党动机")
        stages = {
            date(2026, 5, 8): ("done", "党小组申报"),
            date(2026, 5, 12): ("done", "支委会研究"),
            date(2026, 5, 14): ("sendback", "总支审查"),
            date(2026, 5, 15): ("done", "支委会研究"),
            date(2026, 5, 20): ("done", "总支审查"),
            date(2026, 5, 27): ("done", "党委验收"),
            date(2026, 6, 3): ("done", "授牌"),
        }
        if day in stages:
            action, stage = stages[day]
            key = f"zb1/示范岗/2026H1/{stage}"
            if action == "sendback":
                record(day, "sendback", key, "--reason", "事迹材料不全")
            else:
                record(day, "done", key, "--note", f"{stage}：{names['P0012']}、{names['P0015']}")
        day += timedelta(days=1)
    return year


def _keys(year: Year, alias: str) -> list[str]:
    import json

    listed = json.loads(year.run("list", "--rule", alias, "--status", "all", "--json").stdout)
    return [t["key"] for t in listed]
