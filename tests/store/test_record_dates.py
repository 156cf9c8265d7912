"""Shape 4 on a real store: deadlines counted from a date in a person's or unit's record, and
open tasks that move when that date is corrected (done ones stay)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.actions.operator import Operator
from scheduler.actions.records import DoneRequest, record_done
from scheduler.app import App, open_app
from scheduler.engine.directory import load_roster
from scheduler.engine.tick import tick
from scheduler.store.lookup import find_task
from scheduler.store.models import TaskRow
from tests.conftest import beijing

ORG = """
[catalogue]
enable = ["换届", "积极分子考察", "政治生日"]

# the record-date shape on its own (the catalogue keeps these steps in the 发展党员 chain)
[rules."转正"]
title = "预备党员转正"
every = "year"
per_person = true
person_status = ["probationary"]
record_date = "probation_start"
after_months = 12
opens_before = "6w"

[rules."申请人谈话"]
title = "与入党申请人谈话"
every = "year"
per_person = true
person_status = ["applicant"]
record_date = "applied_on"
after_months = 1
opens_before = "30d"

[org]
name = "测试党委"

[sync]
start = 2026-01-01   # tracked since New Year: what fell due before the first tick is kept too

[[units]]
id = "dw"
name = "党委"
kind = "committee"
term_start = 2022-05-20

[[units]]
id = "zb1"
name = "一支部"
kind = "branch"
parent = "dw"
term_start = 2024-03-15

[[people]]
id = "shuji"
name = "书记甲"
unit = "zb1"
roles = ["书记"]
joined = 1998-07-01

[[people]]
id = "yubei"
name = "预备乙"
unit = "zb1"
status = "probationary"
probation_start = PROBATION

[[people]]
id = "shenqing"
name = "申请丙"
unit = "zb1"
status = "applicant"
applied_on = 2026-03-10

[[people]]
id = "jiji"
name = "积极丁"
unit = "zb1"
status = "activist"
activist_since = 2025-03-10

[[people]]
id = "dwsj"
name = "党委书记"
unit = "dw"
roles = ["书记"]
"""


def org_app(folder: Path, probation: str = "2026-06-30") -> App:
    path = folder / "zhibu.toml"
    path.write_text(ORG.replace("PROBATION", probation), encoding="utf-8")
    return open_app(path)


def tasks(app: App) -> dict[str, tuple[date, str]]:
    with app.store.reading() as session:
        return {t.key: (t.due_on, t.state) for t in session.scalars(select(TaskRow))}


def test_dates_counted_from_records(tmp_path: Path) -> None:
    app = org_app(tmp_path)
    tick(app, beijing("2026-03-12 09:00"))
    tick(app, beijing("2027-01-05 09:00"))
    found = tasks(app)
    assert found["zb1/申请人谈话/2026/shenqing"][0] == date(2026, 4, 10)  # a month after 10 March
    assert found["zb1/积极分子考察/2026H1/jiji"][0] == date(2026, 3, 10)  # every six months
    assert found["zb1/积极分子考察/2026H2/jiji"][0] == date(2026, 9, 10)
    assert found["zb1/积极分子考察/2027H1/jiji"][0] == date(2027, 3, 10)
    assert found["zb1/政治生日/2026/shuji"][0] == date(2026, 7, 1)
    assert found["zb1/转正/2027/yubei"][0] == date(2027, 6, 30)  # a year of probation
    assert found["zb1/换届/2027"][0] == date(2027, 3, 15)  # a branch's term: 3 years
    assert "dw/换届/2027" in found
    assert found["dw/换届/2027"][0] == date(2027, 5, 20)  # a committee's: 5 years
    assert found["zb1/换届/2027"][1] == "open"  # the election is prepared six months ahead


def test_correcting_a_record_date_moves_the_open_task(tmp_path: Path) -> None:
    app = org_app(tmp_path)
    tick(app, beijing("2027-05-25 09:00"))
    assert tasks(app)["zb1/转正/2027/yubei"] == (date(2027, 6, 30), "open")
    app = org_app(tmp_path, probation="2026-06-10")  # the roster had it wrong
    report = tick(app, beijing("2027-05-25 10:00"))
    assert report.sync.moved >= 1
    assert tasks(app)["zb1/转正/2027/yubei"] == (date(2027, 6, 10), "open")
    with app.store.reading() as session:
        task = find_task(session, "zb1/转正/2027/yubei")
        assert task.schedule_key == "2027-06-10/zb1/yubei"


def test_a_done_task_stays_when_its_record_date_changes(tmp_path: Path) -> None:
    app = org_app(tmp_path)
    tick(app, beijing("2026-03-12 09:00"))
    with app.store.writing() as session:
        task = find_task(session, "zb1/申请人谈话/2026/shenqing")
        record_done(
            session,
            task,
            DoneRequest(operator=Operator("书记甲")),
            rule=app.rules_by_id[task.rule_id],
            roster=load_roster(session),
            today=date(2026, 3, 12),
            now=beijing("2026-03-12 10:00"),
        )
    path = tmp_path / "zhibu.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("applied_on = 2026-03-10", "applied_on = 2026-03-01"), encoding="utf-8"
    )
    app = open_app(path)
    tick(app, beijing("2026-03-12 11:00"))
    assert tasks(app)["zb1/申请人谈话/2026/shenqing"] == (date(2026, 4, 10), "done")


@pytest.mark.parametrize(
    ("joined", "year", "due"), [("1998-07-01", 2028, date(2028, 6, 30)), ("2000-02-29", 2026, date(2026, 2, 28))]
)
def test_political_birthday_on_a_rest_day_or_the_29th_of_february(
    tmp_path: Path, joined: str, year: int, due: date
) -> None:
    # 1 July 2028 is a Saturday; 28 February 2026 is a 调休 working Saturday
    path = tmp_path / "zhibu.toml"
    path.write_text(
        ORG.replace("PROBATION", "2026-06-30").replace("joined = 1998-07-01", f"joined = {joined}"), encoding="utf-8"
    )
    app = open_app(path)
    tick(app, beijing(f"{year}-01-02 09:00"))
    assert tasks(app)[f"zb1/政治生日/{year}/shuji"][0] == due


def test_six_months_of_unpaid_dues_reach_the_committee(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLE

    text = EXAMPLE.read_text(encoding="utf-8").replace("[org]\n", '[catalogue]\nenable = ["党费"]\n\n[org]\n', 1)
    text = text.replace(
        'every = "quarter"                     # 按季度收缴 / collected quarterly (seed 002)', 'every = "month"'
    )
    path = tmp_path / "zhibu.toml"
    path.write_text(text, encoding="utf-8")
    app = open_app(path)
    for moment in ("2026-01-05 09:00", "2026-05-04 09:00", "2026-08-03 09:00"):
        tick(app, beijing(moment))
    with app.store.reading() as session:
        from scheduler.store.models import NoticeRow

        task = find_task(session, "zb1/党费/2026-01/sunli")
        notices = {
            (n.step, n.recipient) for n in session.scalars(select(NoticeRow).where(NoticeRow.task_id == task.id))
        }
    assert ("escalate:2", "person:zhangwei") in notices  # three months: the branch secretary
    assert ("escalate:3", "person:wangjg") in notices  # six months: the 党委
