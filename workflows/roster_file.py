"""Reading a roster (花名册) from CSV or XLSX with the Chinese headers branches use (pure once the
rows are read): every row is checked and every problem reported with its row number.

Headers (any order; English field names work too): 编号/工号 → id, 姓名 → name, 所在支部/所在党组织 →
unit (its id or full name), 人员类别 → status, 职务 → roles (、 or , separated), 入党时间 → joined,
预备期开始 → probation_start, 申请入党时间 → applied_on, 确定积极分子时间 → activist_since,
缴费基数 → dues_base, 固定党费 → dues_fixed, 手机 → phone, 邮箱 → email, 流动党员 / 离退休 (是/否).
The header is the first of the top rows that names 姓名 and another known column (a title row or
merged cells may come first); common columns zhibu does not use (序号, 性别, 备注…) are skipped, and
a mapping to ``-`` skips any other. Two people of one name in one unit are a warning, not an error.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from workflows.errors import UsageError
from workflows.i18n import Bilingual, Message
from workflows.vocabulary import normalize_role, normalize_status

HEADERS: dict[str, str] = {
    "编号": "id",
    "工号": "id",
    "人员编号": "id",
    "姓名": "name",
    "所在支部": "unit",
    "所在党组织": "unit",
    "所在党支部": "unit",
    "支部": "unit",
    "党小组": "unit",
    "人员类别": "status",
    "类别": "status",
    "职务": "roles",
    "党内职务": "roles",
    "入党时间": "joined",
    "预备期开始": "probation_start",
    "申请入党时间": "applied_on",
    "确定积极分子时间": "activist_since",
    "缴费基数": "dues_base",
    "固定党费": "dues_fixed",
    "手机": "phone",
    "手机号": "phone",
    "邮箱": "email",
    "电子邮箱": "email",
    "流动党员": "mobile",
    "离退休": "retired",
    "登录名": "login",
    "系统账号": "login",
}
IGNORE = "-"  # a column mapped to this is skipped (--mapping 备注=-)
IGNORED = frozenset(  # columns rosters often carry that zhibu does not use: skipped, never an error
    {
        "序号",
        "性别",
        "民族",
        "出生日期",
        "出生年月",
        "籍贯",
        "学历",
        "学位",
        "身份证号",
        "身份证号码",
        "备注",
        "工作单位",
    }
)
HEADER_SEARCH = 10  # rows above the header (a title, merged cells) looked through
FIELDS = (
    "id",
    "name",
    "unit",
    "status",
    "roles",
    "joined",
    "probation_start",
    "applied_on",
    "activist_since",
    "dues_base",
    "dues_fixed",
    "phone",
    "email",
    "mobile",
    "retired",
    "login",
)
REQUIRED = ("id", "name", "unit")
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")  # an OS account name
FIELD_HEADERS = {field: header for header, field in reversed(HEADERS.items())}  # the first header names it
YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"否", "n", "no", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    """One problem in one row (the header is row 1), in the column of ``column`` (a field)."""

    row: int
    column: str
    message: Message


class _CellError(ValueError):
    """A cell's value is wrong: what to say about it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.problem = Message(key, params)


def column_name(field: str) -> Bilingual:
    """A field as the reader calls it: its usual Chinese header, or the English field name."""
    return Bilingual(FIELD_HEADERS.get(field, field), field)


@dataclass
class RosterFile:
    """The people read from a file, or the problems that prevent it."""

    people: list[Any] = field(default_factory=list)  # dicts of fields, or what parse_roster made of them
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # read, but worth a look (two 王芳 in one branch)
    ignored: list[str] = field(default_factory=list)  # headers of the columns skipped


def read_rows(path: Path) -> Iterator[list[Any]]:
    """The rows of a CSV (UTF-8, with or without BOM, or GB18030) or of the first XLSX sheet, one
    at a time: the file is opened and decoded here (so errors reading it are raised here), and a
    row is parsed when it is taken, so a roster of half a million people is never held as cells."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et", ".wps", ".numbers", ".ods"):
        raise UsageError("roster.not_a_table", path=path)
    if suffix in (".xlsx", ".xlsm"):
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            return _sheet_rows(load_workbook(path, read_only=True, data_only=True))
        except (BadZipFile, KeyError, ValueError, OSError) as error:
            if isinstance(error, FileNotFoundError):
                raise
            raise UsageError("roster.not_a_table", path=path) from None
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:  # a binary file: no roster kept in a text table holds a NUL
        raise UsageError("roster.not_a_table", path=path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _csv_rows(path, text)
    raise UsageError("roster.not_a_table", path=path)


def _csv_rows(path: Path, text: str) -> Iterator[list[Any]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise UsageError("roster.not_a_table", path=path) from None


def _sheet_rows(book: Any) -> Iterator[list[Any]]:
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = re.sub(r"[年月/.]", "-", str(value).strip()).rstrip("日").strip("-")
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def _money(value: Any) -> Decimal:
    amount = Decimal(str(value).strip().removesuffix("元"))
    if amount < 0 or not amount.is_finite():
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def parse_roster(
    rows: Iterable[Sequence[Any]],
    units: Mapping[str, str],
    mapping: Mapping[str, str] | None = None,
    into: Callable[[dict[str, Any]], Any] | None = None,
) -> RosterFile:
    """People from ``rows`` (headers first); ``units`` maps unit ids and names to unit ids.
    Each person is kept as a dict of fields, or as what ``into`` makes of it — as soon as its row
    is read, so the rows, the dicts and the people are not all in memory at once."""
    result = RosterFile()
    result.people.extend(stream_roster(rows, units, result, mapping, into))
    return result


def stream_roster(
    rows: Iterable[Sequence[Any]],
    units: Mapping[str, str],
    result: RosterFile,
    mapping: Mapping[str, str] | None = None,
    into: Callable[[dict[str, Any]], Any] | None = None,
) -> Iterator[Any]:
    """:func:`parse_roster`'s people one at a time, as each row is read, its errors and warnings
    added to ``result`` (complete once the last person is taken): a consumer may write people as
    they come and must discard them if ``result.errors`` is not empty in the end."""
    known = {**HEADERS, **{f: f for f in FIELDS}, **{h: IGNORE for h in IGNORED}, **(mapping or {})}
    rows = iter(rows)
    top = list(itertools.islice(rows, HEADER_SEARCH))  # a title row or merged cells may come first
    if not top:
        result.errors.append(RowError(1, "", Message("roster.file_empty", {})))
        return
    above = next((n for n, row in enumerate(top) if _is_header(row, known)), 0)
    header_row = above + 1
    columns = _columns(top[above], known, header_row, result)
    if result.errors:
        return
    seen: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for number, row in enumerate(itertools.chain(top[header_row:], rows), start=header_row + 1):
        if not any(str(cell or "").strip() for cell in row):
            continue
        person, problems = _person(number, row, columns, units)
        result.errors.extend(problems)
        ident = person.get("id")
        if ident in seen:
            duplicate = Message("roster.duplicate_id", {"id": ident, "other": seen[ident]})
            result.errors.append(RowError(number, "id", duplicate))
        elif ident:
            seen[ident] = number
        namesake = (person.get("unit", ""), person.get("name", ""))
        if namesake in names and all(namesake):
            said = Message("roster.same_name", {"name": namesake[1], "other": names[namesake]})
            result.warnings.append(RowError(number, "name", said))
        names.setdefault(namesake, number)
        if not problems:
            yield person if into is None else into(person)


def _is_header(row: Sequence[Any], known: Mapping[str, str]) -> bool:
    """A header row names the person's name column and at least one other column zhibu knows."""
    found = {known.get(str(cell or "").strip()) for cell in row} - {None, IGNORE}
    return "name" in found and len(found) >= 2


def _columns(first: Sequence[Any], known: Mapping[str, str], row: int, result: RosterFile) -> dict[int, str]:
    """Column index → field, from the header row; unknown and missing columns are errors."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(first):
        header = str(cell or "").strip()
        if not header:
            continue
        target = known.get(header)
        if target == IGNORE:
            result.ignored.append(header)
        elif target is None:
            near = difflib.get_close_matches(header, list(known), n=1)
            unknown = Message("roster.unknown_column_near", {"header": header, "near": near[0]}) if near else None
            unknown = unknown or Message("roster.unknown_column", {"header": header})
            result.errors.append(RowError(row, header, unknown))
        else:
            columns[index] = target
    for name in [f for f in REQUIRED if f not in columns.values()]:
        key = "roster.missing_id_column" if name == "id" else "roster.missing_column"
        said = Message(key, {"field": name, "header": FIELD_HEADERS[name]})
        result.errors.append(RowError(row, name, said))
    return columns


def _person(
    number: int, row: Sequence[Any], columns: Mapping[int, str], units: Mapping[str, str]
) -> tuple[dict[str, Any], list[RowError]]:
    person: dict[str, Any] = {"status": "full", "roles": [], "mobile": False, "retired": False}
    problems: list[RowError] = []
    for index, target in columns.items():
        value = row[index] if index < len(row) else None
        text = str(value).strip() if value is not None else ""
        if target in REQUIRED and not text:
            problems.append(RowError(number, target, Message("roster.empty", {"column": column_name(target)})))
            continue
        if not text:
            continue
        try:
            person[target] = _field(target, value, text, units)
        except (ValueError, InvalidOperation) as error:
            problem = error.problem if isinstance(error, _CellError) else Message("roster.not_understood", {})
            said = {"column": column_name(target), "text": text, "problem": problem}
            problems.append(RowError(number, target, Message("roster.value", said)))
    return person, problems


def _field(target: str, value: Any, text: str, units: Mapping[str, str]) -> Any:
    if target == "unit":
        if text not in units:
            near = [
                name for name in difflib.get_close_matches(text, list(units), n=5) if _numbers(name) == _numbers(text)
            ]
            raise _CellError("roster.not_unit_near", near=near[0]) if near else _CellError("roster.not_unit")
        return units[text]
    if target == "status":
        status = normalize_status(text)
        if status is None:
            raise _CellError("roster.not_status")
        return status.value
    if target == "roles":
        roles = []
        for part in re.split(r"[、,，;；/\s]+", text):
            if part:
                role = normalize_role(part)
                if role is None:
                    raise _CellError("roster.not_role", part=part)
                roles.append(role)
        return roles
    if target in ("joined", "probation_start", "applied_on", "activist_since"):
        try:
            return _date(value)
        except (ValueError, TypeError):
            raise _CellError("roster.not_date") from None
    if target in ("dues_base", "dues_fixed"):
        try:
            return _money(text)
        except InvalidOperation:
            raise _CellError("roster.not_amount") from None
    if target == "login":
        logins = [part for part in re.split(r"[、,，;；\s]+", text) if part]
        bad = [part for part in logins if not LOGIN_PATTERN.match(part)]
        if bad:
            raise _CellError("roster.bad_login", part=bad[0])
        return logins
    if target in ("mobile", "retired"):
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise _CellError("roster.not_yes_no")
    if target == "id" and not re.match(r"^[A-Za-z0-9_.\-\u3400-\u9fff]+$", text):
        raise _CellError("roster.bad_id")
    return text


def _numbers(name: str) -> str:
    """The numerals in a unit's name (第九党支部 → 九): two names whose numbers differ are different
    units however alike the rest reads."""
    return "".join(re.findall(r"[0-9一二三四五六七八九十百零〇]", name))


def unit_lookup(units: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Unit ids and names → unit ids."""
    table: dict[str, str] = {}
    for ident, name in units:
        table[name] = ident
        table[ident] = ident
    return table
