"""The 台账 workbook of a unit and a period: one sheet per ledger, with the Chinese headers branches
use, frozen header rows, sensible widths, A4 landscape, dates as real dates. Everything comes from
what was recorded once with ``zhibu done`` (and ``event add``); nothing is typed twice.

Sheets: 工作完成情况 (the report), 三会一课记录, 党费收缴台账, 谈心谈话记录, 五必访五必谈记录,
联系点问题台账, 示范岗评比, 发展党员.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.reports.build import DETAIL_COLUMNS, LATE, MISSING, ON_TIME, OUTCOMES, Line, Report, detail_row
from scheduler.reports.cells import append_row
from scheduler.store.chain import head_line
from scheduler.store.models import EventRow, PersonRow
from scheduler.store.states import DONE_KIND
from workflows.dues import dues_for_period, monthly_dues, rate_of
from workflows.i18n import t

MEETINGS = {
    "member_meeting": "党员大会",
    "committee_meeting": "支委会",
    "group_meeting": "党小组会",
    "party_lecture": "党课",
    "committee_lecture": "党课",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OUTCOME_FILL = {MISSING: "FFCDD2", LATE: "FFE0B2", ON_TIME: "C8E6C9"}
DATE_FORMAT = "yyyy-mm-dd"


def _sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Worksheet:
    sheet = book.create_sheet(title)
    append_row(sheet, list(headers))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    return sheet


def _dated(sheet: Worksheet) -> None:
    """Give every date cell a date format (openpyxl stores real dates)."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _done(line: Line) -> list[Any]:
    return [r for r in line.records if r.kind == DONE_KIND]


def _summary(book: Workbook, report: Report, lang: str) -> None:
    names = report.unit_names
    headers = ["组织", "工作", "应完成", "按时完成", "逾期完成", "免办", "未完成", "未到期"]
    sheet = _sheet(book, "工作完成情况", headers, [26, 24, 8, 10, 10, 8, 8, 8])
    for tally in report.tallies:
        append_row(
            sheet, [names.get(tally.unit_id, tally.unit_id), tally.title, tally.required, *tally.counts.values()]
        )
    detail = _sheet(book, "任务明细", [t(key, "zh") for key in DETAIL_COLUMNS], [26, 22, 40, 10, 12, 10, 12, 9, 30])
    for line in report.lines:
        append_row(detail, detail_row(line, names, "zh"))
        if line.outcome in OUTCOME_FILL:
            detail.cell(row=detail.max_row, column=6).fill = PatternFill("solid", fgColor=OUTCOME_FILL[line.outcome])
    _dated(detail)
    append_row(sheet, [])
    append_row(sheet, [t("report.heads", "zh", heads=head_line(report.heads))])


def _meetings(book: Workbook, report: Report) -> None:
    headers = [
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
        "附件",
        "任务编号",
    ]
    sheet = _sheet(book, "三会一课记录", headers, [12, 10, 22, 36, 10, 10, 6, 6, 24, 10, 30, 32])
    names = report.unit_names
    rows = []
    for line in report.lines:
        if line.rule_id not in MEETINGS:
            continue
        for record in _done(line):
            rows.append(
                [
                    record.on,
                    MEETINGS[line.rule_id],
                    names.get(line.unit_id, line.unit_id),
                    record.note,
                    line.assignee_name,
                    record.by,
                    record.expected,
                    record.present,
                    "、".join(record.absent),
                    _yes(record.quorum_met),
                    "\n".join(record.attachments),
                    line.key,
                ]
            )
    for row in sorted(rows, key=lambda r: (r[0] or date.min, r[11])):
        append_row(sheet, row)
    _dated(sheet)


def _dues(book: Workbook, session: Session, app: App, report: Report) -> None:
    rules = app.rules_by_id
    dues = [line for line in report.lines if (rule := rules.get(line.rule_id)) is not None and rule.collects_dues]
    months = report.span.months()
    headers = ["姓名", "所在支部", "缴费基数", "比例", "月应缴", *(f"{m}月" for _, m in months), "合计", "欠缴"]
    sheet = _sheet(book, "党费收缴台账", headers, [10, 22, 10, 8, 9, *([8] * len(months)), 10, 10])
    by_person: dict[str, list[Line]] = defaultdict(list)
    for line in dues:
        by_person[line.person_id].append(line)
    people = {p.id: p for p in session.scalars(select(PersonRow).where(PersonRow.id.in_(list(by_person))))}
    names = report.unit_names
    for person_id in sorted(by_person, key=lambda p: (people[p].unit_id if p in people else "", p)):
        person = people.get(person_id)
        if person is None:
            continue
        monthly = monthly_dues(person.dues_base, retired=person.retired, fixed=person.dues_fixed)
        paid_in: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        owed = Decimal(0)
        for line in by_person[person_id]:
            for record in _done(line):
                if record.amount is not None:  # booked in the month the period ends (季度 → its last month)
                    paid_in[(line.due_on.year, line.due_on.month)] += record.amount
            if line.outcome == MISSING and monthly is not None:
                owed += dues_for_period(monthly, rules[line.rule_id].every.value)
        rate = rate_of(person.dues_base, retired=person.retired) if person.dues_fixed is None else None
        append_row(
            sheet,
            [
                person.name,
                names.get(person.unit_id, person.unit_id),
                person.dues_base,
                f"{rate * 100:.1f}%" if rate is not None else "固定",
                monthly,
                *(paid_in.get(ym) for ym in months),
                sum(paid_in.values(), Decimal(0)),
                owed,
            ],
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.value = float(cell.value)
                cell.number_format = "0.00"


def _talks(book: Workbook, report: Report, people: dict[str, str]) -> None:
    headers = ["谈话人", "谈话对象", "组织", "日期", "谈话内容", "结果", "任务编号"]
    sheet = _sheet(book, "谈心谈话记录", headers, [10, 10, 22, 12, 40, 10, 40])
    names = report.unit_names
    for line in report.lines:
        if "+" not in line.person_id:
            continue
        talker, member = line.person_id.split("+", 1)
        records = _done(line) or [None]
        for record in records:
            append_row(
                sheet,
                [
                    people.get(talker, talker),
                    people.get(member, member),
                    names.get(line.unit_id, line.unit_id),
                    record.on if record else None,
                    record.note if record else "",
                    t(f"outcome.{line.outcome}", "zh"),
                    line.key,
                ],
            )
    _dated(sheet)


def _visits(book: Workbook, session: Session, app: App, report: Report, people: dict[str, str]) -> None:
    headers = ["类别", "对象", "组织", "事由", "发生日期", "办理日期", "办理情况", "结果", "任务编号"]
    sheet = _sheet(book, "五必访五必谈记录", headers, [10, 10, 22, 24, 12, 12, 36, 10, 40])
    rules = app.rules_by_id
    names = report.unit_names
    events = {
        (e.person_id, e.happened_on): e
        for e in session.scalars(
            select(EventRow).where(EventRow.happened_on >= report.span.first, EventRow.happened_on <= report.span.last)
        )
    }
    for line in report.lines:
        rule = rules.get(line.rule_id)
        if rule is None or not rule.on_events or rule.needs_confirmation:
            continue
        happened = line.period_key.split("#", 1)[0]
        event = events.get((line.person_id, date.fromisoformat(happened))) if len(happened) == 10 else None
        done = _done(line)
        append_row(
            sheet,
            [
                rule.alias,
                people.get(line.person_id, line.person_id),
                names.get(line.unit_id, line.unit_id),
                (event.note or event.kind) if event else "",
                date.fromisoformat(happened) if len(happened) == 10 else None,
                done[-1].on if done else None,
                "\n".join(r.note for r in done if r.note),
                t(f"outcome.{line.outcome}", "zh"),
                line.key,
            ],
        )
    _dated(sheet)


def _problems(book: Workbook, app: App, report: Report, people: dict[str, str]) -> None:
    headers = ["问题", "组织", "发现日期", "发现人", "责任人", "整改期限", "整改情况", "是否消号", "任务编号"]
    sheet = _sheet(book, "联系点问题台账", headers, [36, 22, 12, 10, 10, 12, 36, 9, 40])
    rules = app.rules_by_id
    names = report.unit_names
    for line in report.lines:
        rule = rules.get(line.rule_id)
        if rule is None or not rule.needs_confirmation:
            continue
        done = _done(line)
        append_row(
            sheet,
            [
                line.task_title.split("：", 1)[-1],
                names.get(line.unit_id, line.unit_id),
                date.fromisoformat(line.period_key[:10]),
                people.get(line.person_id, line.person_id),
                line.assignee_name,
                line.due_on,
                "\n".join(r.note for r in done if r.note),
                "是" if line.outcome in (ON_TIME, LATE) else "否",
                line.key,
            ],
        )
    _dated(sheet)


def _chains(book: Workbook, app: App, report: Report, title: str, person_chain: bool) -> None:
    headers = [
        "组织",
        "人员" if person_chain else "评比期",
        "阶段",
        "负责人",
        "期限",
        "完成日期",
        "结果",
        "情况",
        "任务编号",
    ]
    sheet = _sheet(book, title, headers, [22, 10, 14, 10, 12, 12, 10, 36, 44])
    rules = app.rules_by_id
    names = report.unit_names
    for line in report.lines:
        rule = rules.get(line.rule_id)
        if rule is None or not rule.stages or (rule.record_date is not None) != person_chain:
            continue
        period, _, stage = line.period_key.rpartition("/")
        done = _done(line)
        append_row(
            sheet,
            [
                names.get(line.unit_id, line.unit_id),
                (line.person_name or line.person_id) if person_chain else period,
                stage,
                line.assignee_name,
                line.due_on,
                line.done_on,
                t(f"outcome.{line.outcome}", "zh"),
                "\n".join(r.note for r in done if r.note),
                line.key,
            ],
        )
    _dated(sheet)


def ledger_workbook(session: Session, app: App, report: Report) -> bytes:
    """The 台账 workbook of ``report`` (its unit and the units below it, its period) as XLSX bytes."""
    book = Workbook()
    book.remove(book.active)
    people = dict(session.execute(select(PersonRow.id, PersonRow.name)).all())
    _summary(book, report, "zh")
    _meetings(book, report)
    _dues(book, session, app, report)
    _talks(book, report, people)
    _visits(book, session, app, report, people)
    _problems(book, app, report, people)
    _chains(book, app, report, "示范岗评比", person_chain=False)
    _chains(book, app, report, "发展党员", person_chain=True)
    book.properties.title = t(
        "report.heading",
        "zh",
        unit=report.unit_names.get(report.root, app.loaded.config.org.name),
        period=report.span.label,
        first=report.span.first,
        last=report.span.last,
    )
    book.properties.creator = "zhibu"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


__all__ = ["OUTCOMES", "ledger_workbook"]
